-- .utils: pattern matching for handlers and small curried helpers on arrays.
--
-- Matching follows the 2025 aos builds (aos 2.0.6): a handler pattern that is a
-- string compares msg.Action exactly; inside table patterns strings compare
-- case-insensitively, and strings with Lua magic characters are Lua patterns
-- matched against the lower-cased value (so the pattern is lower-cased too).
local utils = { _version = "0.0.5" }

local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%?]"

-- curry(fn, arity): call with fewer arguments to get a function awaiting the rest.
-- As in the real module, the partial call's arguments are spread with
-- `table.unpack(args), ...`, which keeps only the first of them: curry(f, 3)(1, 2)(3)
-- calls f(1, 3). The count is #{...} (a border, so nils count oddly too).
function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument")
  arity = arity or debug.getinfo(fn, "u").nparams
  if arity < 2 then return fn end
  return function(...)
    local args = { ... }
    if #args >= arity then return fn(table.unpack(args)) end
    return utils.curry(function(...)
      return fn(table.unpack(args), ...)
    end, arity - #args)
  end
end

-- matchesPattern(pattern, value, msg): does one field value satisfy one pattern?
-- nil/false patterns never match, "_" always does (matchesSpec checks presence
-- first), a function gets (value, msg), a table is any of its sub-patterns (pairs),
-- a string compares lower-cased (value or ""), or matches as a Lua pattern when it
-- has magic characters. string.lower of a table value raises, as in the real module
-- (a string pattern against a JSON-decoded Data). Other pattern types (true, 5)
-- never match.
function utils.matchesPattern(pattern, value, msg)
  if not pattern then return false end
  if pattern == "_" then return true end
  local pt = type(pattern)
  if pt == "function" then
    if pattern(value, msg) then return true end
    return false
  end
  if pt == "string" then
    local lv = string.lower(value or "")
    if pattern:find(MAGIC) then
      if lv:match(pattern:lower()) then return true end
    elseif lv == pattern:lower() then
      return true
    end
  elseif pt == "table" then
    for _, sub in pairs(pattern) do
      if utils.matchesPattern(sub, value, msg) then return true end
    end
  end
  return false
end

-- matchesSpec(msg, spec): the result of a handler pattern for a message.
-- Functions return their own result; a table needs every key present (a value
-- other than nil/false at the root or in msg.Tags) and matching either place;
-- a string compares msg.Action.
function utils.matchesSpec(msg, spec)
  local st = type(spec)
  if st == "function" then return spec(msg) end
  if st == "table" then
    local tags = msg.Tags
    for key, pattern in pairs(spec) do
      local atRoot = msg[key]
      local inTags = tags and tags[key]
      if not atRoot and not inTags then return false end
      -- both are tried (a function pattern is called twice), then either may match
      local rootOk = utils.matchesPattern(pattern, atRoot, msg)
      local tagOk = utils.matchesPattern(pattern, inTags, msg)
      if not rootOk and not tagOk then return false end
    end
    return true
  end
  if st == "string" and msg.Action and msg.Action == spec then return true end
  return false
end

-- normalize("content_type") == "Content-Type": the 2025 builds' tag-name form.
local normalized = {}
function utils.normalize(key)
  if type(key) ~= "string" then return key end
  local cached = normalized[key]
  if cached then return cached end
  local out = key:gsub("_", "-"):lower():gsub("^%l", string.upper):gsub("%-%l", string.upper)
  normalized[key] = out
  return out
end

-- capitalize("hELLO") == "Hello"; non-strings and "" come back as they are.
function utils.capitalize(str)
  if type(str) ~= "string" or str == "" then return str end
  return str:sub(1, 1):upper() .. str:sub(2):lower()
end

-- An array: only positive integer keys, the largest equal to #t.
local function isArray(t)
  if type(t) ~= "table" then return false end
  local maxIndex = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or math.floor(k) ~= k then return false end
    if k > maxIndex then maxIndex = k end
  end
  return maxIndex == #t
end


-- The helpers below keep the real module's argument checks and messages (quirks
-- included: concat's two checks carry each other's message, reduce starts over
-- from the next value whenever the accumulator is nil, filter calls fn(v) only).
utils.concat = utils.curry(function(a, b)
  assert(type(a) == "table", "first argument should be a table that is an array")
  assert(type(b) == "table", "second argument should be a table that is an array")
  assert(isArray(a), "first argument should be a table")
  assert(isArray(b), "second argument should be a table")
  local out = {}
  for i = 1, #a do out[#out + 1] = a[i] end
  for i = 1, #b do out[#out + 1] = b[i] end
  return out
end, 2)

utils.reduce = utils.curry(function(fn, initial, t)
  assert(type(fn) == "function", "first argument should be a function that accepts (result, value, key)")
  assert(type(t) == "table" and isArray(t), "third argument should be a table that is an array")
  local acc = initial
  for k, v in pairs(t) do
    if acc == nil then acc = v else acc = fn(acc, v, k) end
  end
  return acc
end, 3)

utils.map = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(data) == "table" and isArray(data), "second argument should be an Array")
  return utils.reduce(function(out, v, k)
    out[k] = fn(v, k)
    return out
  end, {}, data)
end, 2)

utils.filter = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(data) == "table" and isArray(data), "second argument should be an Array")
  return utils.reduce(function(out, v)
    if fn(v) then table.insert(out, v) end
    return out
  end, {}, data)
end, 2)

utils.find = utils.curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(t) == "table", "second argument should be a table that is an array")
  for _, v in pairs(t) do
    if fn(v) then return v end
  end
end, 2)

utils.propEq = utils.curry(function(prop, value, obj)
  assert(type(prop) == "string", "first argument should be a string")
  assert(type(value) == "string", "second argument should be a string")
  assert(type(obj) == "table", "third argument should be a table<object>")
  return obj[prop] == value
end, 3)

utils.reverse = function(data)
  assert(type(data) == "table", "argument needs to be a table that is an array")
  return utils.reduce(function(out, v, i)
    out[#data - i + 1] = v
    return out
  end, {}, data)
end

-- compose(f, g, h)(x) == f(g(h(x))), one value through; compose is curried with
-- arity 2, so compose(f)(g) works too.
utils.compose = utils.curry(function(...)
  local fns = utils.reverse({ ... })
  return function(v)
    local result = v
    for _, fn in pairs(fns) do
      assert(type(fn) == "function", "each argument needs to be a function")
      result = fn(result)
    end
    return result
  end
end, 2)

utils.prop = utils.curry(function(name, obj) return obj[name] end, 2)

utils.includes = utils.curry(function(val, t)
  assert(type(t) == "table", "argument needs to be a table")
  assert(isArray(t), "argument should be a table that is an array")
  return utils.find(function(v) return v == val end, t) ~= nil
end, 2)

utils.keys = function(t)
  assert(type(t) == "table", "argument needs to be a table")
  local out = {}
  for k in pairs(t) do table.insert(out, k) end
  return out
end

utils.values = function(t)
  assert(type(t) == "table", "argument needs to be a table")
  local out = {}
  for _, v in pairs(t) do table.insert(out, v) end
  return out
end

return utils

-- .utils: pattern matching for handlers and small curried helpers on arrays.
--
-- Matching follows the 2025 aos builds (aos 2.0.6): a handler pattern that is a
-- string compares msg.Action exactly; inside table patterns strings compare
-- case-insensitively, and strings with Lua magic characters are Lua patterns
-- matched against the lower-cased value (so the pattern is lower-cased too).
local utils = { _version = "0.0.5" }

local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%?]"

-- curry(fn, arity): call with fewer arguments to get a function awaiting the rest.
function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument")
  arity = arity or debug and debug.getinfo and debug.getinfo(fn, "u").nparams or 2
  if arity < 2 then return fn end
  return function(...)
    local args = table.pack(...)
    if args.n >= arity then return fn(...) end
    return utils.curry(function(...)
      local more = table.pack(...)
      local all = {}
      for i = 1, args.n do all[i] = args[i] end
      for i = 1, more.n do all[args.n + i] = more[i] end
      return fn(table.unpack(all, 1, args.n + more.n))
    end, arity - args.n)
  end
end

local function lower(v)
  if type(v) == "string" then return v:lower() end
  if type(v) == "number" then return tostring(v):lower() end
  return nil
end

-- matchesPattern(pattern, value, msg): does one field value satisfy one pattern?
function utils.matchesPattern(pattern, value, msg)
  if value == nil then return false end
  if pattern == "_" then return true end
  local pt = type(pattern)
  if pt == "function" then
    return pattern(value, msg) and true or false
  elseif pt == "table" then
    for _, sub in ipairs(pattern) do
      if utils.matchesPattern(sub, value, msg) then return true end
    end
    return false
  elseif pt == "string" then
    local lv, lp = lower(value), pattern:lower()
    if lv == nil then return false end
    if pattern:find(MAGIC) then return lv:match(lp) ~= nil end
    return lv == lp
  end
  return value == pattern
end

-- matchesSpec(msg, spec): the result of a handler pattern for a message.
-- Functions return their own result; tables give true/false; strings compare Action.
function utils.matchesSpec(msg, spec)
  local st = type(spec)
  if st == "function" then return spec(msg) end
  if st == "string" then return msg.Action == spec end
  if st == "table" then
    local tags = type(msg.Tags) == "table" and msg.Tags or {}
    for key, pattern in pairs(spec) do
      local atRoot = utils.matchesPattern(pattern, msg[key], msg)
      local inTags = utils.matchesPattern(pattern, tags[key], msg)
      if not (atRoot or inTags) then return false end
    end
    return true
  end
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

function utils.capitalize(s)
  return (s:gsub("^%l", string.upper))
end

local function isArray(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end
utils.isArray = isArray

utils.concat = utils.curry(function(a, b)
  assert(type(a) == "table" and type(b) == "table", "concat: both arguments must be arrays")
  local out = {}
  for _, v in ipairs(a) do out[#out + 1] = v end
  for _, v in ipairs(b) do out[#out + 1] = v end
  return out
end, 2)

utils.reduce = utils.curry(function(fn, initial, t)
  assert(type(fn) == "function", "reduce: first argument must be a function")
  assert(type(t) == "table", "reduce: third argument must be a table")
  local acc, first = initial, initial == nil
  for k, v in ipairs(t) do
    if first then acc = v; first = false else acc = fn(acc, v, k) end
  end
  return acc
end, 3)

utils.map = utils.curry(function(fn, t)
  assert(type(fn) == "function", "map: first argument must be a function")
  assert(type(t) == "table", "map: second argument must be a table")
  local out = {}
  for k, v in ipairs(t) do out[k] = fn(v, k) end
  return out
end, 2)

utils.filter = utils.curry(function(fn, t)
  assert(type(fn) == "function", "filter: first argument must be a function")
  assert(type(t) == "table", "filter: second argument must be a table")
  local out = {}
  for _, v in ipairs(t) do if fn(v) then out[#out + 1] = v end end
  return out
end, 2)

utils.find = utils.curry(function(fn, t)
  for _, v in pairs(t) do if fn(v) then return v end end
  return nil
end, 2)

utils.propEq = utils.curry(function(prop, value, obj)
  return obj[prop] == value
end, 3)

utils.reverse = function(t)
  local out = {}
  for i = #t, 1, -1 do out[#out + 1] = t[i] end
  return out
end

utils.compose = function(...)
  local fns = table.pack(...)
  return function(...)
    local result = table.pack(...)
    for i = fns.n, 1, -1 do result = table.pack(fns[i](table.unpack(result, 1, result.n))) end
    return table.unpack(result, 1, result.n)
  end
end

utils.prop = utils.curry(function(name, obj) return obj[name] end, 2)

utils.includes = utils.curry(function(val, t)
  for _, v in pairs(t) do if v == val then return true end end
  return false
end, 2)

utils.keys = function(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  return out
end

utils.values = function(t)
  local out = {}
  for _, v in pairs(t) do out[#out + 1] = v end
  return out
end

return utils

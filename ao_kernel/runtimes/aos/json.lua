-- json: a small JSON encoder/decoder for the aos runtime (`require('json')`).
--
-- Written for ao-kernel from the behaviour aos processes rely on:
--   * json.encode({}) is "[]"; a table whose keys are exactly 1..n is an array,
--     a table whose keys are all strings is an object, anything else is an error;
--   * function values are dropped from objects (and encode as null in arrays);
--   * every number is written with 14 significant digits (%.14g), integers too, so
--     integers above 10^14 lose digits (as in the real module);
--   * json.decode maps null to nil, raises a readable error on invalid input.
local json = { _version = "ao-kernel 1" }

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function escapeChar(c)
  return escapes[c] or string.format("\\u%04x", c:byte())
end

local function encodeString(s)
  return '"' .. s:gsub('[%c"\\]', escapeChar) .. '"'
end

local function encodeNumber(n)
  if n ~= n or n == math.huge or n == -math.huge then
    error("unexpected number value '" .. tostring(n) .. "'")
  end
  -- every number, integers included, with 14 significant digits, as the real
  -- module's json does: 123456789012345678 encodes as 1.2345678901235e+17
  -- (recording json_numbers). Decoding keeps integers exact.
  return string.format("%.14g", n)
end

local encodeValue

local function encodeTable(t, stack)
  if stack[t] then error("circular reference") end
  stack[t] = true
  local out = {}
  local n, count, allStrings = 0, 0, true
  for k in pairs(t) do
    count = count + 1
    if type(k) ~= "string" then allStrings = false end
    if math.type(k) == "integer" and k > n then n = k end
  end
  if count == 0 then
    stack[t] = nil
    return "[]"
  end
  if not allStrings then
    if n ~= count then error("invalid table: mixed or invalid key types") end
    for i = 1, n do
      local v = t[i]
      if type(v) == "function" then out[i] = "null" else out[i] = encodeValue(v, stack) end
    end
    stack[t] = nil
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k, v in pairs(t) do
    if type(v) ~= "function" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    out[i] = encodeString(k) .. ":" .. encodeValue(t[k], stack)
  end
  stack[t] = nil
  return "{" .. table.concat(out, ",") .. "}"
end

encodeValue = function(v, stack)
  local ty = type(v)
  if ty == "string" then return encodeString(v)
  elseif ty == "number" then return encodeNumber(v)
  elseif ty == "boolean" then return tostring(v)
  elseif ty == "nil" then return "null"
  elseif ty == "table" then return encodeTable(v, stack)
  end
  error("unexpected type '" .. ty .. "'")
end

function json.encode(value)
  return encodeValue(value, {})
end

-- Decoding ------------------------------------------------------------------

local function decodeError(str, idx, msg)
  local line, col = 1, 1
  for i = 1, idx - 1 do
    col = col + 1
    if str:sub(i, i) == "\n" then line = line + 1; col = 1 end
  end
  error(string.format("%s at line %d col %d", msg, line, col), 0)
end

local function skipSpace(str, i)
  local _, e = str:find("^[ \n\r\t]*", i)
  return e + 1
end

local function codepointToUtf8(n)
  if n <= 0x7f then return string.char(n) end
  return utf8.char(n)
end

local decodeValue

local function decodeString(str, i)
  local parts, j = {}, i + 1
  while true do
    local s, e = str:find('["\\%c]', j)
    if not s then decodeError(str, i, "expected closing quote for string") end
    parts[#parts + 1] = str:sub(j, s - 1)
    local c = str:sub(s, s)
    if c == '"' then return table.concat(parts), s + 1 end
    if c ~= "\\" then decodeError(str, s, "control character in string") end
    local esc = str:sub(s + 1, s + 1)
    local simple = ({ b = "\b", f = "\f", n = "\n", r = "\r", t = "\t",
      ['"'] = '"', ["\\"] = "\\", ["/"] = "/" })[esc]
    if simple then
      parts[#parts + 1] = simple
      j = s + 2
    elseif esc == "u" then
      local hex = str:match("^%x%x%x%x", s + 2)
      if not hex then decodeError(str, s, "invalid unicode escape in string") end
      local n = tonumber(hex, 16)
      j = s + 6
      if n >= 0xd800 and n <= 0xdbff then
        local low = str:match("^\\u(%x%x%x%x)", j)
        if low then
          n = 0x10000 + (n - 0xd800) * 0x400 + (tonumber(low, 16) - 0xdc00)
          j = j + 6
        end
      end
      parts[#parts + 1] = codepointToUtf8(n)
    else
      decodeError(str, s, "invalid escape char '" .. esc .. "' in string")
    end
  end
end

local function decodeNumber(str, i)
  local s = str:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  local n = s and tonumber(s)
  if not n then decodeError(str, i, "invalid number '" .. (s or str:sub(i, i)) .. "'") end
  return n, i + #s
end

local literals = { ["true"] = true, ["false"] = false }

local function decodeLiteral(str, i)
  local word = str:match("^%a+", i)
  if word == "null" then return nil, i + 4 end
  if literals[word] == nil then decodeError(str, i, "invalid literal '" .. (word or "") .. "'") end
  return literals[word], i + #word
end

local function decodeArray(str, i)
  local res, n = {}, 0
  i = skipSpace(str, i + 1)
  if str:sub(i, i) == "]" then return res, i + 1 end
  while true do
    local v
    v, i = decodeValue(str, i)
    n = n + 1
    res[n] = v
    i = skipSpace(str, i)
    local c = str:sub(i, i)
    i = i + 1
    if c == "]" then return res, i end
    if c ~= "," then decodeError(str, i - 1, "expected ']' or ','") end
  end
end

local function decodeObject(str, i)
  local res = {}
  i = skipSpace(str, i + 1)
  if str:sub(i, i) == "}" then return res, i + 1 end
  while true do
    i = skipSpace(str, i)
    if str:sub(i, i) ~= '"' then decodeError(str, i, "expected string for key") end
    local key
    key, i = decodeString(str, i)
    i = skipSpace(str, i)
    if str:sub(i, i) ~= ":" then decodeError(str, i, "expected ':' after key") end
    local v
    v, i = decodeValue(str, skipSpace(str, i + 1))
    res[key] = v
    i = skipSpace(str, i)
    local c = str:sub(i, i)
    i = i + 1
    if c == "}" then return res, i end
    if c ~= "," then decodeError(str, i - 1, "expected '}' or ','") end
  end
end

decodeValue = function(str, i)
  i = skipSpace(str, i)
  local c = str:sub(i, i)
  if c == '"' then return decodeString(str, i)
  elseif c == "{" then return decodeObject(str, i)
  elseif c == "[" then return decodeArray(str, i)
  elseif c == "-" or c:match("%d") then return decodeNumber(str, i)
  elseif c == "" then decodeError(str, i, "unexpected end of input")
  end
  return decodeLiteral(str, i)
end

function json.decode(str)
  if type(str) ~= "string" then
    error("expected argument of type string, got " .. type(str))
  end
  local value, i = decodeValue(str, 1)
  i = skipSpace(str, i)
  if i <= #str then decodeError(str, i, "trailing garbage") end
  return value
end

return json

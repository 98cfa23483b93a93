-- json: the JSON encoder/decoder of the aos runtime (`require('json')`).
--
-- Written for ao-kernel; it behaves as the real module's json does, corners included
-- (recordings json_codec, json_numbers, json_corners):
--   encode
--   * a table with t[1] ~= nil, or an empty table, is an array: every key must be a
--     number ("invalid table: mixed or invalid key types") and there must be #t of
--     them ("invalid table: sparse array"); any other table is an object whose keys
--     must all be strings; json.encode({}) is "[]";
--   * function values are left out of objects; in an array they are an error;
--   * every number is written with %.14g (integers too: 123456789012345678 becomes
--     1.2345678901235e+17); NaN and infinities are errors;
--   * strings escape ", \, and the control characters 0-31; DEL (0x7f) and all
--     other bytes pass through unchanged.
--   decode
--   * a value starts with one of " { [ t f n - 0-9; a number is the text up to the
--     next delimiter (space, ] } ,) read by tonumber, so 0x1F is 31 and 1e400 is
--     inf; a trailing comma before ] or } is accepted; null is nil;
--   * errors read "<what> at line L col C", counting columns as the real decoder
--     does (1-based, reset after each newline), e.g. "unexpected character ''" for
--     empty or whitespace-only input, "trailing garbage" after the value.
-- Objects encode their keys in sorted order (deterministic; the real module follows
-- its pairs order).
local json = { _version = "0.2.0" }

------------------------------------------------------------------ encoding
local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function escapeChar(c)
  return escapes[c] or string.format("\\u%04x", c:byte())
end

local function encodeString(s)
  return '"' .. s:gsub('[%z\1-\31\\"]', escapeChar) .. '"'
end

local function encodeNumber(n)
  if n ~= n or n <= -math.huge or n >= math.huge then
    error("unexpected number value '" .. tostring(n) .. "'")
  end
  return string.format("%.14g", n)
end

local encodeValue

local function encodeTable(t, stack)
  if stack[t] then error("circular reference") end
  stack[t] = true
  local out = {}
  if rawget(t, 1) ~= nil or next(t) == nil then
    local n = 0
    for k in pairs(t) do
      if type(k) ~= "number" then error("invalid table: mixed or invalid key types") end
      n = n + 1
    end
    if n ~= #t then error("invalid table: sparse array") end
    for i = 1, #t do out[i] = encodeValue(t[i], stack) end
    stack[t] = nil
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k, v in pairs(t) do
    if type(k) ~= "string" then error("invalid table: mixed or invalid key types") end
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
  return (encodeValue(value, {}))
end

------------------------------------------------------------------ decoding
local function set(...)
  local s = {}
  for i = 1, select("#", ...) do s[select(i, ...)] = true end
  return s
end
local spaces = set(" ", "\t", "\r", "\n")
local delimiters = set(" ", "\t", "\r", "\n", "]", "}", ",")
local escaped = { ["/"] = "/", ["\\"] = "\\", ['"'] = '"', b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
local literals = { ["true"] = true, ["false"] = false, ["null"] = nil }
local isLiteral = set("true", "false", "null")

-- The first index from idx whose character is (in == true) / is not (in == false)
-- in the set; #str + 1 when there is none.
local function scan(str, idx, chars, skip)
  for i = idx, #str do
    if (chars[str:sub(i, i)] == true) ~= skip then return i end
  end
  return #str + 1
end

local function decodeError(str, idx, msg)
  local line, col = 1, 1
  for i = 1, idx - 1 do
    col = col + 1
    if str:sub(i, i) == "\n" then line = line + 1; col = 1 end
  end
  error(string.format("%s at line %d col %d", msg, line, col))
end

local function codepointToUtf8(n)
  if n <= 0x7f then return string.char(n) end
  if n <= 0x10ffff then return utf8.char(n) end
  error(string.format("invalid unicode codepoint '%x'", n))
end

local function unicodeEscape(hex)
  local hi = tonumber(hex:sub(1, 4), 16)
  local lo = tonumber(hex:sub(7, 10), 16)
  if lo then return codepointToUtf8((hi - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000) end
  return codepointToUtf8(hi)
end

local decodeValue

local function decodeString(str, i)
  local parts = {}
  local j, from = i + 1, i + 1
  while j <= #str do
    local b = str:byte(j)
    if b < 32 then
      decodeError(str, j, "control character in string")
    elseif b == 92 then -- backslash
      parts[#parts + 1] = str:sub(from, j - 1)
      j = j + 1
      local c = str:sub(j, j)
      if c == "u" then
        local hex = str:match("^[dD][89aAbB]%x%x\\u%x%x%x%x", j + 1) or str:match("^%x%x%x%x", j + 1)
          or decodeError(str, j - 1, "invalid unicode escape in string")
        parts[#parts + 1] = unicodeEscape(hex)
        j = j + #hex
      else
        if not (escaped[c] or c == "u") then
          decodeError(str, j - 1, "invalid escape char '" .. c .. "' in string")
        end
        parts[#parts + 1] = escaped[c]
      end
      from = j + 1
    elseif b == 34 then -- closing quote
      parts[#parts + 1] = str:sub(from, j - 1)
      return table.concat(parts), j + 1
    end
    j = j + 1
  end
  decodeError(str, i, "expected closing quote for string")
end

local function decodeNumber(str, i)
  local e = scan(str, i, delimiters, false)
  local text = str:sub(i, e - 1)
  local n = tonumber(text)
  if not n then decodeError(str, i, "invalid number '" .. text .. "'") end
  return n, e
end

local function decodeLiteral(str, i)
  local e = scan(str, i, delimiters, false)
  local word = str:sub(i, e - 1)
  if not isLiteral[word] then decodeError(str, i, "invalid literal '" .. word .. "'") end
  return literals[word], e
end

local function decodeArray(str, i)
  local res, n = {}, 1
  i = i + 1
  while true do
    i = scan(str, i, spaces, true)
    if str:sub(i, i) == "]" then
      i = i + 1
      break
    end
    local v
    v, i = decodeValue(str, i)
    res[n] = v
    n = n + 1
    i = scan(str, i, spaces, true)
    local c = str:sub(i, i)
    i = i + 1
    if c == "]" then break end
    if c ~= "," then decodeError(str, i, "expected ']' or ','") end
  end
  return res, i
end

local function decodeObject(str, i)
  local res = {}
  i = i + 1
  while true do
    i = scan(str, i, spaces, true)
    if str:sub(i, i) == "}" then
      i = i + 1
      break
    end
    if str:sub(i, i) ~= '"' then decodeError(str, i, "expected string for key") end
    local key, val
    key, i = decodeValue(str, i)
    i = scan(str, i, spaces, true)
    if str:sub(i, i) ~= ":" then decodeError(str, i, "expected ':' after key") end
    i = scan(str, i + 1, spaces, true)
    val, i = decodeValue(str, i)
    res[key] = val
    i = scan(str, i, spaces, true)
    local c = str:sub(i, i)
    i = i + 1
    if c == "}" then break end
    if c ~= "," then decodeError(str, i, "expected '}' or ','") end
  end
  return res, i
end

local starts = {
  ['"'] = decodeString, ["{"] = decodeObject, ["["] = decodeArray,
  t = decodeLiteral, f = decodeLiteral, n = decodeLiteral, ["-"] = decodeNumber,
}
for d = 0, 9 do starts[tostring(d)] = decodeNumber end

decodeValue = function(str, i)
  local c = str:sub(i, i)
  local f = starts[c]
  if f then return f(str, i) end
  decodeError(str, i, "unexpected character '" .. c .. "'")
end

function json.decode(str)
  if type(str) ~= "string" then
    error("expected argument of type string, got " .. type(str))
  end
  local res, i = decodeValue(str, scan(str, 1, spaces, true))
  i = scan(str, i, spaces, true)
  if i <= #str then decodeError(str, i, "trailing garbage") end
  return res
end

return json

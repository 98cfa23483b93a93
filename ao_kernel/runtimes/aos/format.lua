-- .format: the two pretty-printers the runtime itself needs for Output.
--   format.stringify(t)  a table as print and Eval show it (coloured)
--   format.dump(v)       Dump(v), used for Output.test of an Eval
-- They delegate to the `.stringify` and `.dump` modules when those are installed
-- and otherwise fall back to the small printers below.
local format = {}

local delegates = {}
local function delegate(name)
  if delegates[name] == nil then
    local ok, mod = pcall(require, name)
    delegates[name] = ok and mod or false
  end
  return delegates[name]
end

local function sortedKeys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

local function isArray(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

local function fallbackStringify(v, indent, seen)
  if type(v) == "string" then return '"' .. v .. '"' end
  if type(v) ~= "table" then return tostring(v) end
  if seen[v] then return "<circular>" end
  seen[v] = true
  local pad = string.rep("  ", indent + 1)
  local parts = {}
  if isArray(v) then
    for _, item in ipairs(v) do parts[#parts + 1] = fallbackStringify(item, indent + 1, seen) end
  else
    for _, k in ipairs(sortedKeys(v)) do
      parts[#parts + 1] = tostring(k) .. " = " .. fallbackStringify(v[k], indent + 1, seen)
    end
  end
  seen[v] = nil
  if #parts == 0 then return "{}" end
  local one = "{ " .. table.concat(parts, ", ") .. " }"
  if #one <= 60 then return one end
  return "{\n" .. pad .. table.concat(parts, ",\n" .. pad) .. "\n" .. string.rep("  ", indent) .. "}"
end

function format.stringify(t)
  local mod = delegate(".stringify")
  if mod and mod.format then return mod.format(t) end
  return fallbackStringify(t, 0, {})
end

local function fallbackDump(v, indent)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local pad = string.rep("    ", indent + 1)
  local parts = {}
  for _, k in ipairs(sortedKeys(v)) do
    local key = type(k) == "string" and string.format("%q", k) or tostring(k)
    parts[#parts + 1] = pad .. "[" .. key .. "] = " .. fallbackDump(v[k], indent + 1)
  end
  if #parts == 0 then return "{}" end
  return "{\n" .. table.concat(parts, ",\n") .. "\n" .. string.rep("    ", indent) .. "}"
end

function format.dump(v)
  local mod = delegate(".dump")
  if type(mod) == "function" then return mod(v) end
  if type(mod) == "table" and getmetatable(mod) and getmetatable(mod).__call then return mod(v) end
  return fallbackDump(v, 0)
end

return format

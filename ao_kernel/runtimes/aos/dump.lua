-- .dump: the plain (uncoloured) serialiser behind aos's global Dump and the `test` field of
-- an Eval's Output. Written for ao-kernel from the observed output:
--   * tables: "{\n" .. entries .. "\n}" with four spaces per level, entries ",\n"-separated,
--     numeric keys first in numeric order, then other keys ordered by their printed form;
--     identifier keys bare (a = 1), other string keys ["a-b"] = 1, numbers [1] = 1
--   * strings %q-quoted; numbers and booleans as tostring; functions as a quoted tostring
--   * an empty table is "{}"; a non-table argument is returned as %q of tostring(value)
local function keystr(k)
  if type(k) == 'string' then
    if k:match('^[%a_][%w_]*$') then return k end
    return '[' .. string.format('%q', k) .. ']'
  end
  return '[' .. tostring(k) .. ']'
end

local function valstr(v, depth, seen)
  local t = type(v)
  if t == 'string' then return string.format('%q', v) end
  if t == 'number' or t == 'boolean' or t == 'nil' then return tostring(v) end
  if t ~= 'table' then return string.format('%q', tostring(v)) end
  if seen[v] then return '"<cycle>"' end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  if #keys == 0 then return '{}' end
  seen[v] = true
  table.sort(keys, function(a, b)
    local na, nb = type(a) == 'number', type(b) == 'number'
    if na and nb then return a < b end
    if na ~= nb then return na end
    return keystr(a) < keystr(b)
  end)
  local pad = string.rep('    ', depth + 1)
  local lines = {}
  for i, k in ipairs(keys) do
    lines[i] = pad .. keystr(k) .. ' = ' .. valstr(v[k], depth + 1, seen)
  end
  seen[v] = nil
  return '{\n' .. table.concat(lines, ',\n') .. '\n' .. string.rep('    ', depth) .. '}'
end

local function dump(value)
  if type(value) ~= 'table' then
    return string.format('%q', tostring(value))
  end
  return valstr(value, 0, {})
end

return dump

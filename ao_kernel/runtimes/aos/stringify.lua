-- .stringify: the coloured table printer aos uses for print(table) and Eval results.
-- Written for ao-kernel to reproduce the real module's output byte for byte:
--   * empty table            -> "{  }"
--   * sequence of numbers / strings -> "{ 1, \"a\" }" on one line (numbers blue, strings green)
--   * other sequences        -> one element per line, indented two more than the table,
--                               closing brace one space in
--   * anything with non-sequence keys -> "{\n   key = value,\n ...\n}" with keys red; the
--     sequence prefix of such a mixed table is not shown (as in aos)
--   * a table met again while printing -> <circular reference>
-- Key order is pairs() order.
local stringify = { _version = '0.0.1' }

local RED, GREEN, BLUE, RESET = '\27[31m', '\27[32m', '\27[34m', '\27[0m'

function stringify.isSimpleArray(tbl)
  local expected = 1
  for k, v in pairs(tbl) do
    if k ~= expected then return false end
    local t = type(v)
    if t ~= 'number' and t ~= 'string' then return false end
    expected = expected + 1
  end
  return true
end

local function scalar(v)
  local t = type(v)
  if t == 'string' then
    return GREEN .. '"' .. v .. '"' .. RESET
  end
  return BLUE .. tostring(v) .. RESET
end

function stringify.format(tbl, indent, visited)
  indent = indent or 0
  visited = visited or {}
  visited[tbl] = true

  local seq, map = {}, {}
  local expected, inseq = 1, true
  for k, v in pairs(tbl) do
    if inseq and k == expected then
      seq[#seq + 1] = v
      expected = expected + 1
    else
      inseq = false
      map[#map + 1] = { k, v }
    end
  end

  local function value(v)
    if type(v) == 'table' then
      if visited[v] then return '<circular reference>' end
      return stringify.format(v, indent + 2, visited)
    end
    return scalar(v)
  end

  if #map == 0 then
    if #seq == 0 then return '{  }' end
    if stringify.isSimpleArray(tbl) then
      local parts = {}
      for i, v in ipairs(seq) do parts[i] = scalar(v) end
      return '{ ' .. table.concat(parts, ', ') .. ' }'
    end
    local pad = string.rep(' ', indent + 2)
    local lines = {}
    for i, v in ipairs(seq) do lines[i] = pad .. value(v) end
    return '{\n' .. table.concat(lines, ',\n') .. '\n' .. string.rep(' ', indent + 1) .. '}'
  end

  local pad = string.rep(' ', indent + 3)
  local lines = {}
  for i, kv in ipairs(map) do
    lines[i] = pad .. RED .. kv[1] .. RESET .. ' = ' .. value(kv[2])
  end
  return '{\n' .. table.concat(lines, ',\n') .. '\n' .. string.rep(' ', indent) .. '}'
end

return stringify

-- .pretty: tprint(tbl[, indent]) returns an indented "key: value" listing of a table
-- (one line per entry, nested tables one space deeper), as aos's module does.
-- Written for ao-kernel.
local pretty = { _version = '0.0.1' }

function pretty.tprint(tbl, indent)
  indent = indent or 0
  local out = ''
  for k, v in pairs(tbl) do
    local line = string.rep(' ', indent) .. k .. ': '
    if type(v) == 'table' then
      out = out .. line .. '\n' .. pretty.tprint(v, indent + 1)
    else
      out = out .. line .. tostring(v) .. '\n'
    end
  end
  return out
end

return pretty

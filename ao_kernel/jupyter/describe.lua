-- Inspection: what @PATH@ is (type, source line, table keys, the handler of that name);
-- evaluated read-only in the process (Session.lua_describe).
local path = "@PATH@"
local out = {}
local last = path:match("([^.:]+)$")
if type(Handlers) == "table" and type(Handlers.list) == "table" then
  for i, h in ipairs(Handlers.list) do
    if h.name == last or h.name == path then
      out.handler = {name = h.name, position = i, pattern = type(h.pattern),
                     maxRuns = h.maxRuns, count = #Handlers.list}
    end
  end
end
local t, found = _G, true
for part in string.gmatch(path, "[^.:]+") do
  if type(t) ~= "table" then found = false break end
  t = t[part]
end
if found and t ~= nil then
  local kind = type(t)
  out.type = kind
  if kind == "function" then
    local ok, info = pcall(debug.getinfo, t, "Su")
    if ok and info then
      out.source = info.short_src
      out.line = info.linedefined
      out.nparams = info.nparams
      out.vararg = info.isvararg
    end
  elseif kind == "table" then
    local keys, n = {}, 0
    for k, v in pairs(t) do
      n = n + 1
      if n <= 40 then keys[#keys + 1] = tostring(k) .. ": " .. type(v) end
    end
    table.sort(keys)
    out.keys = keys
    out.size = n
  else
    out.value = tostring(t)
  end
end
return out

-- Completion: the members of the table at @PATH@ (name -> type), string methods for a
-- string; evaluated read-only in the process (Session.lua_members).
local t = _G
for part in string.gmatch("@PATH@", "[^.:]+") do
  if type(t) ~= "table" then return {} end
  t = t[part]
end
local out = {}
local function add(tbl)
  for k, v in pairs(tbl) do
    if type(k) == "string" and out[k] == nil then out[k] = type(v) end
  end
end
if type(t) == "table" then
  add(t)
  local mt = getmetatable(t)
  if type(mt) == "table" and type(mt.__index) == "table" then add(mt.__index) end
elseif type(t) == "string" then
  add(string)
end
return out

-- The user's globals of an aos process as plain tables (AosProcess.state): a function
-- of the depth to descend, skipping the runtime's own globals.
local skip = {}
for _, k in ipairs({"ao","Handlers","Utils","Colors","Bell","Dump","Errors","Prompt","print",
  "Send","Spawn","Assign","Receive","Tab","Version","HANDLER_PRINT_LOGS","INBOX_CAP","Seeded",
  "Nonce","json","handle","require","_G","math","string","table","os","coroutine","utf8",
  "load","pcall","xpcall","error","assert","type","tostring","tonumber","pairs","ipairs",
  "next","select","rawget","rawset","rawequal","rawlen","setmetatable","getmetatable",
  "unpack","package","debug","io","collectgarbage","dofile","loadfile","_VERSION","python",
  "loadstring","module","bit32","_ENV"}) do skip[k] = true end
return function(depth)
  local seen = {}
  local function conv(v, d)
    local t = type(v)
    if t == "table" then
      if seen[v] then return "<cycle>" end
      if d <= 0 then return "<table>" end
      seen[v] = true
      local out = {}
      for k, x in pairs(v) do
        if type(k) == "string" or type(k) == "number" then out[k] = conv(x, d - 1) end
      end
      seen[v] = nil
      return out
    elseif t == "function" then return "<function>"
    elseif t == "thread" then return "<coroutine>"
    elseif t == "userdata" then return "<userdata>"
    end
    return v
  end
  local out = {}
  for k, v in pairs(_G) do
    if type(k) == "string" and not skip[k] then out[k] = conv(v, depth) end
  end
  return out
end

-- The user's globals of an aos process on wasm as JSON text (WasmAosProcess.state);
-- DEPTH is set by the caller.
local skip = {}
for _, k in ipairs({"ao","Handlers","Utils","Colors","Bell","Dump","Errors","Prompt","print",
  "Send","Spawn","Assign","Receive","Tab","Version","HANDLER_PRINT_LOGS","INBOX_CAP","Seeded",
  "Nonce","json","handle","require","_G","math","string","table","os","coroutine","utf8",
  "load","pcall","xpcall","error","assert","type","tostring","tonumber","pairs","ipairs",
  "next","select","rawget","rawset","rawequal","rawlen","setmetatable","getmetatable",
  "unpack","package","debug","io","collectgarbage","dofile","loadfile","_VERSION",
  "loadstring","module","bit32","_ENV","MAX_REPLY_LENGTH","Owner","Name","ProcessId",
  "Inbox","Bint","Config","_print","Process","Tab","linkify","SEND_TEST",
  "stringify","Ports"}) do skip[k] = true end
local seen = {}
local function conv(v, d)
  local t = type(v)
  if t == "table" then
    if seen[v] then return "<cycle>" end
    if d <= 0 then return "<table>" end
    seen[v] = true
    local out, n = {}, 0
    for k, x in pairs(v) do
      if type(k) == "string" or type(k) == "number" then out[tostring(k)] = conv(x, d - 1)
        n = n + 1 end
    end
    seen[v] = nil
    if n == #v and n > 0 then
      local arr = {}
      for i = 1, n do arr[i] = out[tostring(i)] end
      return arr
    end
    return out
  elseif t == "function" then return "<function>"
  elseif t == "thread" then return "<coroutine>"
  elseif t == "userdata" then return "<userdata>"
  end
  return v
end
local out = {}
for k, v in pairs(_G) do
  if type(k) == "string" and not skip[k] then out[k] = conv(v, DEPTH) end
end
if next(out) == nil then return "{}" end
return require("json").encode(out)

-- Reading an aos process without running its code: loaded at boot, before any user code,
-- so every function it uses is the sandbox's own, captured here. It walks tables with
-- raw `next` (no __pairs, __index or __tostring of the process runs) in a fixed order
-- (numbers, then strings, each ascending) and gives plain data: functions, coroutines and
-- userdata become "<function>", "<coroutine>", "<userdata>"; a cycle "<cycle>"; past the
-- depth "<table>". Returns two functions:
--   dump(depth)          the user's globals (the runtime's own globals left out)
--   plain(depth, fn)     fn's values as plain data (what inspect hands back)
local next, type, rawget, select, sort, G = next, type, rawget, select, table.sort, _G
local skip = {}
for _, k in ipairs({"ao","Handlers","Utils","Colors","Bell","Dump","Errors","Prompt","print",
  "Send","Spawn","Assign","Receive","Tab","Version","HANDLER_PRINT_LOGS","INBOX_CAP","Seeded",
  "Nonce","json","handle","require","_G","math","string","table","os","coroutine","utf8",
  "load","pcall","xpcall","error","assert","type","tostring","tonumber","pairs","ipairs",
  "next","select","rawget","rawset","rawequal","rawlen","setmetatable","getmetatable",
  "unpack","package","debug","io","collectgarbage","dofile","loadfile","_VERSION","python",
  "loadstring","module","bit32","_ENV"}) do skip[k] = true end

local rank = {number = 1, string = 2}
local function before(a, b)
  local ra, rb = rank[type(a)], rank[type(b)]
  if ra ~= rb then return ra < rb end
  return a < b
end

-- the table's number and string keys, in the fixed order
local function keys(t)
  local out, n = {}, 0
  for k in next, t do
    if rank[type(k)] and k == k then n = n + 1; out[n] = k end
  end
  sort(out, before)
  return out, n
end

local function conv(v, d, seen)
  local t = type(v)
  if t == "table" then
    if seen[v] then return "<cycle>" end
    if d <= 0 then return "<table>" end
    seen[v] = true
    local out = {}
    local ks, n = keys(v)
    for i = 1, n do
      local k = ks[i]
      out[k] = conv(rawget(v, k), d - 1, seen)
    end
    seen[v] = nil
    return out
  elseif t == "function" then return "<function>"
  elseif t == "thread" then return "<coroutine>"
  elseif t == "userdata" then return "<userdata>"
  end
  return v
end

local function dump(depth)
  local out = {}
  local ks, n = keys(G)
  for i = 1, n do
    local k = ks[i]
    if type(k) == "string" and not skip[k] then
      out[k] = conv(rawget(G, k), depth, {})
    end
  end
  return out
end

local function packed(depth, ...)
  local out = {n = select("#", ...)}
  for i = 1, out.n do out[i] = conv((select(i, ...)), depth, {}) end
  return out
end

local function plain(depth, fn) return packed(depth, fn()) end

return dump, plain

-- The boundary between Python and an aos process (see lua_process.py: step, make_msg,
-- make_env).
local type, next, pack = type, next, table.pack
local PLAIN = { string = true, number = true, boolean = true }
local OUT_KEYS = { data = true, prompt = true, print = true, test = true }
local ROOT_KEYS = { Output = true, Messages = true, Spawns = true, Assignments = true }
local function empty(t) return type(t) == "table" and next(t) == nil end
local M = {}

function M.step(handle, env, nfields, ...)
  local a = pack(...)
  local msg, tags, t = {}, {}, 0
  for i = 1, 2 * nfields, 2 do msg[a[i]] = a[i + 1] end
  for i = 2 * nfields + 1, a.n, 2 do
    t = t + 1
    tags[t] = { name = a[i], value = a[i + 1] }
  end
  msg.Tags = tags
  local res = handle(msg, env)
  if type(res) ~= "table" or res.Error ~= nil or not empty(res.Messages)
      or not empty(res.Spawns) or not empty(res.Assignments) then
    return 0, res
  end
  for k in next, res do
    if not ROOT_KEYS[k] then return 0, res end
  end
  local out = res.Output
  if type(out) ~= "table" then return 0, res end
  for k, v in next, out do
    if not OUT_KEYS[k] or not PLAIN[type(v)] then return 0, res end
  end
  return 1, out.data, out.prompt, out.print, out.test, next(out) ~= nil
end

function M.make_msg(fields, names, values)
  local tags = {}
  for i = 1, #names do tags[i] = { name = names[i], value = values[i] } end
  fields.Tags = tags
  return fields
end

function M.make_env(pid, owner, module, module_owner, ...)
  local a = pack(...)
  local tags = {}
  for i = 1, a.n, 2 do tags[#tags + 1] = { name = a[i], value = a[i + 1] } end
  return {
    Process = { Id = pid, Owner = owner, Tags = tags },
    Module = { Id = module, Owner = module_owner, Tags = {} },
  }
end

return M

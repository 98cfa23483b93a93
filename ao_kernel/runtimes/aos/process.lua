-- .process: process.handle(msg, env), the aos runtime's entry point, and the globals
-- learners program against (ao, Handlers, Inbox, Owner, Name, Send, Spawn, Assign,
-- Receive, print, Prompt, Colors, Dump, Utils, Errors, Tab, Version).
--
-- One message, step by step (aos 2.0.6 build behaviour):
--   1  ao.init(env): ids, module, Authority list, fresh outbox
--   2  normalise root keys and tag names (content_type -> Content-Type), then lift
--      every extractable tag onto msg (later duplicates win)
--   3  first message: seed math.random, create Inbox/Errors; set Owner from the
--      process message; Name from the Name tag (default "aos")
--   4  os.time() returns msg.Timestamp; print log reset
--   5  msg.TagArray keeps the tag list, msg.Tags becomes a map (first value wins)
--   6  Content-Type application/json: msg.Data is decoded (bad JSON fails the call)
--   7  untrusted (From ~= Owner and neither in Authority): print, stop
--   8  addressed to another process and not assignable: reply, print, stop
--   9  (re)register _eval, _boot (own message only) and _default; attach
--      msg.reply / msg.forward
--   10 Handlers.evaluate in a new coroutine (it may suspend in Receive)
--   11 error: {Error = prints .. "error:" .. err} (an error value that is neither a
--      string nor a number makes handle itself fail); else Output {data, prompt,
--      print} (an Eval gets {data, prompt, test})
require(".compat")
local json = require("json")
local utils = require(".utils")
local chance = require(".chance")
local format = require(".format")

ao = require(".ao")
Handlers = require(".handlers")
Utils = utils

local process = { _version = "2.0.4" }

Colors = {
  red = "\27[31m", green = "\27[32m", blue = "\27[34m", reset = "\27[0m", gray = "\27[90m",
}
Bell = "\x07"
-- The Inbox keeps the newest 10,000 messages. A local, as in the real module: there is
-- no global to change it (setting INBOX_CAP does nothing there, recording inbox_trim).
local INBOX_CAP = 10000
Dump = format.dump

local rawPrint = print
-- ao-kernel's print stream (the sandbox hands it to the modules it serves, see
-- runtimes/lua.py): each line a message prints also goes to the host as it is printed,
-- so a notebook can show it while the cell runs. It changes nothing the process sees.
local host = select(2, ...)
local stream = type(host) == "table" and host.stream or function() end

-- print(x): one value, coloured by type, into the message's Output and print log.
print = function(a)
  if type(a) == "table" then
    a = format.stringify(a)
  elseif type(a) == "boolean" then
    a = Colors.blue .. tostring(a) .. Colors.reset
  elseif a == nil then
    a = Colors.red .. "nil" .. Colors.reset
  elseif type(a) == "number" then
    a = Colors.green .. tostring(a) .. Colors.reset
  end
  -- any other value (a function, a coroutine) goes on as it is, as in the real
  -- module, and fails the message where the print log is joined (send_shapes)
  if HANDLER_PRINT_LOGS == nil then
    if rawPrint then rawPrint(a) end
    return nil
  end
  local out = ao.outbox.Output
  if type(out) ~= "table" then
    out = {}
    ao.outbox.Output = out
  end
  out.data = out.data and (tostring(out.data) .. "\n" .. a) or a
  out.prompt = Prompt()
  out.print = true
  table.insert(HANDLER_PRINT_LOGS, a)
  stream(a)
  return nil
end

function Prompt()
  return Colors.green .. tostring(Name) .. Colors.gray .. "@" .. Colors.blue .. "aos-"
    .. process._version .. Colors.gray .. "[Inbox:" .. Colors.red .. tostring(#Inbox)
    .. Colors.gray .. "]" .. Colors.reset .. "> "
end

-- Tab(msg): the tag list as a map, the first value of a name winning.
function Tab(msg)
  local map = {}
  for _, t in ipairs(msg.Tags or {}) do
    if map[t.name] == nil then map[t.name] = t.value end
  end
  return map
end

function Version()
  print("version: " .. process._version)
end

function Send(msg)
  if not msg.Target then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  local message = ao.send(msg)
  return {
    output = "Message added to outbox",
    receive = message.receive,
    onReply = message.onReply,
  }
end

function Spawn(...)
  local module, msg
  if select("#", ...) == 1 then
    module, msg = ao._module, (...)
  else
    module, msg = ...
  end
  local spawn = ao.spawn(module, msg or {})
  return {
    output = "Spawn process request added to outbox",
    after = spawn.after,
    receive = spawn.receive,
  }
end

-- Assign prints its message and also returns it, so an Eval of Assign{...} shows it twice.
function Assign(assignment)
  ao.assign(assignment)
  print("Assignment added to outbox.")
  return "Assignment added to outbox."
end

function Receive(pattern)
  return Handlers.receive(pattern)
end

local function insertInbox(msg)
  table.insert(Inbox, msg)
  while #Inbox > INBOX_CAP do table.remove(Inbox, 1) end
end

local evalHandle = require(".eval")(ao)
local bootHandle = require(".boot").handle(ao)
local defaultHandle = require(".default")(insertInbox)
local function evalPattern(m) return m.Action == "Eval" and Owner == m.From end
local function bootPattern(m) return m.Tags.Type == "Process" and Owner == m.From end
local function defaultPattern() return true end

-- The tag list of a message or env.Process, whether still a list or already a map.
local function tagArray(t)
  if type(t.TagArray) == "table" then return t.TagArray end
  return t.Tags or {}
end

local function findTag(list, name)
  for _, tag in ipairs(list) do
    if tag.name == name then return tag.value end
  end
  return nil
end

local normalize = utils.normalize

local rawNext = next

local function normalizeMsg(msg)
  -- Whether any key needs renaming does not depend on the visiting order, so the raw
  -- `next` finds out; renaming itself goes in the fixed `pairs` order (two keys may
  -- normalise to the same name, and the later one must win on every replay).
  local rename = false
  for k in rawNext, msg do
    if normalize(k) ~= k then rename = true; break end
  end
  if rename then
    local renames = {}
    for k in pairs(msg) do
      local nk = normalize(k)
      if nk ~= k then renames[#renames + 1] = k end
    end
    for _, k in ipairs(renames) do
      msg[normalize(k)] = msg[k]
      msg[k] = nil
    end
  end
  for _, t in ipairs(msg.Tags or {}) do t.name = normalize(t.name) end
  ao.normalize(msg)
end

local function initializeState(msg, env)
  if not Seeded then
    -- the first message seeds the generator from its Owner, Module and Id: one that
    -- lacks any of them (every message but the process message has no Module) fails,
    -- as in the real module -- which is what every message after a failed process
    -- message meets, since that message's memory is discarded (on_boot_error)
    local source = msg.Owner .. msg.Module .. msg.Id
    local sum = 0
    for i = 1, #source do sum = sum + source:byte(i) end
    chance.seed(tonumber(msg["Block-Height"] .. sum))
    math.random = function(...)
      local n = select("#", ...)
      if n == 0 then return chance.random() end
      if n == 1 then return chance.integer(1, (...)) end
      local lo, hi = ...
      return chance.integer(lo, hi)
    end
    Seeded = true
  end
  Errors = Errors or {}
  Inbox = Inbox or {}
  if Owner == nil and msg.Id ~= nil and msg.Id == env.Process.Id then
    Owner = findTag(msg.Tags or {}, "From-Process") or msg.From
  end
  if Name == nil then
    Name = findTag(tagArray(env.Process), "Name") or "aos"
  end
end

local function attachReplyForward(msg)
  -- reply sets Target, X-Reference and X-Origin on the caller's table: values the
  -- caller put at its root are overwritten or dropped (recording reply_reference_origin)
  msg.reply = function(replyMsg)
    replyMsg.Target = msg["Reply-To"] or replyMsg.Target or msg.From
    replyMsg["X-Reference"] = msg["X-Reference"] or msg.Reference
    replyMsg["X-Origin"] = msg["X-Origin"]
    return ao.send(replyMsg)
  end
  msg.forward = function(target, extra)
    local out = ao.sanitize(msg)
    for k, v in pairs(extra or {}) do out[k] = v end
    out.Target = target
    out["Reply-To"] = msg["Reply-To"] or msg.From
    out["X-Reference"] = msg["X-Reference"] or msg.Reference
    out["X-Origin"] = msg["X-Origin"] or msg.From
    return ao.send(out)
  end
end

-- The readable part of a handler error's traceback: frames in the user's code.
local function userTraceback()
  local lines = { "stack traceback:" }
  for line in (Handlers._lastTraceback or ""):gmatch("[^\n]+") do
    if line:match("^%s") and not line:find('[string ".', 1, true)
        and not line:find("[C]", 1, true) and not line:find("(...tail calls...)", 1, true) then
      lines[#lines + 1] = line
    end
  end
  if Handlers._lastHandler then
    lines[#lines + 1] = "\tin handler '" .. tostring(Handlers._lastHandler) .. "'"
  end
  return table.concat(lines, "\n")
end

local function failed(msg, err)
  -- Only strings and numbers make an Error result. Any other error value (error({}),
  -- error(nil), error(true), even a table with __tostring) makes process.handle itself
  -- fail, as the real module does: the loader then reports {ok = false} and the
  -- compute unit turns that into an Error (recording error_values).
  if type(err) ~= "string" and type(err) ~= "number" then
    error("attempt to concatenate a " .. type(err) .. " value (local 'result')")
  end
  err = tostring(err)
  if msg.Action == "Eval" then
    table.insert(Errors, err)
    return { Error = table.concat(HANDLER_PRINT_LOGS, "\n") .. "\n\n" .. Colors.red
      .. "error:\n" .. Colors.reset .. err }
  end
  if msg.Action ~= nil then
    print(Colors.red .. "Error" .. Colors.gray .. " handling message with Action = "
      .. tostring(msg.Action) .. Colors.reset)
  else
    print(Colors.red .. "Error" .. Colors.gray .. " handling message " .. Colors.reset)
  end
  print(Colors.green .. err .. Colors.reset)
  print("\n" .. Colors.gray .. userTraceback() .. Colors.reset)
  return ao.result({
    Error = table.concat(HANDLER_PRINT_LOGS, "\n") .. "\n\n" .. Colors.red .. "error:\n"
      .. Colors.reset .. err,
    Messages = {}, Spawns = {}, Assignments = {},
  })
end

function process.handle(msg, env)
  if env.Process == nil and env.env ~= nil then env = env.env end
  ao.init(env)
  normalizeMsg(msg)
  ao.id = env.Process.Id
  initializeState(msg, env)
  HANDLER_PRINT_LOGS = {}
  os.time = function() return msg.Timestamp end

  msg.TagArray = msg.Tags or {}
  msg.Tags = Tab({ Tags = msg.TagArray })
  if env.Process.TagArray == nil then
    env.Process.TagArray = env.Process.Tags or {}
    env.Process.Tags = Tab({ Tags = env.Process.TagArray })
  end
  if msg.Tags["Content-Type"] == "application/json" then
    msg.Data = json.decode(msg.Data)
  end
  ao.clearOutbox()

  if msg.From ~= msg.Owner and not ao.isTrusted(msg) then
    print("Message is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return ao.result({})
  end
  if ao.isAssignment(msg) and not ao.isAssignable(msg) then
    if msg.From ~= ao.id then
      Send({ Target = msg.From, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. tostring(msg.From) .. " - Owner: " .. tostring(msg.Owner))
    return ao.result({})
  end

  Handlers.add("_eval", evalPattern, evalHandle)
  if msg.Id ~= nil and msg.Id == env.Process.Id then
    Handlers.once("_boot", bootPattern, bootHandle)
  end
  Handlers.append("_default", defaultPattern, defaultHandle)
  attachReplyForward(msg)

  Handlers._lastHandler, Handlers._lastTraceback = nil, nil
  -- The coroutine's first answer decides, as in the real module: (true, ...) from the
  -- pcall, or whatever a handler yielded -- Receive yields its (truthy) pattern, a
  -- user's yield(false, "why") is an Error, a bare yield() makes handle itself fail.
  local co = coroutine.create(function() return pcall(Handlers.evaluate, msg, env) end)
  local _, status, result = coroutine.resume(co)
  -- Handlers.coroutines, as the real module keeps it (derived from oracle runs, corpus
  -- sequences receive_reply and coroutine_bookkeeping): every message's coroutine is
  -- appended, finished or not, then one forward pass by index removes dead entries --
  -- and after a removal the entry that slid into that index is not looked at. So
  -- finished coroutines linger (#Handlers.coroutines is 1, not 0, after a Receive
  -- completes), and the count seen inside a handler never includes its own coroutine.
  local list = Handlers.coroutines
  list[#list + 1] = co
  local i = 1
  while list[i] ~= nil do
    if coroutine.status(list[i]) == "dead" then table.remove(list, i) end
    i = i + 1
  end

  if not status then return failed(msg, result) end

  local output = { data = table.concat(HANDLER_PRINT_LOGS, "\n"), prompt = Prompt() }
  if msg.Action == "Eval" then
    output.test = Dump(HANDLER_PRINT_LOGS)
  else
    output.print = true
  end
  local response = ao.result({ Output = output })
  ao.Nonce = msg.Nonce
  return response
end

return process

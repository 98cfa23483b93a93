-- .handlers: the ordered handler registry every aos message runs through.
--
-- Handlers.list holds {name, pattern, handle, maxRuns}. A pattern's result decides:
--   true / negative number / "break"   run the handler and stop
--   positive number / "continue"        run the handler and go on to the next one
--   false / 0 / any other string        skip
-- Anything else (nil included) is an error. "_default" is skipped in the loop and
-- runs last, only when no handler broke.
--
-- The engine follows the real module (aos 2.0.6) where users can see it, checked
-- with tools/aos-oracle (corpus sequences handler_list_mutation, receive_continue_*,
-- handler_maxruns_forms, handler_before_after_args, handler_once_names):
-- * evaluate walks the LIVE list by index. A handler that removes itself (or
--   expires) shifts the list, so the next one is not looked at; a handler added
--   during the message runs for it; a prepend shifts the current handler one place
--   on, so it is met again.
-- * a handle is stored wrapped in a resolver function that passes only msg on.
-- * maxRuns is counted down with plain arithmetic after a successful run and the
--   handler removed when it reaches exactly 0: nil and "inf" are unlimited, 0 and
--   fractions never reach 0, "2" counts as 2, a non-numeric string fails.
-- * Receive suspends the message's coroutine; when the awaited message resumes it,
--   the original message's walk goes on where it was (over the list as it is then)
--   and may end in _default.
local utils = require(".utils")

local handlers = { _version = "0.0.5" }
handlers.utils = require(".handlers-utils")
handlers.list = {}
handlers.coroutines = {}
handlers.onceNonce = 0

local function indexOf(list, name)
  for i, h in ipairs(list) do
    if h.name == name then return i end
  end
  return nil
end

local USAGE = "Invalid arguments given. Expected: \n"
  .. "\tname : string, \tpattern : Action : string | MsgMatch : table,\n"
  .. "\t\tfunction(msg: Message) : {-1 = break, 0 = skip, 1 = continue},\n"
  .. "\thandle(msg : Message) : void) | Resolver,\n"
  .. "\tMaxRuns? : number | \"inf\" | nil"

local patternTypes = { ["function"] = true, table = true, string = true }

local function checkArgs(name, pattern)
  assert(type(name) == "string" and patternTypes[type(pattern)] == true, USAGE)
end

-- A handle as stored: a function gets msg only; a resolver table {[spec] = fn}
-- runs the first fn whose spec matches (pairs order). Anything else fails when run.
function handlers.generateResolver(spec)
  if type(spec) == "function" then
    return function(msg) return spec(msg) end
  end
  return function(msg)
    for pattern, fn in pairs(spec) do
      if utils.matchesSpec(msg, pattern) then return fn(msg) end
    end
  end
end

-- (name, handle) uses name as the pattern; (name, pattern, handle[, maxRuns]).
local function parse(n, a, b, c, d)
  if n == 2 then return a, a, b, nil end
  if n == 3 then return a, b, c, nil end
  return a, b, c, d
end

-- Register or update in place (the same entry table, so a walk in progress sees it).
local function register(atFront, ...)
  local name, pattern, handle, maxRuns = parse(select("#", ...), ...)
  checkArgs(name, pattern)
  handle = handlers.generateResolver(handle)
  local list = handlers.list
  local idx = indexOf(list, name)
  if idx then
    local h = list[idx]
    h.pattern, h.handle, h.maxRuns = pattern, handle, maxRuns
  elseif atFront then
    table.insert(list, 1, { pattern = pattern, handle = handle, name = name, maxRuns = maxRuns })
  else
    list[#list + 1] = { pattern = pattern, handle = handle, name = name, maxRuns = maxRuns }
  end
end

-- Only add returns the handler count (so an Eval of it prints the count).
function handlers.add(...)
  register(false, ...)
  return #handlers.list
end

function handlers.append(...)
  register(false, ...)
end

function handlers.prepend(...)
  register(true, ...)
end

-- Handlers.once([name,] pattern, handle): prepended, maxRuns 1; unnamed ones are
-- _once_0, _once_1, ... (Receive and onReply draw from the same counter).
function handlers.once(...)
  local name, pattern, handle
  if select("#", ...) == 3 then
    name, pattern, handle = ...
  else
    name = "_once_" .. tostring(handlers.onceNonce)
    handlers.onceNonce = handlers.onceNonce + 1
    pattern, handle = ...
  end
  handlers.prepend(name, pattern, handle, 1)
end

-- before(name).add(...) / after(name).add(...): insert next to the handler found
-- when before/after was called, without replacing one of the same name; nothing
-- when it was not found.
local function relative(anchor, offset)
  assert(type(anchor) == "string", "Handler name MUST be a string")
  local idx = indexOf(handlers.list, anchor)
  return {
    add = function(name, pattern, handle, maxRuns)
      checkArgs(name, pattern)
      handle = handlers.generateResolver(handle)
      if idx then
        table.insert(handlers.list, idx + offset,
          { pattern = pattern, handle = handle, name = name, maxRuns = maxRuns })
      end
    end,
  }
end

function handlers.before(name) return relative(name, 0) end
function handlers.after(name) return relative(name, 1) end

-- remove(name): the first handler of that name. Removing the only handler left
-- starts a new, empty list table.
function handlers.remove(name)
  assert(type(name) == "string", "name MUST be string")
  if #handlers.list == 1 and handlers.list[1].name == name then
    handlers.list = {}
  end
  local idx = indexOf(handlers.list, name)
  if idx then table.remove(handlers.list, idx) end
end

-- Handlers.receive(pattern): wait (across messages) for a message matching pattern.
function handlers.receive(pattern)
  local self = coroutine.running()
  handlers.once(pattern, function(msg)
    local _, ok, err = coroutine.resume(self, msg)
    if not ok then error(err) end
  end)
  return coroutine.yield(pattern)
end

-- A pattern result as -1 (break), 0 (skip) or 1 (continue); numbers as they are.
local named = { [true] = -1, [false] = 0, ["continue"] = 1, ["break"] = -1 }
local function decide(match)
  local r = named[match]
  if r then return r end
  local t = type(match)
  if t == "number" then return match end
  if t == "string" then return 0 end
  error("Pattern result is not valid, it MUST be string, number, or boolean")
end

-- The traceback of a failing handle, for the error report (process.lua): ours
-- names the user's frames and the handler; the real module prints its own frames.
local function keepTraceback(err)
  handlers._lastTraceback = debug and debug.traceback and debug.traceback(err, 2) or nil
  return err
end

-- Handlers.evaluate(msg, env): run matching handlers in order; _default if none broke.
function handlers.evaluate(msg, env)
  local handled = false
  assert(type(msg) == "table", "msg is not valid")
  assert(type(env) == "table", "env is not valid")
  for _, h in ipairs(handlers.list) do
    if h.name ~= "_default" then
      local match = decide(utils.matchesSpec(msg, h.pattern))
      if match ~= 0 then
        if match < 0 then handled = true end
        local ok, err = xpcall(h.handle, keepTraceback, msg, env)
        if not ok then
          handlers._lastHandler = h.name
          error(err)
        end
        local runs = h.maxRuns
        if runs ~= nil and runs ~= "inf" then
          runs = runs - 1
          h.maxRuns = runs
          if runs == 0 then handlers.remove(h.name) end
        end
        if match < 0 then return handled end
      end
    end
  end
  if not handled then
    handlers.list[indexOf(handlers.list, "_default")].handle(msg, env)
  end
end

return handlers

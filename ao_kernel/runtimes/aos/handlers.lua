-- .handlers: the ordered handler registry every aos message runs through.
--
-- Handlers.list holds {name, pattern, handle, maxRuns}. A pattern's result decides:
--   true / negative number / "break"   run the handler and stop
--   positive number / "continue"        run the handler and go on to the next one
--   false / 0 / other string            skip
-- Anything else (nil included) is an error. "_default" is skipped in the loop and
-- runs last, only when no handler broke. maxRuns counts runs down; the handler is
-- removed at zero. Handlers.receive suspends the running coroutine until a
-- matching message arrives (the process runs each message in its own coroutine).
local utils = require(".utils")

local handlers = { _version = "0.0.5" }
handlers.utils = require(".handlers-utils")
handlers.list = handlers.list or {}
handlers.coroutines = handlers.coroutines or {}
handlers.onceNonce = handlers.onceNonce or 0

local function findIndex(name)
  for i, h in ipairs(handlers.list) do
    if h.name == name then return i end
  end
  return nil
end

local function checkMaxRuns(maxRuns)
  assert(maxRuns == nil or maxRuns == "inf" or math.type(maxRuns) == "integer",
    "MaxRuns must be a number, 'inf' or nil")
  if maxRuns == "inf" then return nil end
  return maxRuns
end

-- Accept add(name, pattern, handle[, maxRuns]) and add(name, handle).
local function parseArgs(fname, name, pattern, handle, maxRuns)
  if handle == nil and (type(pattern) == "function" or type(pattern) == "table") then
    handle, pattern = pattern, name
  end
  assert(type(name) == "string",
    "invalid arguments: Handlers." .. fname .. "(name : string, pattern : function | table | string, handle : function | table[, maxRuns : number | 'inf'])")
  local pt = type(pattern)
  assert(pt == "function" or pt == "table" or pt == "string",
    "invalid arguments: the pattern of handler '" .. name .. "' must be a function, table or string")
  local ht = type(handle)
  assert(ht == "function" or ht == "table",
    "invalid arguments: the handle of handler '" .. name .. "' must be a function or a resolver table")
  return name, pattern, handle, checkMaxRuns(maxRuns)
end

local function place(position, name, pattern, handle, maxRuns)
  local entry = { name = name, pattern = pattern, handle = handle, maxRuns = maxRuns }
  local idx = findIndex(name)
  if idx then
    handlers.list[idx] = entry
  elseif position == "front" then
    table.insert(handlers.list, 1, entry)
  else
    table.insert(handlers.list, entry)
  end
  return #handlers.list
end

-- Handlers.add: replace in place when the name exists, else append. Only add returns
-- the handler count (so an Eval of it prints the count); append, prepend, once,
-- remove and before/after(...).add return nothing, as in the real module.
function handlers.add(...)
  return place("back", parseArgs("add", ...))
end

function handlers.append(...)
  place("back", parseArgs("append", ...))
end

function handlers.prepend(...)
  place("front", parseArgs("prepend", ...))
end

-- Handlers.once([name,] pattern, handle): a prepended handler that runs once.
function handlers.once(name, pattern, handle)
  if handle == nil then
    handlers.onceNonce = handlers.onceNonce + 1
    name, pattern, handle = "_once_" .. tostring(handlers.onceNonce), name, pattern
  end
  place("front", parseArgs("once", name, pattern, handle, 1))
end

local function relative(target, offset)
  return {
    add = function(name, pattern, handle, maxRuns)
      name, pattern, handle, maxRuns = parseArgs("add", name, pattern, handle, maxRuns)
      local idx = findIndex(target)
      if not idx then return end
      local existing = findIndex(name)
      if existing then table.remove(handlers.list, existing) end
      idx = findIndex(target)
      table.insert(handlers.list, idx + offset,
        { name = name, pattern = pattern, handle = handle, maxRuns = maxRuns })
    end,
  }
end

function handlers.before(name) return relative(name, 0) end
function handlers.after(name) return relative(name, 1) end

function handlers.remove(name)
  assert(type(name) == "string", "name must be a string")
  local idx = findIndex(name)
  if idx then table.remove(handlers.list, idx) end
end

-- A resolver table {[spec] = fn, ...} becomes one function: the first spec (pairs
-- order) whose result is truthy runs -- plain Lua truth, so 0 and "skip" select it
-- too, as in the real module. No match: nothing runs, and the message still counts
-- as handled (it does not reach the Inbox).
function handlers.generateResolver(spec)
  return function(msg, env)
    for pattern, fn in pairs(spec) do
      if utils.matchesSpec(msg, pattern) then return fn(msg, env) end
    end
  end
end

-- Handlers.receive(pattern): wait (across messages) for a message matching pattern.
function handlers.receive(pattern)
  local self = coroutine.running()
  assert(self and coroutine.isyieldable(), "Receive must be called inside a handler")
  handlers.once(pattern, function(msg)
    local ok, status, err = coroutine.resume(self, msg)
    if not ok then error(status, 0) end
    if status == false then error(err, 0) end
  end)
  return coroutine.yield({ waiting = pattern })
end

-- The pattern result as -1 (break), 0 (skip) or 1 (continue).
local results = { [true] = -1, [false] = 0, ["break"] = -1, ["continue"] = 1, ["skip"] = 0 }
local function decide(match)
  local r = results[match]
  if r then return r end
  -- numbers go by their sign (checked against the real module: 7 and 2.5 continue,
  -- -3 breaks, 0.0 skips)
  if type(match) == "number" then
    if match < 0 then return -1 elseif match > 0 then return 1 else return 0 end
  end
  if type(match) == "string" then return 0 end
  error("Pattern result is not valid, it MUST be string, number, or boolean")
end

local function traceback(err)
  handlers._lastTraceback = debug and debug.traceback and debug.traceback(err, 2) or nil
  return err
end

local function run(h, msg, env)
  local fn = h.handle
  if type(fn) == "table" then fn = handlers.generateResolver(fn) end
  handlers._lastTraceback = nil
  local ok, err = xpcall(fn, traceback, msg, env)
  if not ok then
    -- a failing run does not count: the real module leaves maxRuns (and the handler)
    -- as they were, which shows when a failed spawn message is not rolled back (_boot
    -- stays registered)
    handlers._lastHandler = h.name
    error(err)
  end
  if h.maxRuns then
    h.maxRuns = h.maxRuns - 1
    if h.maxRuns <= 0 then handlers.remove(h.name) end
  end
end

-- Handlers.evaluate(msg, env): run matching handlers in order; _default if none broke.
function handlers.evaluate(msg, env)
  local handled = false
  local snapshot = {}
  for i, h in ipairs(handlers.list) do snapshot[i] = h end
  for _, h in ipairs(snapshot) do
    local idx = findIndex(h.name)
    if h.name ~= "_default" and idx and handlers.list[idx] == h then
      local r = decide(utils.matchesSpec(msg, h.pattern))
      if r ~= 0 then run(h, msg, env) end
      if r < 0 then handled = true; break end
    end
  end
  if not handled then
    local idx = findIndex("_default")
    if idx then run(handlers.list[idx], msg, env) end
  end
  return handled
end

return handlers

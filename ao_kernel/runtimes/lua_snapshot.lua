-- Snapshots of one Lua state, taken and restored inside that same state, in place.
--
-- A Lua state cannot be copied from outside, but everything a process can reach is
-- reachable from a few roots (_G, the string metatable, the tables of the trusted base,
-- the host's own references). Lua code can change only two kinds of object: tables (their
-- entries and metatable) and closures (their upvalue cells). So a snapshot records, for
-- every table and closure reachable now, exactly that mutable part, and a restore writes
-- it back into the same objects:
--
-- * a table: a shallow copy of its entries and its metatable (through the raw debug
--   functions, so a __metatable field hides nothing);
-- * a Lua closure: the values of its upvalues (a cell shared by several closures is
--   written once per closure, with the same value);
-- * strings, numbers, booleans, C functions and userdata cannot be changed by Lua code;
--   a dead coroutine neither.
--
-- Objects keep their identity, so host references stay valid and `tostring` of a table
-- reads the same after a restore. Objects made after the snapshot are simply no longer
-- reachable once every older object holds its old contents again.
--
-- The trusted base (every function reachable once the sandbox is built: the standard
-- library and the sandbox's wrappers) is frozen at engine start. Its closures' upvalues
-- are the engine's own machinery (metering, the output buffer), so they are never
-- written back; the process state they hold (the random generator) is saved by the host.
-- The tables of the base are walked like any other (a process may add to `string`).
--
-- A suspended coroutine cannot be captured (its stack is not reachable from Lua), so a
-- snapshot fails, naming it, while one is reachable; the caller falls back to replay.
-- A snapshot stays valid after a restore and can be restored again.
local debug, costatus, G = ...
local getupvalue, setupvalue, getinfo = debug.getupvalue, debug.setupvalue, debug.getinfo
local getmt, setmt = debug.getmetatable, debug.setmetatable
local next, type, rawset, pcall, error, select = next, type, rawset, pcall, error, select

local trusted = setmetatable({}, {__mode = "k"})  -- functions of the base: left alone
local base = setmetatable({}, {__mode = "k"})     -- tables of the base: always walked
-- closure -> upvalues to capture (0 for C and trusted functions); a closure's count
-- never changes, and looking it up is most of the cost of visiting it
local upvalue_count = setmetatable({}, {__mode = "k"})

local mutable = {table = true, ["function"] = true, thread = true}

local M = {}

function M.freeze(...)
  local seen = {}
  local function walk(v)
    local t = type(v)
    if (t ~= "table" and t ~= "function") or seen[v] then return end
    seen[v] = true
    if t == "table" then
      base[v] = true
      for k, x in next, v do walk(k); walk(x) end
      walk(getmt(v))
    else
      trusted[v] = true
    end
  end
  for i = 1, select("#", ...) do walk((select(i, ...))) end
  walk(getmt(""))
end

local function take(roots)
  local tables, contents, metas, nt = {}, {}, {}, 0
  local closures, upvalues, nf = {}, {}, 0
  local seen = {}
  local visit

  local function visit_table(t)
    nt = nt + 1
    local copy = {}
    tables[nt], contents[nt] = t, copy
    local mt = getmt(t)
    metas[nt] = mt or false
    for k, x in next, t do
      copy[k] = x
      -- most keys and values are strings and numbers: look before calling
      if mutable[type(k)] and not seen[k] then visit(k) end
      if mutable[type(x)] and not seen[x] then visit(x) end
    end
    if mt ~= nil then visit(mt) end
  end

  local function visit_function(f)
    local n = upvalue_count[f]
    if n == nil then
      local info = getinfo(f, "Su")
      n = (trusted[f] or info.what == "C") and 0 or info.nups
      upvalue_count[f] = n
    end
    if n == 0 then return end
    local values = {n = n}
    nf = nf + 1
    closures[nf], upvalues[nf] = f, values
    for i = 1, n do
      local _, x = getupvalue(f, i)
      values[i] = x
      if mutable[type(x)] and not seen[x] then visit(x) end
    end
  end

  visit = function(v)
    local t = type(v)
    if t == "table" then
      if seen[v] then return end
      seen[v] = true
      visit_table(v)
    elseif t == "function" then
      if seen[v] then return end
      seen[v] = true
      visit_function(v)
    elseif t == "thread" and costatus(v) ~= "dead" then
      error("a suspended coroutine cannot be captured (a handler waiting in Receive?)", 0)
    end
  end

  visit(roots)
  visit(G)
  visit(getmt(""))
  for t in next, base do visit(t) end
  return {tables = tables, contents = contents, metas = metas, nt = nt,
          closures = closures, upvalues = upvalues, nf = nf}
end

-- snapshot(roots) -> snapshot, objects captured | nil, reason
function M.snapshot(roots)
  local ok, snap = pcall(take, roots)
  if not ok then return nil, snap end
  return snap, snap.nt + snap.nf
end

-- restore(snapshot) -> objects written back
function M.restore(snap)
  local tables, contents, metas = snap.tables, snap.contents, snap.metas
  for i = 1, snap.nt do
    local t, copy = tables[i], contents[i]
    for k in next, t do rawset(t, k, nil) end
    for k, x in next, copy do rawset(t, k, x) end
    local mt = metas[i]
    setmt(t, mt or nil)
  end
  local closures, upvalues = snap.closures, snap.upvalues
  for j = 1, snap.nf do
    local f, values = closures[j], upvalues[j]
    for i = 1, values.n do setupvalue(f, i, values[i]) end
  end
  return snap.nt + snap.nf
end

return M

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
-- * a Lua closure: the values of its upvalue cells (a cell shared by several closures
--   is captured and written once, known by its debug.upvalueid);
-- * strings, numbers, booleans, C functions and userdata cannot be changed by Lua code;
--   a dead coroutine neither.
--
-- Cost. A capture walks everything reachable, so it follows the state's size; two things
-- keep the walk cheap. A *leaf* table (holding no table, closure with upvalues, coroutine
-- or userdata) found equal to its copy from the previous capture reuses that copy: the
-- check is a plain `~=` per entry, which cannot call an __eq since the copy holds no
-- table, and it allocates nothing (copies are never written, so captures share them). A
-- restore compares each table with its copy and writes only what differs (raw equality
-- where the copy holds tables), so it costs a read of the state plus the changes.
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
local upvalueid = debug.upvalueid
local getmt, setmt = debug.getmetatable, debug.setmetatable
local next, type, rawset, rawget, rawequal = next, type, rawset, rawget, rawequal
local pcall, error, select = pcall, error, select

local trusted = setmetatable({}, {__mode = "k"})  -- functions of the base: left alone
local base = setmetatable({}, {__mode = "k"})     -- tables of the base: always walked
-- closure -> the identities of its upvalue cells (false for C and trusted functions). A
-- closure's cells never change (the sandbox has no upvaluejoin), and reading them is
-- most of the cost of visiting a closure; a cell shared by several closures is then
-- captured and written back once.
local cells_of = setmetatable({}, {__mode = "k"})

local mutable = {table = true, ["function"] = true, thread = true}
-- what a leaf holds none of (userdata could have an __eq)
local reference = {table = true, ["function"] = true, thread = true, userdata = true}

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

local function cells(f)
  local ids = cells_of[f]
  if ids == nil then
    local info = getinfo(f, "Su")
    ids = false
    if not trusted[f] and info.what ~= "C" and info.nups > 0 then
      ids = {}
      for i = 1, info.nups do ids[i] = upvalueid(f, i) end
    end
    cells_of[f] = ids
  end
  return ids
end

-- table -> its copy at the last capture where it held no table, function or thread (a
-- leaf); copies are never written, so a table found unchanged reuses its copy, and that
-- is known without looking at types (a leaf copy's values never invoke __eq)
local leaf_copy = setmetatable({}, {__mode = "k"})
local leaf_size = setmetatable({}, {__mode = "k"})  -- leaf copy -> its entries

local function take(roots)
  local tables, contents, sizes, metas, nt = {}, {}, {}, {}, 0
  local leaves = {}  -- i -> true when contents[i] is a leaf copy
  -- one entry per upvalue cell: a closure holding it, its index there, its value
  local owners, slots, values, nc = {}, {}, {}, 0
  local seen, seen_cell = {}, {}
  local visit

  -- visits a referenced object; false when a copy may hold it and stay a leaf (a
  -- function with no upvalue to capture: no __eq, nothing inside it)
  local function holds(v)
    if not seen[v] then visit(v) end
    return type(v) ~= "function" or cells(v) ~= false
  end

  local function visit_table(t)
    nt = nt + 1
    local i = nt  -- visiting what t holds takes the next indices
    tables[i] = t
    local mt = getmt(t)
    metas[i] = mt or false
    local old = leaf_copy[t]
    local copy, n, leaf = nil, 0, true
    if old ~= nil then  -- a leaf last time: unchanged?
      for k, x in next, t do
        if old[k] ~= x then n = -1; break end
        n = n + 1
      end
      if n == leaf_size[old] then
        contents[i], sizes[i], leaves[i] = old, n, true
        if mt ~= nil then visit(mt) end
        return
      end
      -- changed: only entries that differ from the old copy can hold a reference
      copy, n = {}, 0
      for k, x in next, t do
        copy[k] = x
        n = n + 1
        if old[k] ~= x then
          if reference[type(k)] and holds(k) then leaf = false end
          if reference[type(x)] and holds(x) then leaf = false end
        end
      end
    else
      copy = {}
      for k, x in next, t do
        copy[k] = x
        n = n + 1
        -- most keys and values are strings and numbers: look before calling
        if reference[type(k)] and holds(k) then leaf = false end
        if reference[type(x)] and holds(x) then leaf = false end
      end
    end
    contents[i] = copy
    sizes[i] = n
    if leaf then
      leaves[i], leaf_copy[t], leaf_size[copy] = true, copy, n
    else
      leaf_copy[t] = nil
    end
    if mt ~= nil then visit(mt) end
  end

  local function visit_function(f)
    local ids = cells(f)
    if not ids then return end
    for i = 1, #ids do
      local id = ids[i]
      if not seen_cell[id] then
        seen_cell[id] = true
        local _, x = getupvalue(f, i)
        nc = nc + 1
        owners[nc], slots[nc], values[nc] = f, i, x
        if mutable[type(x)] and not seen[x] then visit(x) end
      end
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
  return {tables = tables, contents = contents, sizes = sizes, metas = metas, nt = nt,
          leaves = leaves,
          owners = owners, slots = slots, values = values, nc = nc}
end

-- snapshot(roots) -> snapshot, objects captured | nil, reason
function M.snapshot(roots)
  local ok, snap = pcall(take, roots)
  if not ok then return nil, snap end
  return snap, snap.nt + snap.nc
end

-- restore(snapshot) -> objects written back. A table is compared with its copy and only
-- what differs is written (most tables did not change since the capture).
function M.restore(snap)
  local tables, contents, sizes, metas = snap.tables, snap.contents, snap.sizes, snap.metas
  local leaves = snap.leaves
  for i = 1, snap.nt do
    local t, copy = tables[i], contents[i]
    local kept = 0  -- keys of t the copy has too
    if leaves[i] then  -- no table in the copy: ~= cannot call an __eq
      for k, x in next, t do
        local y = copy[k]
        if x ~= y then rawset(t, k, y) end  -- nil (a key made since) clears it
        if y ~= nil then kept = kept + 1 end
      end
    else
      for k, x in next, t do
        local y = copy[k]
        if not rawequal(x, y) then rawset(t, k, y) end  -- clearing during next is allowed
        if y ~= nil then kept = kept + 1 end
      end
    end
    if kept ~= sizes[i] then  -- keys removed since: put them back
      for k, y in next, copy do
        if rawget(t, k) == nil then rawset(t, k, y) end
      end
    end
    local mt = metas[i]
    if not rawequal(getmt(t), mt or nil) then setmt(t, mt or nil) end
  end
  local owners, slots, values = snap.owners, snap.slots, snap.values
  for j = 1, snap.nc do setupvalue(owners[j], slots[j], values[j]) end
  return snap.nt + snap.nc
end

return M

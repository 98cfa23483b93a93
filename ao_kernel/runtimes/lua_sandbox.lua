-- The trusted bootstrap of every Lua engine (ao_kernel/runtimes/lua.py; one line here, so line numbers match the chunk's).
local poll, fetch_module, S0, S1, S2, S3, STEP, POLL_EVERY, PATTERNS_CODE, emit = ...
local G = _G
local type, select, tostring, error = type, select, tostring, error
local pcall, xpcall, rawget, rawset = pcall, xpcall, rawget, rawset
local setmetatable, getmetatable, load = setmetatable, getmetatable, load
local tointeger, maxinteger = math.tointeger, math.maxinteger
local sethook, traceback, getinfo = debug.sethook, debug.traceback, debug.getinfo
local co_create, co_resume, co_wrap = coroutine.create, coroutine.resume, coroutine.wrap
local utf8len, byte, sub, format = utf8.len, string.byte, string.sub, string.format
local find, gsub = string.find, string.gsub
local concat, pack, unpack, collect = table.concat, table.pack, table.unpack, collectgarbage
-- what lua_patterns.lua sees: the raw library, taken before any wrapper exists
local PATTERN_ENV = {string = {byte = byte, sub = sub, find = find, char = string.char,
  rep = string.rep}, table = {concat = concat, unpack = unpack},
  math = {tointeger = tointeger}, error = error, type = type, tostring = tostring, pcall = pcall}

local ctl = {}

------------------------------------------------------------------ metering
local used, limit, ticks, active, tripped, kind = 0, maxinteger, 0, false, nil, 0
local limit_msg = "compute limit exceeded"

local function trip(k, msg)
  kind, tripped = k, msg
  error(msg, 0)
end

local function hook()
  if not active then return end
  if tripped then error(tripped, 0) end
  used = used + STEP
  if used > limit then trip(2, limit_msg) end
  ticks = ticks + 1
  if ticks >= POLL_EVERY then
    ticks = 0
    local ok, stop = pcall(poll)
    if stop or not ok then trip(3, "interrupted") end
  end
end

local function charge(n)
  used = used + n
  if active and used > limit then trip(2, limit_msg) end
end

local function reraise(ok, ...)
  if tripped then error(tripped, 0) end
  return ok, ...
end

G.pcall = function(f, ...) return reraise(pcall(f, ...)) end
-- An error raised by the hook reaches the message handler while Lua has hooks disabled,
-- so a user handler must never run for it.
G.xpcall = function(f, h, ...)
  return reraise(xpcall(f, function(e)
    if tripped then return e end
    return h(e)
  end, ...))
end
coroutine.resume = function(co, ...) return reraise(co_resume(co, ...)) end
coroutine.create = function(f)
  if type(f) ~= "function" then
    error("bad argument #1 to 'create' (function expected, got " .. type(f) .. ")", 2)
  end
  local co = co_create(f)
  sethook(co, hook, "", STEP)
  return co
end
coroutine.wrap = function(f)
  if type(f) ~= "function" then return co_wrap(f) end
  return co_wrap(function(...)
    sethook(hook, "", STEP)
    return f(...)
  end)
end

------------------------------------------------------------------ deterministic pairs
-- This Lua build seeds its string hash randomly per state, so raw `pairs` order differs
-- from run to run. A process must give the same state on every replay, so `pairs`
-- visits keys in a fixed order: numbers, then strings (each ascending), then booleans,
-- then other keys (their relative order is unspecified). `__pairs` is honoured.
do
  local raw_next, raw_sort = next, table.sort
  local rank = { number = 1, string = 2, boolean = 3 }
  local function before(a, b)
    local ta, tb = type(a), type(b)
    local ra, rb = rank[ta] or 4, rank[tb] or 4
    if ra ~= rb then return ra < rb end
    if ra == 1 or ra == 2 then return a < b end
    if ra == 3 then return (not a) and b end
    return false
  end
  G.pairs = function(t)
    local mt = getmetatable(t)
    if type(mt) == "table" and mt.__pairs then return mt.__pairs(t) end
    if type(t) ~= "table" then
      error("bad argument #1 to 'for iterator' (table expected, got " .. type(t) .. ")", 2)
    end
    local keys, n, kind = {}, 0, nil
    for k in raw_next, t do
      n = n + 1; keys[n] = k
      local tk = type(k)
      if kind == nil then kind = tk elseif kind ~= tk then kind = false end
    end
    if n > 1 then
      -- keys of one type that `<` orders (strings, or numbers) sort in C, without a
      -- Lua comparator call per comparison: same order as `before`, several times faster
      if kind == "string" or kind == "number" then raw_sort(keys) else raw_sort(keys, before) end
    end
    local i = 0
    return function(tbl)
      while true do
        i = i + 1
        local k = keys[i]
        if k == nil then return nil end
        local v = tbl[k]
        if v ~= nil then return k, v end
      end
    end, t, nil
  end
end

-- An argument error of a wrapped library function, worded as Lua words it for the
-- function itself (the wrapper runs it through pcall, so its own message says '?'): the
-- name the caller used, a method call numbering its arguments after the receiver; the
-- global name ('string.rep', 'setmetatable') when called from C (pcall) or by a name
-- Lua cannot see; the caller's position in front. `level` is the wrapper's stack level
-- as seen from here. A wrapper the caller tail-called is gone from the stack: its short
-- name is used, without a position.
local function lib_error(e, short, global, level)
  if tripped then error(tripped, 0) end
  if type(e) ~= "string" then error(e, 0) end
  local info = getinfo(level, "nt")
  local name, method = global, false
  if info and info.istailcall then
    name = short
  elseif info and info.name then
    name, method = info.name, info.namewhat == "method"
  end
  if method then
    local n = tointeger(tonumber(e:match("^bad argument #(%d+) to '%?'") or ""))
    if n == 1 then
      e = gsub(e, "^bad argument #1 to '%?' ", "calling '" .. name .. "' on bad self ", 1)
    elseif n then
      e = gsub(e, "^bad argument #%d+", "bad argument #" .. (n - 1), 1)
    end
  end
  e = gsub(e, "to '%?'", "to '" .. name .. "'", 1)
  local caller = getinfo(level + 1, "S")
  if caller and caller.what ~= "C" and not find(e, "^[^\n]-:%d+: ") then
    error(e, level + 1)
  end
  error(e, 0)
end

-- C functions that copy data: charge by output size, keep the user's error position.
local function guard(lib, name, cost, two, libname)
  local f = lib[name]
  local global = (libname or "string") .. "." .. name
  lib[name] = function(...)
    local ok, r, r2 = pcall(f, ...)
    if not ok then lib_error(r, name, global, 2) end
    charge(cost(r, ...))
    if two then return r, r2 end
    return r
  end
end
-- one instruction per 2 bytes made: about what making and collecting them takes
local function by_len(r) return type(r) == "string" and (#r >> 1) or 0 end
for _, n in ipairs({"rep", "format", "sub", "upper", "lower", "reverse"}) do
  guard(string, n, by_len)
end
guard(string, "gsub", by_len, true)
guard(table, "concat", by_len, false, "table")
guard(table, "sort", function(_, t) return type(t) == "table" and #t or 0 end, false, "table")

-- C functions that read their input or move elements: charged after the call by the work
-- they must have done (a function of the arguments and the result, so deterministic): one
-- instruction per 16 bytes scanned by a search, per 4 bytes decoded by utf8.len, per byte
-- read by tonumber, per element moved; calibrated so that a loop of such calls spends the
-- budget in about the time a plain Lua loop does. A loop of such calls over a huge
-- string or table then runs out of budget like the same work written in Lua would. Small
-- calls (up to SCAN_FREE bytes or elements) are not charged. Errors read as the library's
-- own: the function's name, the caller's position.
do
  local SCAN_FREE = 4096
  local rawlen = rawlen
  local raw_find, raw_gmatch, raw_sub = string.find, string.gmatch, string.sub
  local raw_len8, raw_insert, raw_remove, raw_tonumber = utf8.len, table.insert, table.remove, tonumber

  -- the results of pcall(f, ...) when it succeeded, else the library's own error (see
  -- lib_error); called as an argument from a wrapper, so the wrapper is still on the stack
  local function checked(short, global, ok, ...)
    if ok then return ... end
    lib_error((...), short, global, 3)
  end

  local function first_byte(n, init)
    init = tointeger(init)
    if init == nil or init == 0 then return 1 end
    if init < 0 then init = n + init + 1; if init < 1 then init = 1 end end
    return init
  end

  -- bytes passed over before the match began (or to the end, when there was none)
  local function scanned(s, init, i)
    if type(s) ~= "string" then return 0 end
    local n = #s
    return (i or n + 1) - first_byte(n, init)
  end

  local function found(s, init, i, ...)
    local bytes = scanned(s, init, i)
    if bytes > SCAN_FREE then charge(bytes >> 4) end
    return i, ...
  end

  -- Backtracking: where the C matcher could run far past the budget inside one call (see
  -- lua_patterns.lua), the same match runs in Lua, instruction by instruction.
  local PATTERN_LIMIT = 1 << 24  -- matcher steps a C call may take (some tens of ms)
  local patterns
  local function pattern_lib()
    if patterns == nil then patterns = load(PATTERNS_CODE, "=patterns", "b", PATTERN_ENV)() end
    return patterns
  end
  -- the normalised start when this search must run in Lua, else nil
  local function in_lua(s, p, init, whole)
    if type(s) ~= "string" or type(p) ~= "string" then return nil end
    local i = init
    if i ~= nil then
      i = tointeger(i)
      if i == nil then return nil end  -- C says what is wrong with it
    end
    i = first_byte(#s, i)
    if i > #s + 1 then return nil end
    if #s - i < 8 and #p < 8 then return nil end
    if pattern_lib().safe(s, p, i, PATTERN_LIMIT, whole) then return nil end
    return i
  end
  local function find_in_lua(s, p, i)
    local a, b, caps, n = patterns.find(s, p, i, true)
    if a == nil then return nil end
    return a, b, unpack(caps, 1, n)
  end

  string.find = function(...)
    local s, p, init, plain = ...
    local i = not plain and in_lua(s, p, init)
    if i then return found(s, init, checked("find", "string.find", pcall(find_in_lua, s, p, i))) end
    return found(s, init, checked("find", "string.find", pcall(raw_find, ...)))
  end

  -- string.match is string.find without the positions (the whole match when the pattern
  -- has no captures), which lets it be charged the same way
  local function matched(s, init, i, j, ...)
    local bytes = scanned(s, init, i)
    if bytes > SCAN_FREE then charge(bytes >> 4) end
    if i == nil then return nil end
    if select("#", ...) == 0 then return raw_sub(s, i, j) end
    return ...
  end
  string.match = function(...)
    local s, p, init = ...
    local i = in_lua(s, p, init)
    if i then
      return matched(s, init, checked("match", "string.match", pcall(find_in_lua, s, p, i)))
    end
    return matched(s, init, checked("match", "string.match", pcall(raw_find, ...)))
  end

  -- one full pass over the subject, charged when the iterator is made
  local function iterator(s, it)
    if type(s) == "string" and #s > SCAN_FREE then charge(#s >> 4) end
    return it
  end
  string.gmatch = function(...)
    local s, p = ...
    if in_lua(s, p, 1, true) then
      return iterator(s, checked("gmatch", "string.gmatch", pcall(patterns.gmatch, s, p)))
    end
    return iterator(s, checked("gmatch", "string.gmatch", pcall(raw_gmatch, ...)))
  end

  -- string.gsub (already charged by what it makes, above) runs in Lua on the same terms
  local guarded_gsub = string.gsub
  local repl_types = {string = true, number = true, table = true, ["function"] = true}
  local function replaced(s, r, n)
    charge(by_len(r))
    return r, n
  end
  string.gsub = function(...)
    local s, p, repl, max_n = ...
    if repl_types[type(repl)] and (max_n == nil or tointeger(max_n)) and in_lua(s, p, 1) then
      max_n = max_n == nil and #s + 1 or tointeger(max_n)
      return replaced(s, checked("gsub", "string.gsub", pcall(patterns.gsub, s, p, repl, max_n)))
    end
    return guarded_gsub(...)
  end

  local function counted(cost, ...)
    if cost > SCAN_FREE then charge(cost) end
    return ...
  end
  local function bytes_of(s) return type(s) == "string" and #s or 0 end
  utf8.len = function(...)
    return counted(bytes_of((...)) >> 2, checked("len", "utf8.len", pcall(raw_len8, ...)))
  end
  G.tonumber = function(...)
    return counted(bytes_of((...)), checked("tonumber", "tonumber", pcall(raw_tonumber, ...)))
  end

  -- table.insert(t, pos, v) and table.remove(t, pos) shift the elements after pos
  local function shifted(t, pos)
    if type(t) ~= "table" then return 0 end
    pos = tointeger(pos)
    if pos == nil then return 0 end
    return rawlen(t) - pos
  end
  table.insert = function(...)
    local t, pos = ...
    local moves = select("#", ...) == 3 and shifted(t, pos) or 0
    return counted(moves, checked("insert", "table.insert", pcall(raw_insert, ...)))
  end
  table.remove = function(...)
    local t, pos = ...
    local moves = select("#", ...) > 1 and shifted(t, pos) or 0
    return counted(moves, checked("remove", "table.remove", pcall(raw_remove, ...)))
  end
end

------------------------------------------------------------------ errors and calls
local function handler(e)
  -- a spent budget: no hook may fire again before the run's end (finish turns it off, but a
  -- hook at finish's first instruction would raise outside the protected call)
  if tripped then sethook(); return tripped end
  local msg = e
  if type(e) == "number" then
    msg = tostring(e)
  elseif type(e) ~= "string" then
    local mt = getmetatable(e)
    local ok, s = false, nil
    if type(mt) == "table" and rawget(mt, "__tostring") ~= nil then ok, s = pcall(tostring, e) end
    if ok and type(s) == "string" then msg = s
    else msg = "(error object is a " .. type(e) .. " value)" end
  end
  return {msg, traceback(nil, 2)}
end

local last_n, last1, last2, last3, lastt = 0
local function finish(ok, ...)
  active = false
  sethook()
  if ok then
    last_n = select("#", ...)
    last1, last2, last3 = ...
    if last_n > 3 then lastt = pack(...) else lastt = nil end
    return 0, ...
  end
  if tripped then return kind, tripped end
  return 1, ...
end

local function start()
  used, ticks, tripped, kind, active = 0, 0, nil, 0, true
  sethook(hook, "", STEP)
end

local function finish_nested(ok, ...)
  if ok then return 0, ... end
  if tripped then sethook(hook, "", STEP); return kind, tripped end
  return 1, ...
end

function ctl.run(fn, ...)
  if active then return finish_nested(xpcall(fn, handler, ...)) end
  start()
  return finish(xpcall(fn, handler, ...))
end

function ctl.run_global(name, ...)
  return ctl.run(rawget(G, name), ...)
end

function ctl.compile(src, name)
  return load(src, name, "t", G)
end

function ctl.exec(src, name, ...)
  local fn, err = load(src, name, "t", G)
  if not fn then return 4, err end
  return ctl.run(fn, ...)
end

function ctl.set_limit(n)
  limit = n
  limit_msg = "compute limit exceeded: more than " .. tostring(n) .. " instructions"
end
function ctl.used() return used end

-- Binary-safe access to results and table entries (strings that are not UTF-8).
local BIN = "__ao_binary"
local function wrapbin(v)
  if type(v) == "string" and not utf8len(v) then return {[BIN] = true, v} end
  return v
end
function ctl.last_results()
  local out = {n = last_n}
  local src = lastt or {last1, last2, last3}
  for i = 1, last_n do out[i] = wrapbin(src[i]) end
  return out
end
function ctl.entries(t)
  local out, n = {}, 0
  for k, v in next, t do
    out[n + 1], out[n + 2] = wrapbin(k), wrapbin(v)
    n = n + 2
  end
  out.n = n
  return out
end
function ctl.chunk(holder, i, j) return byte(holder[1], i, j) end
function ctl.len(holder) return #holder[1] end

------------------------------------------------------------------ time
local now_ms = 0
function ctl.set_time(ms) now_ms = ms end

-- run_each(fn, a, b, ...): several calls of fn(a, b, args...) in one crossing, each run
-- exactly as ctl.run runs one (its own budget, its own message time). The rest of the
-- arguments are groups: time (or false: unchanged), count, then count arguments.
-- Answers how many calls failed.
function ctl.run_each(fn, a, b, ...)
  local args = pack(...)
  local i, failed = 1, 0
  while i <= args.n do
    local ms, count = args[i], args[i + 1]
    if ms then now_ms = ms end
    if ctl.run(fn, a, b, unpack(args, i + 2, i + 1 + count)) ~= 0 then failed = failed + 1 end
    i = i + 2 + count
  end
  return failed
end

local DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
local MONTHS = {"January", "February", "March", "April", "May", "June", "July",
                "August", "September", "October", "November", "December"}

local function civil(days)              -- days since 1970-01-01 -> y, m, d
  local z = days + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
  return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
end

local function field(t, k, default)
  local v = rawget(t, k)
  if v == nil then
    if default == nil then error("field '" .. k .. "' missing in date table", 3) end
    return default
  end
  local i = tointeger(v)
  if not i then error("field '" .. k .. "' is not an integer", 3) end
  return i
end

local function time_of(t)
  local y, m = field(t, "year"), field(t, "month")
  local d, h = field(t, "day"), field(t, "hour", 12)
  local mi, s = field(t, "min", 0), field(t, "sec", 0)
  y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
  return ((days_from_civil(y, m, 1) + d - 1) * 24 + h) * 3600 + mi * 60 + s
end

local function broken(secs)
  local days, rem = secs // 86400, secs % 86400
  local y, m, d = civil(days)
  local yday = days - days_from_civil(y, 1, 1) + 1
  return {year = y, month = m, day = d, hour = rem // 3600, min = rem % 3600 // 60,
          sec = rem % 60, wday = (days + 4) % 7 + 1, yday = yday, isdst = false}
end

local function iso_week(t)              -- ISO 8601 week-based year and week
  local wd = (t.wday + 5) % 7           -- Monday = 0
  local y = t.year
  local week = (t.yday - 1 - wd + 10) // 7
  local function weeks_in(yr)
    local jan1 = (days_from_civil(yr, 1, 1) + 3) % 7   -- Monday = 0
    local leap = (yr % 4 == 0 and yr % 100 ~= 0) or yr % 400 == 0
    return (jan1 == 3 or (leap and jan1 == 2)) and 53 or 52
  end
  if week < 1 then y = y - 1; week = weeks_in(y)
  elseif week > weeks_in(y) then y = y + 1; week = 1 end
  return y, week
end

local conv
conv = {
  a = function(t) return sub(DAYS[t.wday], 1, 3) end,
  A = function(t) return DAYS[t.wday] end,
  b = function(t) return sub(MONTHS[t.month], 1, 3) end,
  B = function(t) return MONTHS[t.month] end,
  c = function(t) return format("%s %s %2d %02d:%02d:%02d %d", sub(DAYS[t.wday], 1, 3),
        sub(MONTHS[t.month], 1, 3), t.day, t.hour, t.min, t.sec, t.year) end,
  C = function(t) return format("%02d", t.year // 100) end,
  d = function(t) return format("%02d", t.day) end,
  D = function(t) return format("%02d/%02d/%02d", t.month, t.day, t.year % 100) end,
  e = function(t) return format("%2d", t.day) end,
  F = function(t) return format("%d-%02d-%02d", t.year, t.month, t.day) end,
  g = function(t) local y = iso_week(t); return format("%02d", y % 100) end,
  G = function(t) local y = iso_week(t); return format("%d", y) end,
  H = function(t) return format("%02d", t.hour) end,
  I = function(t) return format("%02d", (t.hour + 11) % 12 + 1) end,
  j = function(t) return format("%03d", t.yday) end,
  m = function(t) return format("%02d", t.month) end,
  M = function(t) return format("%02d", t.min) end,
  n = function() return "\n" end,
  p = function(t) return t.hour < 12 and "AM" or "PM" end,
  r = function(t) return format("%02d:%02d:%02d %s", (t.hour + 11) % 12 + 1, t.min, t.sec,
        t.hour < 12 and "AM" or "PM") end,
  R = function(t) return format("%02d:%02d", t.hour, t.min) end,
  S = function(t) return format("%02d", t.sec) end,
  t = function() return "\t" end,
  T = function(t) return format("%02d:%02d:%02d", t.hour, t.min, t.sec) end,
  u = function(t) return tostring((t.wday + 5) % 7 + 1) end,
  U = function(t) return format("%02d", (t.yday + 6 - (t.wday - 1)) // 7) end,
  V = function(t) local _, w = iso_week(t); return format("%02d", w) end,
  w = function(t) return tostring(t.wday - 1) end,
  W = function(t) return format("%02d", (t.yday + 6 - (t.wday + 5) % 7) // 7) end,
  x = function(t) return format("%02d/%02d/%02d", t.month, t.day, t.year % 100) end,
  X = function(t) return format("%02d:%02d:%02d", t.hour, t.min, t.sec) end,
  y = function(t) return format("%02d", t.year % 100) end,
  Y = function(t) return format("%d", t.year) end,
  z = function() return "+0000" end,
  Z = function() return "GMT" end,
  ["%"] = function() return "%" end,
}

local os_date = function(fmt, secs)
  fmt = fmt == nil and "%c" or fmt
  if type(fmt) ~= "string" then error("bad argument #1 to 'date' (string expected)", 2) end
  if secs == nil then secs = now_ms // 1000
  else
    local i = tointeger(secs)
    if not i then error("bad argument #2 to 'date' (number has no integer representation)", 2) end
    secs = i
  end
  if sub(fmt, 1, 1) == "!" then fmt = sub(fmt, 2) end
  local t = broken(secs)
  if sub(fmt, 1, 2) == "*t" then return t end
  local out, i, n = {}, 1, #fmt
  while i <= n do
    local c = sub(fmt, i, i)
    if c == "%" then
      local spec = sub(fmt, i + 1, i + 1)
      local f = conv[spec]
      if not f then
        error("bad argument #1 to 'date' (invalid conversion specifier '%" .. spec .. "')", 2)
      end
      out[#out + 1] = f(t)
      i = i + 2
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return concat(out)
end

G.os = {
  time = function(t)
    if t == nil then return now_ms end
    if type(t) ~= "table" then error("bad argument #1 to 'time' (table expected)", 2) end
    return time_of(t)
  end,
  clock = function() return used / 1e8 end,
  date = os_date,
  difftime = function(a, b) return (a - (b or 0)) + 0.0 end,
}

------------------------------------------------------------------ math.random
local s0, s1, s2, s3 = S0, S1, S2, S3
local function rotl(x, k) return (x << k) | (x >> (64 - k)) end
local function next64()
  local r = rotl(s1 * 5, 7) * 9
  local t = s1 << 17
  s2 = s2 ~ s0; s3 = s3 ~ s1; s1 = s1 ~ s2; s0 = s0 ~ s3
  s2 = s2 ~ t; s3 = rotl(s3, 45)
  return r
end
local function splitmix(x)
  x = x + -7046029254386353131                      -- 0x9E3779B97F4A7C15
  local z = x
  z = (z ~ (z >> 30)) * -4658895280553007687        -- 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * -7723592293110705685        -- 0x94D049BB133111EB
  return x, z ~ (z >> 31)
end

local function project(ran, n)                      -- uniform in [0, n], n >= 0
  if n & (n + 1) == 0 then return ran & n end
  local lim = n
  lim = lim | (lim >> 1); lim = lim | (lim >> 2); lim = lim | (lim >> 4)
  lim = lim | (lim >> 8); lim = lim | (lim >> 16); lim = lim | (lim >> 32)
  while ran & lim > n do ran = next64() end
  return ran & lim
end

local function intarg(v, i)
  local x = tointeger(v)
  if x == nil then
    if type(v) == "number" then
      error("bad argument #" .. i .. " to 'random' (number has no integer representation)", 3)
    end
    error("bad argument #" .. i .. " to 'random' (number expected, got " .. type(v) .. ")", 3)
  end
  return x
end

math.random = function(...)
  local n = select("#", ...)
  local r = next64()
  local low, up
  if n == 0 then return (r >> 11) * 0x1.0p-53
  elseif n == 1 then low, up = 1, intarg((...), 1)
  elseif n == 2 then local a, b = ...; low, up = intarg(a, 1), intarg(b, 2)
  else error("wrong number of arguments", 2) end
  if low > up then error("bad argument #" .. n .. " to 'random' (interval is empty)", 2) end
  if not (low >= 0 or up <= maxinteger + low) then
    error("bad argument #1 to 'random' (interval too large)", 2)
  end
  return low + project(r, up - low)
end

math.randomseed = function(x)
  local v = tointeger(x)
  if v == nil then
    if type(x) ~= "number" then error("bad argument #1 to 'randomseed' (number expected)", 2) end
    v = string.unpack("<i8", string.pack("<d", x))
  end
  local st = v
  st, s0 = splitmix(st); st, s1 = splitmix(st); st, s2 = splitmix(st); st, s3 = splitmix(st)
end

------------------------------------------------------------------ the host's print stream
-- stream(text): hands one printed line to the host as it is printed (LuaEngine.on_print:
-- a notebook shows a cell's prints while the cell runs). A side channel: it returns
-- nothing and changes nothing Lua can see. It runs the same Lua instructions whether or
-- not the host listens, so metering stays deterministic: only which C function `listen`
-- is differs (emit, into the host, or the harmless `type` while nobody listens, which
-- spares a call into Python per print). Text that is not UTF-8 crosses as its bytes
-- (lupa cannot decode it), 4096 at a time (the C stack stays small), then a nil to end
-- the line. (A line Lua's utf8.len accepts but Python's codec refuses, such as an encoded
-- surrogate, is not streamed; the host then shows it with the result.) Only the modules
-- the host serves get it (as their second argument, see require).
local listen = type
local function listen_bytes(text)
  for i = 1, #text, 4096 do listen(false, byte(text, i, i + 4095)) end
  listen(nil)
end
local function stream(text)
  if type(text) ~= "string" then return end
  if utf8len(text) then pcall(listen, text) else reraise(pcall(listen_bytes, text)) end
end
local HOST = {stream = stream}
function ctl.listen(on) if on then listen = emit else listen = type end end

------------------------------------------------------------------ require
local loaded = {}
local loading = {}
local function canon(k)
  if type(k) == "string" and sub(k, 1, 1) == "." then return sub(k, 2) end
  return k
end
setmetatable(loaded, {
  __index = function(t, k) local c = canon(k); if c ~= k then return rawget(t, c) end end,
  __newindex = function(t, k, v) rawset(t, canon(k), v) end,
})

G.require = function(name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'require' (string expected, got " .. type(name) .. ")", 2)
  end
  local key = canon(name)
  local v = rawget(loaded, key)
  if v ~= nil then return v end
  if loading[key] then error("loop or previous error loading module '" .. name .. "'", 2) end
  -- the host's answer never reaches Lua as a host object: a failure is a plain "not found"
  local fetched, code, err = pcall(fetch_module, key)
  if not fetched then code, err = nil, nil end
  if code == nil then error(type(err) == "string" and err or ("module '" .. name .. "' not found"), 2) end
  local fn, lerr = load(code, "." .. key, "b", G)
  if not fn then error(lerr, 2) end
  loading[key] = true
  local ok, res = pcall(fn, key, HOST)  -- where Lua passes a file name
  loading[key] = nil
  if tripped then error(tripped, 0) end
  if not ok then error(res, 0) end
  if res == nil then res = rawget(loaded, key) end
  if res == nil then res = true end
  rawset(loaded, key, res)
  return res
end

------------------------------------------------------------------ the rest of the sandbox
G.load = function(chunk, name, mode, ...)
  if mode ~= nil and mode ~= "t" and not find(tostring(mode), "t", 1, true) then
    return nil, "attempt to load a binary chunk (mode is '" .. tostring(mode) .. "')"
  end
  if select("#", ...) > 0 then return load(chunk, name, "t", ...) end
  return load(chunk, name, "t")
end

G.setmetatable = function(...)
  local t, mt = ...
  local gc = type(mt) == "table" and rawget(mt, "__gc") or nil
  if gc ~= nil then rawset(mt, "__gc", nil) end
  local ok, r = pcall(setmetatable, ...)
  if gc ~= nil then rawset(mt, "__gc", gc) end
  if not ok then lib_error(r, "setmetatable", "setmetatable", 2) end
  return r
end

G.collectgarbage = function(opt, arg)
  opt = opt == nil and "collect" or opt
  if opt == "collect" then
    charge(tointeger(collect("count") // 1) or 0)
    return collect("collect")
  elseif opt == "count" or opt == "step" or opt == "isrunning" then
    return collect(opt, arg)
  end
  error("bad argument #1 to 'collectgarbage' (option '" .. tostring(opt) ..
        "' is not allowed in the sandbox)", 2)
end

local out = {}
G.print = function(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  out[#out + 1] = concat(parts, "\t")
end
function ctl.rng_state() return s0, s1, s2, s3 end
function ctl.set_rng_state(a, b, c, d) s0, s1, s2, s3 = a, b, c, d end
function ctl.drain_output()
  local o = out
  out = {}
  return o
end

G.debug = {
  traceback = traceback,
  getinfo = function(a, b, c)
    local co
    if type(a) == "thread" then co, a, b = a, b, c end
    local what = b == nil and "nSltu" or gsub(tostring(b), "[fL>]", "")
    if co == nil and type(a) == "number" then a = a + 1 end   -- skip this wrapper's frame
    local info
    if co then info = getinfo(co, a, what) else info = getinfo(a, what) end
    return info
  end,
}

string.dump = nil
G.io, G.dofile, G.loadfile, G.python, G.package = nil, nil, nil, nil, nil
for _, k in ipairs({"_G", "string", "table", "math", "coroutine", "utf8", "os", "debug"}) do
  rawset(loaded, k, G[k])
end
G.package = {loaded = loaded}
rawset(loaded, "package", G.package)
return ctl

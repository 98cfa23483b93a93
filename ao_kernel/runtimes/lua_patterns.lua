-- Lua 5.3's pattern matching, written in Lua so that it runs under the instruction budget.
--
-- The library's matcher is C: one call of string.find can backtrack for minutes
-- (string.find(string.rep("a", 4000), "a-a-b") takes over a minute) and the budget, which
-- counts Lua instructions, never sees it. The sandbox therefore estimates, before a call,
-- how much backtracking the subject allows (`bound` below); past a threshold the call
-- runs here instead, where every step is a counted Lua instruction, so a pathological
-- pattern spends the budget and stops like any loop. Results and error messages are the
-- C matcher's, case for case (tests/runtimes/test_lua_patterns.py compares the two).
--
-- Positions are 1-based byte indexes; `e` is one past the last subject byte.
local byte, sub, find, char = string.byte, string.sub, string.find, string.char
local error, type, tostring, tointeger = error, type, tostring, math.tointeger
local concat, unpack, rep_ = table.concat, table.unpack, string.rep

local MAXCCALLS = 200
local MAXCAPTURES = 32
local UNFINISHED, POSITION = -1, -2
local ESC, OPEN, CLOSE = 37, 40, 41          -- % ( )
local LBRACKET, RBRACKET, CARET, DOLLAR = 91, 93, 94, 36
local DOT, STAR, PLUS, MINUS, QUESTION = 46, 42, 43, 45, 63

-- the C library's character classes, in the C locale
local function is_class(c, cl)
  local lower = cl | 32
  local res
  if lower == 97 then      -- a: letters
    res = (c >= 65 and c <= 90) or (c >= 97 and c <= 122)
  elseif lower == 99 then  -- c: control characters
    res = c < 32 or c == 127
  elseif lower == 100 then -- d: digits
    res = c >= 48 and c <= 57
  elseif lower == 103 then -- g: printable except space
    res = c > 32 and c < 127
  elseif lower == 108 then -- l: lower case
    res = c >= 97 and c <= 122
  elseif lower == 112 then -- p: punctuation
    res = (c >= 33 and c <= 47) or (c >= 58 and c <= 64) or (c >= 91 and c <= 96)
      or (c >= 123 and c <= 126)
  elseif lower == 115 then -- s: space
    res = c == 32 or (c >= 9 and c <= 13)
  elseif lower == 117 then -- u: upper case
    res = c >= 65 and c <= 90
  elseif lower == 119 then -- w: letters and digits
    res = (c >= 48 and c <= 57) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122)
  elseif lower == 120 then -- x: hexadecimal digits
    res = (c >= 48 and c <= 57) or (c >= 65 and c <= 70) or (c >= 97 and c <= 102)
  else
    return cl == c
  end
  if cl >= 65 and cl <= 90 then return not res end
  return res
end

local M = {}

-- A match state: subject s (length ls), pattern p (length lp), captures.
local function new_state(s, p)
  return {s = s, ls = #s, p = p, lp = #p, level = 0, depth = MAXCCALLS,
          cinit = {}, clen = {}}
end

local function class_end(ms, pi)
  local p, lp = ms.p, ms.lp
  local c = byte(p, pi)
  pi = pi + 1
  if c == ESC then
    if pi > lp then error("malformed pattern (ends with '%')", 0) end
    return pi + 1
  elseif c == LBRACKET then
    if byte(p, pi) == CARET then pi = pi + 1 end
    repeat
      if pi > lp then error("malformed pattern (missing ']')", 0) end
      local cc = byte(p, pi)
      pi = pi + 1
      if cc == ESC and pi <= lp then pi = pi + 1 end
    until byte(p, pi) == RBRACKET
    return pi + 1
  end
  return pi
end

-- does byte c match the set starting at pi ('[') and ending at ec (its ']')?
local function match_bracket(ms, c, pi, ec)
  local p = ms.p
  local sig = true
  if byte(p, pi + 1) == CARET then
    sig = false
    pi = pi + 1
  end
  pi = pi + 1
  while pi < ec do
    local pc = byte(p, pi)
    if pc == ESC then
      pi = pi + 1
      if is_class(c, byte(p, pi)) then return sig end
    elseif byte(p, pi + 1) == MINUS and pi + 2 < ec then
      if pc <= c and c <= byte(p, pi + 2) then return sig end
      pi = pi + 2
    elseif pc == c then
      return sig
    end
    pi = pi + 1
  end
  return not sig
end

local function single_match(ms, si, pi, ep)
  if si > ms.ls then return false end
  local c = byte(ms.s, si)
  local pc = byte(ms.p, pi)
  if pc == DOT then return true
  elseif pc == ESC then return is_class(c, byte(ms.p, pi + 1))
  elseif pc == LBRACKET then return match_bracket(ms, c, pi, ep - 1)
  end
  return pc == c
end

local do_match

local function max_expand(ms, si, pi, ep)
  local i = 0
  while single_match(ms, si + i, pi, ep) do i = i + 1 end
  while i >= 0 do
    local res = do_match(ms, si + i, ep + 1)
    if res then return res end
    i = i - 1
  end
  return nil
end

local function min_expand(ms, si, pi, ep)
  while true do
    local res = do_match(ms, si, ep + 1)
    if res then return res end
    if single_match(ms, si, pi, ep) then si = si + 1 else return nil end
  end
end

local function start_capture(ms, si, pi, what)
  local level = ms.level
  if level >= MAXCAPTURES then error("too many captures", 0) end
  ms.cinit[level + 1] = si
  ms.clen[level + 1] = what
  ms.level = level + 1
  local res = do_match(ms, si, pi)
  if not res then ms.level = ms.level - 1 end
  return res
end

local function end_capture(ms, si, pi)
  local l = nil
  for i = ms.level, 1, -1 do
    if ms.clen[i] == UNFINISHED then l = i break end
  end
  if not l then error("invalid pattern capture", 0) end
  ms.clen[l] = si - ms.cinit[l]
  local res = do_match(ms, si, pi)
  if not res then ms.clen[l] = UNFINISHED end
  return res
end

local function match_balance(ms, si, pi)
  if pi >= ms.lp then error("malformed pattern (missing arguments to '%b')", 0) end
  local s = ms.s
  if si > ms.ls or byte(s, si) ~= byte(ms.p, pi) then return nil end
  local b, e = byte(ms.p, pi), byte(ms.p, pi + 1)
  local cont = 1
  si = si + 1
  while si <= ms.ls do
    local c = byte(s, si)
    if c == e then
      cont = cont - 1
      if cont == 0 then return si + 1 end
    elseif c == b then
      cont = cont + 1
    end
    si = si + 1
  end
  return nil
end

local function match_capture(ms, si, l)
  l = l - 48  -- '1' -> 1
  if l < 1 or l > ms.level or ms.clen[l] == UNFINISHED then
    error("invalid capture index %" .. (l), 0)
  end
  local len = ms.clen[l]
  if len == POSITION then return nil end  -- as the C code's unsigned length compare does
  local init = ms.cinit[l]
  if ms.ls - si + 1 >= len and sub(ms.s, init, init + len - 1) == sub(ms.s, si, si + len - 1) then
    return si + len
  end
  return nil
end

do_match = function(ms, si, pi)
  ms.depth = ms.depth - 1
  if ms.depth < 0 then error("pattern too complex", 0) end
  local p, lp = ms.p, ms.lp
  while true do
    if pi > lp then break end
    local pc = byte(p, pi)
    local default = false
    if pc == OPEN then
      if byte(p, pi + 1) == CLOSE then si = start_capture(ms, si, pi + 2, POSITION)
      else si = start_capture(ms, si, pi + 1, UNFINISHED) end
      break
    elseif pc == CLOSE then
      si = end_capture(ms, si, pi + 1)
      break
    elseif pc == DOLLAR and pi == lp then
      if si ~= ms.ls + 1 then si = nil end
      break
    elseif pc == ESC then
      local nc = byte(p, pi + 1)
      if nc == 98 then -- %b
        si = match_balance(ms, si, pi + 2)
        if si then pi = pi + 4 else break end
      elseif nc == 102 then -- %f
        pi = pi + 2
        if byte(p, pi) ~= LBRACKET then error("missing '[' after '%f' in pattern", 0) end
        local ep = class_end(ms, pi)
        local prev = si == 1 and 0 or byte(ms.s, si - 1)
        local cur = si <= ms.ls and byte(ms.s, si) or 0
        if not match_bracket(ms, prev, pi, ep - 1) and match_bracket(ms, cur, pi, ep - 1) then
          pi = ep
        else
          si = nil
          break
        end
      elseif nc and nc >= 48 and nc <= 57 then -- %0-%9
        si = match_capture(ms, si, nc)
        if si then pi = pi + 2 else break end
      else
        default = true
      end
    else
      default = true
    end
    if default then
      local ep = class_end(ms, pi)
      local epc = byte(p, ep)
      if not single_match(ms, si, pi, ep) then
        if epc == STAR or epc == QUESTION or epc == MINUS then
          pi = ep + 1
        else
          si = nil
          break
        end
      else
        if epc == QUESTION then
          local res = do_match(ms, si + 1, ep + 1)
          if res then si = res break end
          pi = ep + 1
        elseif epc == PLUS then
          si = max_expand(ms, si + 1, pi, ep)
          break
        elseif epc == STAR then
          si = max_expand(ms, si, pi, ep)
          break
        elseif epc == MINUS then
          si = min_expand(ms, si, pi, ep)
          break
        else
          si = si + 1
          pi = ep
        end
      end
    end
  end
  ms.depth = ms.depth + 1
  return si
end

local function one_capture(ms, i, si, ei)
  if i > ms.level then
    if i ~= 1 then error("invalid capture index %" .. i, 0) end
    return sub(ms.s, si, ei - 1)
  end
  local l = ms.clen[i]
  if l == UNFINISHED then error("unfinished capture", 0) end
  local init = ms.cinit[i]
  if l == POSITION then return init end
  return sub(ms.s, init, init + l - 1)
end

local function captures(ms, si, ei, whole)
  local n = ms.level
  if n == 0 and whole then n = 1 end
  local out = {}
  for i = 1, n do out[i] = one_capture(ms, i, si, ei) end
  return out, n
end

local function reprep(ms)
  ms.level = 0
  ms.depth = MAXCCALLS
end

-- find/match on a string subject and a string pattern, init already normalised to
-- 1..#s + 1; answers (start, end, captures) for find and captures (or the whole
-- match) for match, as lists, or nil
function M.find(s, p, init, is_find)
  if is_find and not find(p, "[%^%$%*%+%?%.%(%[%%%-]") then
    -- no special characters: the library searches for the text itself
    local a, b = find(s, p, init, true)
    if a == nil then return nil end
    return a, b, {}, 0
  end
  local anchor = byte(p, 1) == CARET
  if anchor then p = sub(p, 2) end
  local ms = new_state(s, p)
  local si = init
  repeat
    reprep(ms)
    local e = do_match(ms, si, 1)
    if e then
      if is_find then
        local caps, n = captures(ms, nil, nil, false)
        return si, e - 1, caps, n
      end
      return nil, nil, captures(ms, si, e, true)
    end
    si = si + 1
  until si > ms.ls + 1 or anchor
  return nil
end

-- the iterator string.gmatch returns
function M.gmatch(s, p)
  local ms = new_state(s, p)
  local src, last = 1, nil
  return function()
    while src <= ms.ls + 1 do
      reprep(ms)
      local e = do_match(ms, src, 1)
      if e and e ~= last then
        local start = src
        src, last = e, e
        local caps, n = captures(ms, start, e, true)
        return unpack(caps, 1, n)
      end
      src = src + 1
    end
    return nil
  end
end

local function add_string(ms, parts, si, ei, repl)
  local i, n = 1, #repl
  while i <= n do
    local c = byte(repl, i)
    if c == ESC then
      i = i + 1
      local d = byte(repl, i)
      if d == ESC then
        parts[#parts + 1] = "%"
      elseif d and d >= 48 and d <= 57 then
        local v
        if d == 48 then v = sub(ms.s, si, ei - 1)
        else v = one_capture(ms, d - 48, si, ei) end
        parts[#parts + 1] = type(v) == "number" and tostring(v) or v
      else
        error("invalid use of '%' in replacement string", 0)
      end
    else
      parts[#parts + 1] = char(c)
    end
    i = i + 1
  end
end

-- string.gsub on a string subject; repl already checked (string, number, table, function)
function M.gsub(s, p, repl, max_n)
  local anchor = byte(p, 1) == CARET
  if anchor then p = sub(p, 2) end
  local ms = new_state(s, p)
  local parts, n, src, last = {}, 0, 1, nil
  local tr = type(repl)
  while n < max_n do
    reprep(ms)
    local e = do_match(ms, src, 1)
    if e and e ~= last then
      n = n + 1
      if tr == "string" or tr == "number" then
        add_string(ms, parts, src, e, tostring(repl))
      else
        local key = one_capture(ms, 1, src, e)
        local v
        if tr == "table" then
          v = repl[key]
        else
          local caps, cn = captures(ms, src, e, true)
          v = (repl(unpack(caps, 1, cn)))
        end
        if not v then
          parts[#parts + 1] = sub(s, src, e - 1)
        elseif type(v) == "string" or type(v) == "number" then
          parts[#parts + 1] = tostring(v)
        else
          error("invalid replacement value (a " .. type(v) .. ")", 0)
        end
      end
      src, last = e, e
    elseif src <= ms.ls then
      parts[#parts + 1] = sub(s, src, src)
      src = src + 1
    else
      break
    end
    if anchor then break end
  end
  parts[#parts + 1] = sub(s, src)
  return concat(parts), n
end

-- Whether the C matcher is safe for pattern p on subject s from init: its work is at most
-- the start positions it tries times, for every repeated item, the longest run of the
-- subject that item can match plus one (twice for an optional item; the subject's length
-- for %b and back-references). When even the subject's length in place of every run stays
-- under `limit`, that is decided without looking at the subject; otherwise each repeated
-- item is looked for, in C, as a run of the length that would pass the limit (a cheap
-- search: it stops at the first mismatch of each try). Patterns are analysed once.
local analysed, nanalysed = {}, 0

local function analyse(p)
  local a = analysed[p]
  if a then return a end
  local ms = new_state("", p)
  local anchor = byte(p, 1) == CARET
  local pi = anchor and 2 or 1
  local items, long, opt = {}, 0, 0
  while pi <= ms.lp do
    local pc = byte(p, pi)
    local nc = byte(p, pi + 1)
    if pc == OPEN or pc == CLOSE then
      pi = pi + 1
    elseif pc == ESC and nc == 98 then
      long = long + 1
      pi = pi + 4
    elseif pc == ESC and nc and nc >= 48 and nc <= 57 then
      long = long + 1
      pi = pi + 2
    elseif pc == ESC and nc == 102 then
      pi = class_end(ms, pi + 2)
    else
      local ep = class_end(ms, pi)
      local q = byte(p, ep)
      if q == STAR or q == PLUS or q == MINUS then
        items[#items + 1] = sub(p, pi, ep - 1)
        pi = ep + 1
      elseif q == QUESTION then
        opt = opt + 1
        pi = ep + 1
      else
        pi = ep
      end
    end
  end
  a = {anchor = anchor, items = items, long = long, opt = opt}
  if nanalysed >= 1000 then analysed, nanalysed = {}, 0 end
  analysed[p] = a
  nanalysed = nanalysed + 1
  return a
end

function M.safe(s, p, init, limit, whole)
  local ok, a = pcall(analyse, p)
  if not ok then return true end  -- a malformed pattern: C says what is wrong at once
  local items = a.items
  local n = #items
  if n == 0 and a.long == 0 then return true end
  local len = #s - init + 1
  if len < 0 then return true end
  -- gmatch tries every position whatever the pattern starts with
  local positions = (a.anchor and not whole) and 1 or len + 1
  local total = positions * (2 ^ a.opt) * ((len + 1) ^ a.long)
  if total > limit then return false end
  if total * (len + 1) ^ n <= limit then return true end
  -- the longest run of each repeated item, found by doubling (each try a C search that
  -- stops at the first mismatch), as long as the product can still pass the limit
  for i = 1, n do
    local item, k = items[i], 1
    while k <= len and find(s, rep_(item, k), init) do k = k * 2 end
    -- every run of this item is shorter than k
    total = total * k
    if total > limit then return false end
  end
  return true
end

return M

-- .bint: fixed-width two's complement integers for aos processes.
--
-- Written for ao-kernel from the documented and observed behaviour of the module that aos
-- processes load with `require('.bint')(256)`: calling the module with a bit width returns a
-- class table `bint`; `bint(x)` builds a value from an integer, an integral float, a decimal /
-- 0x / 0b string or another bint; values are tables of 32-bit words (little-endian) with
-- arithmetic, comparison, bitwise and conversion operators. Arithmetic wraps at the width,
-- exactly like the hardware integers it emulates (2^256 - 1 reads back as -1).
local WORDBITS = 32
local WORDMASK = 0xffffffff
local math_type = math.type

local cache = {}

local function newmodule(bits)
  bits = bits or 256
  assert(bits % WORDBITS == 0, 'bitsize is not multiple of word bitsize')
  if cache[bits] then return cache[bits] end
  local N = bits // WORDBITS

  local bint = {}
  bint.__index = bint
  bint.bits = bits

  local function raw()
    return setmetatable({}, bint)
  end

  local function isbint(x)
    return getmetatable(x) == bint
  end
  bint.isbint = isbint

  function bint.zero()
    local r = raw()
    for i = 1, N do r[i] = 0 end
    return r
  end

  function bint.one()
    local r = bint.zero()
    r[1] = 1
    return r
  end

  local function copy(x)
    local r = raw()
    for i = 1, N do r[i] = x[i] end
    return r
  end

  -- from a Lua integer (sign-extended to the full width)
  function bint.frominteger(v)
    local r = raw()
    local fill = v < 0 and WORDMASK or 0
    for i = 1, N do
      if i <= 2 then
        r[i] = v & WORDMASK
        v = v >> WORDBITS
      else
        r[i] = fill
      end
    end
    if N == 1 then return r end
    return r
  end

  function bint.fromuinteger(v)
    local r = raw()
    for i = 1, N do
      if i <= 2 then
        r[i] = v & WORDMASK
        v = v >> WORDBITS
      else
        r[i] = 0
      end
    end
    return r
  end

  local function isneg(x)
    return (x[N] >> (WORDBITS - 1)) == 1
  end

  local function iszero(x)
    for i = 1, N do
      if x[i] ~= 0 then return false end
    end
    return true
  end

  -- in-place helpers --------------------------------------------------------------------
  local function add_into(r, x, y)
    local carry = 0
    for i = 1, N do
      local s = x[i] + y[i] + carry
      r[i] = s & WORDMASK
      carry = s >> WORDBITS
    end
    return r
  end

  local function sub_into(r, x, y)
    local borrow = 0
    for i = 1, N do
      local d = x[i] - y[i] - borrow
      if d < 0 then
        d = d + (WORDMASK + 1)
        borrow = 1
      else
        borrow = 0
      end
      r[i] = d
    end
    return r
  end

  local function neg(x)
    local r = raw()
    local carry = 1
    for i = 1, N do
      local s = ((~x[i]) & WORDMASK) + carry
      r[i] = s & WORDMASK
      carry = s >> WORDBITS
    end
    return r
  end

  local function abs(x)
    if isneg(x) then return neg(x) end
    return copy(x)
  end

  local function ucompare(x, y)
    for i = N, 1, -1 do
      if x[i] ~= y[i] then
        return x[i] < y[i] and -1 or 1
      end
    end
    return 0
  end

  local function scompare(x, y)
    local xn, yn = isneg(x), isneg(y)
    if xn ~= yn then return xn and -1 or 1 end
    return ucompare(x, y)
  end

  local function shl(x, n)
    if n < 0 then return nil end
    local r = bint.zero()
    if n >= bits then return r end
    local ws, bs = n // WORDBITS, n % WORDBITS
    for i = N, 1, -1 do
      local src = i - ws
      if src >= 1 then
        local v = (x[src] << bs) & WORDMASK
        if bs > 0 and src - 1 >= 1 then
          v = v | (x[src - 1] >> (WORDBITS - bs))
        end
        r[i] = v
      end
    end
    return r
  end

  local function shr(x, n)
    local r = bint.zero()
    if n >= bits then return r end
    local ws, bs = n // WORDBITS, n % WORDBITS
    for i = 1, N do
      local src = i + ws
      if src <= N then
        local v = x[src] >> bs
        if bs > 0 and src + 1 <= N then
          v = v | ((x[src + 1] << (WORDBITS - bs)) & WORDMASK)
        end
        r[i] = v
      end
    end
    return r
  end

  local function umul(x, y)
    local r = {}
    for i = 1, N do r[i] = 0 end
    for i = 1, N do
      local xi = x[i]
      if xi ~= 0 then
        local carry = 0
        for j = 1, N - i + 1 do
          local k = i + j - 1
          -- (2^32-1)^2 + 2*(2^32-1) < 2^64: exact as an unsigned 64-bit value
          local p = xi * y[j] + r[k] + carry
          r[k] = p & WORDMASK
          carry = p >> WORDBITS
        end
      end
    end
    return setmetatable(r, bint)
  end

  -- unsigned division with remainder
  local function udivmod(x, y)
    if iszero(y) then error('attempt to divide by zero', 2) end
    -- single small word divisor: fast path
    local small = y[1] < 0x80000000
    if small then
      for i = 2, N do
        if y[i] ~= 0 then small = false break end
      end
    end
    if small then
      local d = y[1]
      local q = raw()
      local rem = 0
      for i = N, 1, -1 do
        local cur = (rem << WORDBITS) | x[i]
        q[i] = cur // d
        rem = cur % d
      end
      return q, bint.frominteger(rem)
    end
    if ucompare(x, y) < 0 then
      return bint.zero(), copy(x)
    end
    local q = bint.zero()
    local r = bint.zero()
    for bit = bits - 1, 0, -1 do
      -- r = (r << 1) | bit of x
      local carry = (x[bit // WORDBITS + 1] >> (bit % WORDBITS)) & 1
      for i = 1, N do
        local v = (r[i] << 1) | carry
        carry = (r[i] >> (WORDBITS - 1)) & 1
        r[i] = v & WORDMASK
      end
      if ucompare(r, y) >= 0 then
        sub_into(r, r, y)
        local w = bit // WORDBITS + 1
        q[w] = q[w] | (1 << (bit % WORDBITS))
      end
    end
    return q, r
  end

  -- conversions -------------------------------------------------------------------------
  local function digitval(c)
    local b = c:byte()
    if b >= 48 and b <= 57 then return b - 48 end
    if b >= 97 and b <= 122 then return b - 87 end
    if b >= 65 and b <= 90 then return b - 55 end
    return nil
  end

  function bint.frombase(s, base)
    if type(s) ~= 'string' then return nil end
    base = base or 10
    if not (math_type(base) == 'integer' and base >= 2 and base <= 36) then return nil end
    local sign, digits = s:lower():match('^([+-]?)([0-9a-z]+)$')
    if not digits then return nil end
    local r = bint.zero()
    local b = bint.frominteger(base)
    for c in digits:gmatch('.') do
      local d = digitval(c)
      if d == nil or d >= base then return nil end
      r = umul(r, b)
      add_into(r, r, bint.frominteger(d))
    end
    if sign == '-' then r = neg(r) end
    return r
  end

  function bint.fromstring(s)
    if type(s) ~= 'string' then return nil end
    local sign, body = s:match('^%s*([+-]?)(.-)%s*$')
    local r
    if body:find('^0[xX]') then
      r = bint.frombase(body:sub(3), 16)
    elseif body:find('^0[bB]') then
      r = bint.frombase(body:sub(3), 2)
    else
      r = bint.frombase(body, 10)
    end
    if r == nil then return nil end
    if sign == '-' then r = neg(r) end
    return r
  end

  function bint.frombe(s)
    local r = bint.zero()
    for i = 1, #s do
      r = shl(r, 8)
      r[1] = r[1] | s:byte(i)
    end
    return r
  end

  function bint.fromle(s)
    return bint.frombe(s:reverse())
  end

  -- convert a value to a bint, or nil when it cannot be represented exactly
  local function tobint(x, clone)
    if isbint(x) then
      if clone then return copy(x) end
      return x
    end
    local t = math_type(x)
    if t == 'integer' then
      return bint.frominteger(x)
    elseif t == 'float' then
      local i = math.tointeger(x)
      if i then return bint.frominteger(i) end
      return nil
    elseif type(x) == 'string' then
      return bint.fromstring(x)
    end
    return nil
  end
  bint.tobint = tobint

  function bint.parse(x, clone)
    local r = tobint(x, clone)
    if r ~= nil then return r end
    return tonumber(x)
  end

  function bint.new(x)
    local r = tobint(x, true)
    if r == nil then
      error('value cannot be represented by a bint', 2)
    end
    return r
  end

  local function tointeger_raw(x)
    -- low 64 bits as a Lua integer (wrapping)
    local v = x[1]
    if N >= 2 then v = v | (x[2] << WORDBITS) end
    return v
  end

  local function fits_int64(x)
    local fill = isneg(x) and WORDMASK or 0
    for i = 3, N do
      if x[i] ~= fill then return false end
    end
    if N >= 2 then
      local top = (x[2] >> (WORDBITS - 1)) & 1
      return (fill == WORDMASK) == (top == 1)
    end
    return true
  end

  function bint.touinteger(x)
    x = tobint(x)
    if not x then return nil end
    return tointeger_raw(x)
  end

  function bint.tointeger(x)
    if math_type(x) == 'integer' then return x end
    x = tobint(x)
    if not x then return nil end
    return tointeger_raw(x)
  end

  local function tofloat(x)
    local negative = isneg(x)
    local a = negative and neg(x) or x
    local f = 0.0
    for i = N, 1, -1 do
      f = f * 4294967296.0 + a[i]
    end
    if negative then f = -f end
    return f
  end

  function bint.tonumber(x)
    if type(x) == 'number' then return x end
    if not isbint(x) then
      local b = tobint(x)
      if not b then return nil end
      x = b
    end
    if fits_int64(x) then return tointeger_raw(x) end
    return tofloat(x)
  end

  local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

  function bint.tobase(x, base, unsigned)
    x = tobint(x)
    if not x then return nil end
    base = base or 10
    if not (math_type(base) == 'integer' and base >= 2 and base <= 36) then return nil end
    if unsigned == nil then unsigned = base ~= 10 end
    local negative = not unsigned and isneg(x)
    local v = negative and neg(x) or copy(x)
    if iszero(v) then return '0' end
    local out = {}
    local b = bint.frominteger(base)
    while not iszero(v) do
      local q, r = udivmod(v, b)
      local d = r[1]
      out[#out + 1] = DIGITS:sub(d + 1, d + 1)
      v = q
    end
    if negative then out[#out + 1] = '-' end
    return table.concat(out):reverse()
  end

  function bint.tobe(x, trim)
    x = tobint(x)
    local bytes = {}
    for i = N, 1, -1 do
      local w = x[i]
      for s = 24, 0, -8 do
        bytes[#bytes + 1] = string.char((w >> s) & 0xff)
      end
    end
    local s = table.concat(bytes)
    if trim then
      s = s:gsub('^\0+', '')
      if s == '' then s = '\0' end
    end
    return s
  end

  function bint.tole(x, trim)
    local s = bint.tobe(x, trim)
    return s:reverse()
  end

  -- predicates --------------------------------------------------------------------------
  function bint.iszero(x) x = tobint(x) return x ~= nil and iszero(x) end
  function bint.isone(x)
    x = tobint(x)
    if not x or x[1] ~= 1 then return false end
    for i = 2, N do if x[i] ~= 0 then return false end end
    return true
  end
  function bint.isminusone(x)
    x = tobint(x)
    if not x then return false end
    for i = 1, N do if x[i] ~= WORDMASK then return false end end
    return true
  end
  function bint.isneg(x)
    if isbint(x) then return isneg(x) end
    return type(x) == 'number' and x < 0
  end
  function bint.ispos(x)
    if isbint(x) then return not isneg(x) and not iszero(x) end
    return type(x) == 'number' and x > 0
  end
  function bint.iseven(x)
    if isbint(x) then return x[1] & 1 == 0 end
    return math.abs(x) % 2 == 0
  end
  function bint.isodd(x)
    if isbint(x) then return x[1] & 1 == 1 end
    return math.abs(x) % 2 == 1
  end
  function bint.isintegral(x)
    return isbint(x) or math_type(x) == 'integer' or
      (math_type(x) == 'float' and math.floor(x) == x)
  end
  function bint.isnumeric(x)
    return isbint(x) or type(x) == 'number'
  end
  function bint.type(x)
    if isbint(x) then return 'bint' end
    return math_type(x)
  end

  function bint.maxinteger()
    local r = raw()
    for i = 1, N - 1 do r[i] = WORDMASK end
    r[N] = WORDMASK >> 1
    return r
  end

  function bint.mininteger()
    local r = bint.zero()
    r[N] = 1 << (WORDBITS - 1)
    return r
  end

  -- arithmetic --------------------------------------------------------------------------
  local function binop(intop, floatop)
    return function(x, y)
      local bx, by = tobint(x), tobint(y)
      if bx and by then return intop(bx, by) end
      return floatop(bint.tonumber(x), bint.tonumber(y))
    end
  end

  bint.__add = binop(function(x, y) return add_into(raw(), x, y) end,
    function(x, y) return x + y end)
  bint.__sub = binop(function(x, y) return sub_into(raw(), x, y) end,
    function(x, y) return x - y end)
  bint.__mul = binop(umul, function(x, y) return x * y end)

  function bint.udivmod(x, y)
    return udivmod(bint.new(x), bint.new(y))
  end
  function bint.udiv(x, y)
    return (udivmod(bint.new(x), bint.new(y)))
  end
  function bint.umod(x, y)
    local _, r = udivmod(bint.new(x), bint.new(y))
    return r
  end

  local function tdivmod(x, y)
    local xn, yn = isneg(x), isneg(y)
    local q, r = udivmod(abs(x), abs(y))
    if xn ~= yn then q = neg(q) end
    if xn then r = neg(r) end
    return q, r
  end

  function bint.tdivmod(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return tdivmod(bx, by) end
    local fx, fy = bint.tonumber(x), bint.tonumber(y)
    return fx // fy, math.fmod(fx, fy)
  end
  function bint.tdiv(x, y) return (bint.tdivmod(x, y)) end
  function bint.tmod(x, y) local _, r = bint.tdivmod(x, y) return r end

  local function idivmod(x, y)
    local q, r = tdivmod(x, y)
    if not iszero(r) and isneg(x) ~= isneg(y) then
      q = sub_into(raw(), q, bint.one())
      r = add_into(raw(), r, y)
    end
    return q, r
  end

  function bint.idivmod(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return idivmod(bx, by) end
    local fx, fy = bint.tonumber(x), bint.tonumber(y)
    return fx // fy, fx % fy
  end

  function bint.__idiv(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then
      local q = idivmod(bx, by)
      return q
    end
    return bint.tonumber(x) // bint.tonumber(y)
  end

  function bint.__mod(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then
      local _, r = idivmod(bx, by)
      return r
    end
    return bint.tonumber(x) % bint.tonumber(y)
  end

  function bint.__div(x, y)
    return bint.tonumber(x) / bint.tonumber(y)
  end

  function bint.__pow(x, y)
    return bint.tonumber(x) ^ bint.tonumber(y)
  end

  function bint.ipow(x, y)
    x, y = bint.new(x), bint.new(y)
    local r = bint.one()
    if isneg(y) then
      -- only 1 and -1 have integral negative powers
      if bint.isone(x) then return r end
      if bint.isminusone(x) then return y[1] & 1 == 0 and r or copy(x) end
      return bint.zero()
    end
    local base = copy(x)
    local e = copy(y)
    while not iszero(e) do
      if e[1] & 1 == 1 then r = umul(r, base) end
      e = shr(e, 1)
      if not iszero(e) then base = umul(base, base) end
    end
    return r
  end

  function bint.upowmod(x, y, m)
    x, y, m = bint.new(x), bint.new(y), bint.new(m)
    if bint.isone(m) then return bint.zero() end
    local r = bint.one()
    local _, b = udivmod(x, m)
    local e = copy(y)
    while not iszero(e) do
      if e[1] & 1 == 1 then
        local _, t = udivmod(umul(r, b), m)
        r = t
      end
      e = shr(e, 1)
      local _, t = udivmod(umul(b, b), m)
      b = t
    end
    return r
  end

  function bint.__unm(x)
    return neg(bint.new(x))
  end

  function bint.abs(x)
    local b = tobint(x)
    if b then return abs(b) end
    return math.abs(x)
  end

  function bint.inc(x) return add_into(raw(), bint.new(x), bint.one()) end
  function bint.dec(x) return sub_into(raw(), bint.new(x), bint.one()) end
  function bint.floor(x) return bint.new(type(x) == 'number' and math.floor(x) or x) end
  function bint.ceil(x) return bint.new(type(x) == 'number' and math.ceil(x) or x) end
  function bint.trunc(x)
    if type(x) == 'number' then
      return bint.new(x >= 0 and math.floor(x) or math.ceil(x))
    end
    return bint.new(x)
  end

  function bint.max(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return scompare(bx, by) >= 0 and copy(bx) or copy(by) end
    return math.max(bint.tonumber(x), bint.tonumber(y))
  end
  function bint.min(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return scompare(bx, by) <= 0 and copy(bx) or copy(by) end
    return math.min(bint.tonumber(x), bint.tonumber(y))
  end

  -- comparison --------------------------------------------------------------------------
  function bint.__eq(x, y)
    for i = 1, N do
      if x[i] ~= y[i] then return false end
    end
    return true
  end

  function bint.eq(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return bint.__eq(bx, by) end
    return x == y
  end

  function bint.__lt(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return scompare(bx, by) < 0 end
    return bint.tonumber(x) < bint.tonumber(y)
  end

  function bint.__le(x, y)
    local bx, by = tobint(x), tobint(y)
    if bx and by then return scompare(bx, by) <= 0 end
    return bint.tonumber(x) <= bint.tonumber(y)
  end

  function bint.ult(x, y)
    return ucompare(bint.new(x), bint.new(y)) < 0
  end

  function bint.ule(x, y)
    return ucompare(bint.new(x), bint.new(y)) <= 0
  end

  -- bitwise -----------------------------------------------------------------------------
  local function bitop(f)
    return function(x, y)
      x, y = bint.new(x), bint.new(y)
      local r = raw()
      for i = 1, N do r[i] = f(x[i], y[i]) & WORDMASK end
      return r
    end
  end
  bint.__band = bitop(function(a, b) return a & b end)
  bint.__bor = bitop(function(a, b) return a | b end)
  bint.__bxor = bitop(function(a, b) return a ~ b end)

  function bint.__bnot(x)
    x = bint.new(x)
    local r = raw()
    for i = 1, N do r[i] = (~x[i]) & WORDMASK end
    return r
  end

  function bint.__shl(x, n)
    x = bint.new(x)
    n = bint.tointeger(n)
    if n < 0 then return shr(x, -n) end
    return shl(x, n)
  end

  function bint.__shr(x, n)
    x = bint.new(x)
    n = bint.tointeger(n)
    if n < 0 then return shl(x, -n) end
    return shr(x, n)
  end

  function bint.brol(x, n)
    x = bint.new(x)
    n = bint.tointeger(n) % bits
    if n == 0 then return copy(x) end
    return bint.__bor(shl(x, n), shr(x, bits - n))
  end

  function bint.bror(x, n)
    x = bint.new(x)
    n = bint.tointeger(n) % bits
    if n == 0 then return copy(x) end
    return bint.__bor(shr(x, n), shl(x, bits - n))
  end

  function bint.bwrap(x, y)
    x = bint.new(x)
    y = bint.tointeger(y)
    if y <= 0 then return bint.zero() end
    if y >= bits then return copy(x) end
    return bint.__band(x, sub_into(raw(), shl(bint.one(), y), bint.one()))
  end

  function bint.__tostring(x)
    return bint.tobase(x, 10)
  end

  setmetatable(bint, {
    __call = function(_, x)
      return bint.new(x)
    end,
  })

  cache[bits] = bint
  return bint
end

return newmodule

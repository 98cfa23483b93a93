-- .chance: a seeded Mersenne Twister (MT19937) behind aos's deterministic math.random.
--   chance.seed(n)            re-seed (the low 32 bits of n)
--   chance.random()           float in [0, 1)
--   chance.integer(min, max)  integer in [min, max]
local chance = {}

local N, M = 624, 397
local mt, index = {}, N + 1

function chance.seed(seed)
  mt[0] = math.tointeger(seed) and (seed & 0xffffffff) or (math.floor(seed) & 0xffffffff)
  for i = 1, N - 1 do
    local prev = mt[i - 1] ~ (mt[i - 1] >> 30)
    mt[i] = (1812433253 * prev + i) & 0xffffffff
  end
  index = N
end

local function generate()
  for i = 0, N - 1 do
    local y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff)
    local v = mt[(i + M) % N] ~ (y >> 1)
    if y & 1 == 1 then v = v ~ 0x9908b0df end
    mt[i] = v
  end
  index = 0
end

local function int32()
  if index >= N then
    if index > N then chance.seed(5489) end
    generate()
  end
  local y = mt[index]
  index = index + 1
  y = y ~ (y >> 11)
  y = y ~ ((y << 7) & 0x9d2c5680)
  y = y ~ ((y << 15) & 0xefc60000)
  y = y ~ (y >> 18)
  return y & 0xffffffff
end

chance.int32 = int32

function chance.random()
  return int32() / 4294967296.0
end

function chance.integer(min, max)
  assert(max >= min, "max must bigger than min")
  return math.floor(chance.random() * (max - min + 1) + min)
end

return chance

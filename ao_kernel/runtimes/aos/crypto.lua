-- .crypto: the digests and helpers aos processes reach with require(".crypto").
--
-- Written for ao-kernel (Lua 5.3, 64-bit integers); the API has the shape of the
-- real module's library (crypto 0.0.1), checked against it with tools/aos-oracle
-- (recording crypto_digests):
--
--   crypto.digest.md5(stream) / sha1(stream) / sha2_256(stream)
--                               a stream is a function returning the next byte or nil
--                               (crypto.utils.stream.fromString("abc")); the result has
--                               asBytes() (byte array), asHex() (lower case), asString()
--   crypto.digest.sha2_512(str) asBytes() gives the eight state words as (signed)
--                               64-bit integers, asHex(), asString()
--   crypto.digest.sha3_256(str) / sha3_512 / keccak256 / keccak512
--                               asHex() and asString() (FIPS 202 SHA-3 padding, or the
--                               original Keccak padding used by Ethereum)
-- The digests are the standard ones (FIPS 180-4, RFC 1321, FIPS 202, Keccak) except
-- at the few lengths where the real library pads differently (sha2_512 at 112..118
-- bytes mod 128; the sponges one byte short of a block): there we give its values.
--   crypto.mac.createHmac(stream, keyBytes[, "sha1" | "sha256"])
--                               HMAC as the real library computes it: with a 32-byte
--                               block (not the standard 64), so its values are its own
--   crypto.utils.hex            stringToHex(s[, lineLength, sep]), hexToString(hex)
--   crypto.utils.stream         fromString, toString, fromArray, toArray, fromHex, toHex
--   crypto.utils.array          size, fromString, toString, fromStream, toStream,
--                               fromHex, toHex, concat, truncate, XOR, substitute,
--                               permute, copy, slice, readFromQueue, writeToQueue
--   crypto.utils.queue          Queue() with push, pop, size, getHead, getTail, reset
--   crypto.utils.bit            bit32 (with rol/ror)
-- Not provided (docs/aos-differences.md): md2, md4, blake2b, the ciphers (aes,
-- issac, morus, norx), crypto.random and crypto.kdf.
local crypto = { _version = "0.0.1" }

local byte, char, format, pack, rep = string.byte, string.char, string.format, string.pack, string.rep
local concat = table.concat

------------------------------------------------------------------ helpers
local function toHex(s)
  return (s:gsub(".", function(c) return format("%02x", byte(c)) end))
end

local function bytesOf(s)
  local out = {}
  for i = 1, #s do out[i] = byte(s, i) end
  return out
end

-- Drain a byte stream into a string.
local function drain(stream)
  local parts, chunk, n = {}, {}, 0
  local b = stream()
  while b ~= nil do
    n = n + 1
    chunk[n] = b
    if n == 4096 then
      parts[#parts + 1] = char(table.unpack(chunk, 1, n))
      n = 0
    end
    b = stream()
  end
  if n > 0 then parts[#parts + 1] = char(table.unpack(chunk, 1, n)) end
  return concat(parts)
end

local function result(raw)
  return {
    asBytes = function() return bytesOf(raw) end,
    asHex = function() return toHex(raw) end,
    asString = function() return raw end,
  }
end

local M32 = 0xFFFFFFFF
local function rotl32(x, n) return ((x << n) | (x >> (32 - n))) & M32 end
local function rotr32(x, n) return ((x >> n) | (x << (32 - n))) & M32 end

-- Merkle-Damgard padding: 0x80, zeros, the bit length (8 bytes, big or little end).
local function mdPad(s, bigEndian, block, lenBytes)
  local bits = #s * 8
  local zeros = (block - lenBytes - 1 - #s) % block
  local len = bigEndian and pack(">I8", bits) or pack("<I8", bits)
  if lenBytes == 16 then len = rep("\0", 8) .. len end
  return s .. "\128" .. rep("\0", zeros) .. len
end

------------------------------------------------------------------ MD5 (RFC 1321)
local md5K, md5S = {}, {
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
}
for i = 0, 63 do md5K[i + 1] = math.floor(math.abs(math.sin(i + 1)) * 2 ^ 32) & M32 end

local function md5(s)
  s = mdPad(s, false, 64, 8)
  local a0, b0, c0, d0 = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
  local X = {}
  for off = 1, #s, 64 do
    for i = 0, 15 do X[i] = string.unpack("<I4", s, off + 4 * i) end
    local a, b, c, d = a0, b0, c0, d0
    for i = 0, 63 do
      local f, g
      if i < 16 then f, g = (b & c) | (~b & d), i
      elseif i < 32 then f, g = (d & b) | (~d & c), (5 * i + 1) % 16
      elseif i < 48 then f, g = b ~ c ~ d, (3 * i + 5) % 16
      else f, g = c ~ (b | ~d), (7 * i) % 16 end
      f = (f + a + md5K[i + 1] + X[g]) & M32
      a, d, c = d, c, b
      b = (b + rotl32(f & M32, md5S[i + 1])) & M32
    end
    a0, b0, c0, d0 = (a0 + a) & M32, (b0 + b) & M32, (c0 + c) & M32, (d0 + d) & M32
  end
  return pack("<I4I4I4I4", a0, b0, c0, d0)
end

------------------------------------------------------------------ SHA-1 (FIPS 180-4)
local function sha1(s)
  s = mdPad(s, true, 64, 8)
  local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
  local w = {}
  for off = 1, #s, 64 do
    for i = 0, 15 do w[i] = string.unpack(">I4", s, off + 4 * i) end
    for i = 16, 79 do w[i] = rotl32(w[i - 3] ~ w[i - 8] ~ w[i - 14] ~ w[i - 16], 1) end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 0, 79 do
      local f, k
      if i < 20 then f, k = (b & c) | (~b & d), 0x5A827999
      elseif i < 40 then f, k = b ~ c ~ d, 0x6ED9EBA1
      elseif i < 60 then f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
      else f, k = b ~ c ~ d, 0xCA62C1D6 end
      local t = (rotl32(a, 5) + (f & M32) + e + k + w[i]) & M32
      a, b, c, d, e = t, a, rotl32(b, 30), c, d
    end
    h0, h1, h2, h3, h4 = (h0 + a) & M32, (h1 + b) & M32, (h2 + c) & M32, (h3 + d) & M32, (h4 + e) & M32
  end
  return pack(">I4I4I4I4I4", h0, h1, h2, h3, h4)
end

------------------------------------------------------------------ SHA-256
-- FIPS 180-4 constants (hex literals wrap to Lua's signed 64-bit integers)
local K256 = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
  0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function sha256(s)
  s = mdPad(s, true, 64, 8)
  local H = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  local w = {}
  for off = 1, #s, 64 do
    for i = 1, 16 do w[i] = string.unpack(">I4", s, off + 4 * (i - 1)) end
    for i = 17, 64 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = rotr32(x, 7) ~ rotr32(x, 18) ~ (x >> 3)
      local s1 = rotr32(y, 17) ~ rotr32(y, 19) ~ (y >> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M32
    end
    local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
    for i = 1, 64 do
      local S1 = rotr32(e, 6) ~ rotr32(e, 11) ~ rotr32(e, 25)
      local ch = (e & f) ~ (~e & g)
      local t1 = (h + S1 + (ch & M32) + K256[i] + w[i]) & M32
      local S0 = rotr32(a, 2) ~ rotr32(a, 13) ~ rotr32(a, 22)
      local maj = (a & b) ~ (a & c) ~ (b & c)
      local t2 = (S0 + maj) & M32
      h, g, f, e, d, c, b, a = g, f, e, (d + t1) & M32, c, b, a, (t1 + t2) & M32
    end
    H[1], H[2], H[3], H[4] = (H[1] + a) & M32, (H[2] + b) & M32, (H[3] + c) & M32, (H[4] + d) & M32
    H[5], H[6], H[7], H[8] = (H[5] + e) & M32, (H[6] + f) & M32, (H[7] + g) & M32, (H[8] + h) & M32
  end
  return pack(">I4I4I4I4I4I4I4I4", table.unpack(H))
end

------------------------------------------------------------------ SHA-512 (64-bit words)
local K512 = {
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
}
local H512 = {
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
}
local function rotr64(x, n) return (x >> n) | (x << (64 - n)) end

-- The real library pads SHA-512 with an 8-byte length field (the standard has 16), so
-- a message of 112..118 bytes (mod 128) takes one block less and hashes to another
-- value than the standard; every other length agrees. Reproduced (crypto_digests).
local function sha512words(s)
  local len = #s
  s = s .. "\128" .. rep("\0", 128 - ((len + 9) % 128)) .. pack(">I8", len * 8)
  local H = { table.unpack(H512) }
  local w = {}
  for off = 1, #s, 128 do
    for i = 1, 16 do w[i] = string.unpack(">i8", s, off + 8 * (i - 1)) end
    for i = 17, 80 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = rotr64(x, 1) ~ rotr64(x, 8) ~ (x >> 7)
      local s1 = rotr64(y, 19) ~ rotr64(y, 61) ~ (y >> 6)
      w[i] = w[i - 16] + s0 + w[i - 7] + s1
    end
    local a, b, c, d, e, f, g, h = table.unpack(H)
    for i = 1, 80 do
      local S1 = rotr64(e, 14) ~ rotr64(e, 18) ~ rotr64(e, 41)
      local ch = (e & f) ~ (~e & g)
      local t1 = h + S1 + ch + K512[i] + w[i]
      local S0 = rotr64(a, 28) ~ rotr64(a, 34) ~ rotr64(a, 39)
      local maj = (a & b) ~ (a & c) ~ (b & c)
      h, g, f, e, d, c, b, a = g, f, e, d + t1, c, b, a, t1 + S0 + maj
    end
    H[1], H[2], H[3], H[4] = H[1] + a, H[2] + b, H[3] + c, H[4] + d
    H[5], H[6], H[7], H[8] = H[5] + e, H[6] + f, H[7] + g, H[8] + h
  end
  return H
end

------------------------------------------------------------------ Keccak-f[1600] and SHA-3
local RC = {
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
}
-- rotation offsets and the pi permutation, lane index = x + 5y (0-based)
local ROT, PI = {}, {}
do
  local x, y = 1, 0
  ROT[0] = 0
  for t = 0, 23 do
    ROT[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
    x, y = y, (2 * x + 3 * y) % 5
  end
  for x0 = 0, 4 do
    for y0 = 0, 4 do PI[x0 + 5 * y0] = y0 + 5 * ((2 * x0 + 3 * y0) % 5) end
  end
end
local function rotl64(v, n)
  if n == 0 then return v end
  return (v << n) | (v >> (64 - n))
end

local function keccakF(A)
  local B, C = {}, {}
  for round = 1, 24 do
    for x = 0, 4 do C[x] = A[x] ~ A[x + 5] ~ A[x + 10] ~ A[x + 15] ~ A[x + 20] end
    for x = 0, 4 do
      local D = C[(x + 4) % 5] ~ rotl64(C[(x + 1) % 5], 1)
      for y = 0, 20, 5 do A[x + y] = A[x + y] ~ D end
    end
    for i = 0, 24 do B[PI[i]] = rotl64(A[i], ROT[i]) end
    for y = 0, 20, 5 do
      local b0, b1, b2, b3, b4 = B[y], B[y + 1], B[y + 2], B[y + 3], B[y + 4]
      A[y] = b0 ~ (~b1 & b2)
      A[y + 1] = b1 ~ (~b2 & b3)
      A[y + 2] = b2 ~ (~b3 & b4)
      A[y + 3] = b3 ~ (~b4 & b0)
      A[y + 4] = b4 ~ (~b0 & b1)
    end
    A[0] = A[0] ~ RC[round]
  end
end

-- rateBytes: 136 (256-bit output) or 72 (512); suffix 0x06 for SHA-3, 0x01 for Keccak.
-- A message one byte short of a block gets, in the real library, its suffix byte and
-- then a whole block of padding (the standard puts suffix and final bit in that one
-- byte): so at 135 (mod 136) and 71 (mod 72) bytes its digests, and ours, differ from
-- the standards; every other length agrees (crypto_digests).
local function keccak(s, rateBytes, outBytes, suffix)
  local padLen = rateBytes - (#s % rateBytes)
  local pad
  if padLen == 1 then pad = char(suffix) .. rep("\0", rateBytes - 1) .. "\128"
  else pad = char(suffix) .. rep("\0", padLen - 2) .. "\128" end
  s = s .. pad
  local A = {}
  for i = 0, 24 do A[i] = 0 end
  local lanes = rateBytes // 8
  for off = 1, #s, rateBytes do
    for i = 0, lanes - 1 do A[i] = A[i] ~ string.unpack("<i8", s, off + 8 * i) end
    keccakF(A)
  end
  local out = {}
  for i = 0, (outBytes // 8) - 1 do out[#out + 1] = pack("<i8", A[i]) end
  return concat(out):sub(1, outBytes)
end

------------------------------------------------------------------ crypto.digest
local function streamDigest(fn)
  return function(stream) return result(fn(drain(stream))) end
end

local function sponge(rate, out, suffix)
  return function(data)
    local raw = keccak(data, rate, out, suffix)
    return { asString = function() return raw end, asHex = function() return toHex(raw) end }
  end
end

crypto.digest = {
  _version = "0.0.1",
  md5 = streamDigest(md5),
  sha1 = streamDigest(sha1),
  sha2_256 = streamDigest(sha256),
  sha2_512 = function(msg)
    local H = sha512words(msg)
    local raw = pack(">i8i8i8i8i8i8i8i8", table.unpack(H))
    return {
      asBytes = function() return { table.unpack(H) } end,
      asString = function() return raw end,
      asHex = function() return toHex(raw) end,
    }
  end,
  sha3_256 = sponge(136, 32, 0x06),
  sha3_512 = sponge(72, 64, 0x06),
  keccak256 = sponge(136, 32, 0x01),
  keccak512 = sponge(72, 64, 0x01),
}

------------------------------------------------------------------ crypto.utils
local function Queue()
  local items, head, tail = {}, 0, 0
  local q = {}
  q.push = function(v) items[head] = v; head = head + 1 end
  q.pop = function()
    if tail < head then
      local v = items[tail]
      items[tail] = nil
      tail = tail + 1
      return v
    end
    return nil
  end
  q.size = function() return head - tail end
  q.getHead = function() return head end
  q.getTail = function() return tail end
  q.reset = function() items, head, tail = {}, 0, 0 end
  return q
end

local hexDigits = {}
for i = 0, 255 do
  hexDigits[format("%02X", i)] = i
  hexDigits[format("%02x", i)] = i
end

local stream = {}
stream.fromString = function(s)
  local i = 0
  return function()
    i = i + 1
    return byte(s, i)
  end
end
stream.toString = function(st) return drain(st) end
stream.fromArray = function(array)
  local q = Queue()
  local i = 1
  while array[i] ~= nil do q.push(array[i]); i = i + 1 end
  return q.pop
end
stream.toArray = function(st)
  local out, b = {}, st()
  while b ~= nil do out[#out + 1] = b; b = st() end
  return out
end
stream.fromHex = function(hex)
  local q = Queue()
  for i = 1, #hex // 2 do q.push(hexDigits[hex:sub(2 * i - 1, 2 * i)]) end
  return q.pop
end
stream.toHex = function(st)
  local out, b = {}, st()
  while b ~= nil do out[#out + 1] = format("%02X", b); b = st() end
  return concat(out)
end

local hex = {}
hex.stringToHex = function(s, ln, sep)
  if #s == 0 then return "" end
  if not ln then return toHex(s) end
  sep = sep or ""
  local out = {}
  for i = 1, #s - 1 do
    out[#out + 1] = format("%02x", byte(s, i)) .. ((i % ln == 0) and "\n" or sep)
  end
  out[#out + 1] = format("%02x", byte(s, #s))
  return concat(out)
end
hex.hexToString = function(hs, unsafe)
  if not unsafe then
    hs = hs:gsub("%s+", "")
    if hs:find("[^0-9A-Za-z]") or #hs % 2 ~= 0 then error("invalid hex string") end
  end
  return (hs:gsub("(%x%x)", function(c) return char(tonumber(c, 16)) end))
end

local array = {}
array.size = function(a) return #a end
array.fromString = function(s) return bytesOf(s) end
array.toString = function(a)
  local out, i = {}, 1
  while a[i] ~= nil do out[i] = char(a[i]); i = i + 1 end
  return concat(out)
end
array.fromStream = stream.toArray
array.toStream = stream.fromArray
array.readFromQueue = function(q, size)
  local out = {}
  for i = 1, size do out[i] = q.pop() end
  return out
end
array.writeToQueue = function(q, a)
  for i = 1, #a do q.push(a[i]) end
end
array.fromHex = function(h)
  local out = {}
  for i = 1, #h // 2 do out[i] = hexDigits[h:sub(2 * i - 1, 2 * i)] end
  return out
end
array.toHex = function(a)
  local out, i = {}, 1
  while a[i] ~= nil do out[i] = format("%02X", a[i]); i = i + 1 end
  return concat(out)
end
array.concat = function(a, b)
  local out = {}
  for i = 1, #a do out[#out + 1] = a[i] end
  for i = 1, #b do out[#out + 1] = b[i] end
  return out
end
array.truncate = function(a, size)
  local out = {}
  for i = 1, size do out[i] = a[i] end
  return out
end
array.XOR = function(a, b)
  local out = {}
  for i = 1, #a do out[i] = a[i] ~ b[i] end
  return out
end
array.substitute = function(input, sbox)
  local out = {}
  for i = 1, #input do out[i] = sbox[input[i]] end
  return out
end
array.permute = function(input, pbox)
  local out = {}
  for i = 1, #pbox do out[i] = input[pbox[i]] end
  return out
end
array.copy = function(input)
  local out = {}
  for i = 1, #input do out[i] = input[i] end
  return out
end
array.slice = function(input, start, stop)
  local out = {}
  if start == nil then start = 1 elseif start < 0 then start = #input + start + 1 end
  if stop == nil then stop = #input elseif stop < 0 then stop = #input + stop + 1 end
  for i = start, stop do out[#out + 1] = input[i] end
  return out
end

local bit = {}
for k, v in pairs(bit32) do bit[k] = v end
bit.rol, bit.ror = bit32.lrotate, bit32.rrotate

crypto.utils = {
  _version = "0.0.1",
  bit = bit,
  queue = Queue,
  stream = stream,
  hex = hex,
  array = array,
}

------------------------------------------------------------------ crypto.mac
-- HMAC over a 32-byte block, as the real library does (its setBlockSize(32)); a
-- key longer than the block is hashed first.
local hashes = { sha1 = sha1, sha256 = sha256 }
crypto.mac = {
  _version = "0.0.1",
  createHmac = function(data, key, algorithm)
    local h = hashes[algorithm or "sha1"]
    if not h then error("Unsupported algorithm: " .. algorithm) end
    local k = array.toString(key)
    if #key > 32 then k = h(k) end
    k = k .. rep("\0", 32 - #k)
    local inner, outer = {}, {}
    for i = 1, 32 do
      inner[i] = char(byte(k, i) ~ 0x36)
      outer[i] = char(byte(k, i) ~ 0x5C)
    end
    return result(h(concat(outer) .. h(concat(inner) .. drain(data))))
  end,
}

return crypto

-- .base64: standard base64 (RFC 4648, "+/" and "=" padding) for aos processes.
-- Written for ao-kernel. API as aos processes see it: encode(str[, encoder]),
-- decode(b64[, decoder]), makeencoder([c62, c63, pad]), makedecoder([c62, c63, pad]).
local base64 = {}

local ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function base64.makeencoder(c62, c63, pad)
  local enc = {}
  for i = 1, 62 do enc[i - 1] = ALPHA:sub(i, i) end
  enc[62] = c62 or '+'
  enc[63] = c63 or '/'
  enc[64] = pad or '='
  return enc
end

function base64.makedecoder(c62, c63, pad)
  local dec = {}
  for v, ch in pairs(base64.makeencoder(c62, c63, pad)) do
    dec[ch:byte()] = v
  end
  return dec
end

local DEFAULT_ENCODER = base64.makeencoder()
local DEFAULT_DECODER = base64.makedecoder()

function base64.encode(str, encoder)
  encoder = encoder or DEFAULT_ENCODER
  local out = {}
  local n = #str
  local i = 1
  while i + 2 <= n do
    local a, b, c = str:byte(i, i + 2)
    local v = (a << 16) | (b << 8) | c
    out[#out + 1] = encoder[(v >> 18) & 63] .. encoder[(v >> 12) & 63] ..
      encoder[(v >> 6) & 63] .. encoder[v & 63]
    i = i + 3
  end
  local rest = n - i + 1
  if rest == 2 then
    local a, b = str:byte(i, i + 1)
    local v = (a << 16) | (b << 8)
    out[#out + 1] = encoder[(v >> 18) & 63] .. encoder[(v >> 12) & 63] ..
      encoder[(v >> 6) & 63] .. (encoder[64] or '')
  elseif rest == 1 then
    local v = str:byte(i) << 16
    out[#out + 1] = encoder[(v >> 18) & 63] .. encoder[(v >> 12) & 63] ..
      (encoder[64] or '') .. (encoder[64] or '')
  end
  return table.concat(out)
end

function base64.decode(b64, decoder)
  decoder = decoder or DEFAULT_DECODER
  local padbyte = nil
  for byte, v in pairs(decoder) do
    if v == 64 then padbyte = byte end
  end
  local vals = {}
  for i = 1, #b64 do
    local byte = b64:byte(i)
    local v = decoder[byte]
    if v ~= nil and byte ~= padbyte then vals[#vals + 1] = v end
  end
  local out = {}
  local n = #vals
  local i = 1
  while i + 3 <= n do
    local v = (vals[i] << 18) | (vals[i + 1] << 12) | (vals[i + 2] << 6) | vals[i + 3]
    out[#out + 1] = string.char((v >> 16) & 255, (v >> 8) & 255, v & 255)
    i = i + 4
  end
  local rest = n - i + 1
  if rest == 3 then
    local v = (vals[i] << 18) | (vals[i + 1] << 12) | (vals[i + 2] << 6)
    out[#out + 1] = string.char((v >> 16) & 255, (v >> 8) & 255)
  elseif rest == 2 then
    local v = (vals[i] << 18) | (vals[i + 1] << 12)
    out[#out + 1] = string.char((v >> 16) & 255)
  end
  return table.concat(out)
end

return base64

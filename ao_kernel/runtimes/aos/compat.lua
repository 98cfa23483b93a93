-- .compat: the parts of the standard library the real aos module has and a sandboxed
-- Lua engine does not, so that code probing for them sees the same surface
-- (recording stdlib_surface).
--
-- The real module is Lua 5.3 built with its compatibility options (bit32, math.pow
-- and friends) on an Emscripten file system that holds nothing but WeaveDrive data.
-- Here:
--   io          open/lines/read/write/close/type/input/output/popen/tmpfile: there are
--               no files, so opening one fails as on an empty file system, reading
--               gives nil, writing is discarded (the loader silences stdout too)
--   dofile, loadfile   fail to open any file
--   os.getenv   nil; os.remove/os.rename fail like missing files; os.tmpname a name;
--               os.execute() reports no shell; os.exit raises (a process cannot exit)
--   math        pow, ldexp, frexp, cosh, sinh, tanh, log10
--   bit32       the Lua 5.2 library on 32-bit unsigned values
--   require     a missing module fails with the stock searchers' message
-- Nothing here reads a clock, the host or randomness.
local compat = {}

local function noFile(path)
  return nil, tostring(path) .. ": No such file or directory", 2
end

local io = rawget(_G, "io") or {}
io.open = io.open or function(path) return noFile(path) end
io.lines = io.lines or function(path)
  if path == nil then return function() return nil end end
  error(tostring(path) .. ": No such file or directory", 2)
end
io.read = io.read or function() return nil end
io.write = io.write or function() return io end
io.close = io.close or function() return true end
io.type = io.type or function() return nil end
io.input = io.input or function() return nil end
io.output = io.output or function() return nil end
io.popen = io.popen or function() return nil, "'popen' not supported", 1 end
io.tmpfile = io.tmpfile or function() return nil, "tmpfile: not supported", 1 end
_G.io = io

if rawget(_G, "loadfile") == nil then
  _G.loadfile = function(path) return nil, "cannot open " .. tostring(path) end
end
if rawget(_G, "dofile") == nil then
  _G.dofile = function(path) error("cannot open " .. tostring(path), 2) end
end

local os = _G.os
os.getenv = os.getenv or function() return nil end
os.remove = os.remove or function(path) return noFile(path) end
os.rename = os.rename or function(path) return noFile(path) end
os.tmpname = os.tmpname or function() return "/tmp/lua_aos" end
os.execute = os.execute or function(cmd)
  if cmd == nil then return false end
  return nil, "exit", 1
end
os.exit = os.exit or function() error("os.exit: a process cannot exit", 2) end

local math = _G.math
math.pow = math.pow or function(x, y) return x ^ y end
math.ldexp = math.ldexp or function(m, e) return m * 2.0 ^ e end
math.frexp = math.frexp or function(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
  local e = math.floor(math.log(math.abs(x), 2)) + 1
  local m = x / 2.0 ^ e
  if math.abs(m) >= 1 then m, e = m / 2, e + 1 elseif math.abs(m) < 0.5 then m, e = m * 2, e - 1 end
  return m, e
end
math.cosh = math.cosh or function(x) return (math.exp(x) + math.exp(-x)) / 2 end
math.sinh = math.sinh or function(x) return (math.exp(x) - math.exp(-x)) / 2 end
math.tanh = math.tanh or function(x)
  if x > 20 then return 1.0 elseif x < -20 then return -1.0 end
  local a, b = math.exp(x), math.exp(-x)
  return (a - b) / (a + b)
end
math.log10 = math.log10 or function(x) return math.log(x, 10) end

-- bit32 on 32-bit unsigned values (numbers are reduced modulo 2^32 first).
if rawget(_G, "bit32") == nil then
  local MASK = 0xFFFFFFFF
  local function u(x)
    x = math.tointeger(x) or math.floor(x)
    return x & MASK
  end
  local function fold(op, init)
    return function(...)
      local r = init
      for i = 1, select("#", ...) do r = op(r, u(select(i, ...))) end
      return r & MASK
    end
  end
  local function field(f, w)
    w = w or 1
    assert(f >= 0, "field cannot be negative")
    assert(w > 0, "width must be positive")
    assert(f + w <= 32, "trying to access non-existent bits")
    return f, w
  end
  local bit32 = {
    band = fold(function(a, b) return a & b end, MASK),
    bor = fold(function(a, b) return a | b end, 0),
    bxor = fold(function(a, b) return a ~ b end, 0),
    bnot = function(x) return (~u(x)) & MASK end,
  }
  bit32.btest = function(...) return bit32.band(...) ~= 0 end
  bit32.lshift = function(x, n)
    x = u(x)
    if n <= -32 or n >= 32 then return 0 end
    if n < 0 then return x >> -n end
    return (x << n) & MASK
  end
  bit32.rshift = function(x, n) return bit32.lshift(x, -n) end
  bit32.arshift = function(x, n)
    x = u(x)
    if n <= 0 then return bit32.lshift(x, -n) end
    if x & 0x80000000 == 0 then return bit32.rshift(x, n) end
    if n >= 32 then return MASK end
    return ((x >> n) | ~(MASK >> n)) & MASK
  end
  bit32.lrotate = function(x, n)
    x, n = u(x), n % 32
    return ((x << n) | (x >> (32 - n))) & MASK
  end
  bit32.rrotate = function(x, n) return bit32.lrotate(x, -n) end
  bit32.extract = function(x, f, w)
    f, w = field(f, w)
    return (u(x) >> f) & ((1 << w) - 1)
  end
  bit32.replace = function(x, v, f, w)
    f, w = field(f, w)
    local m = ((1 << w) - 1) << f
    return ((u(x) & ~m) | ((u(v) << f) & m)) & MASK
  end
  _G.bit32 = bit32
end

-- require: a module that is nowhere to be found fails with the message the stock
-- searchers build (preload, the Lua path, the C path), as in the real module.
local engineRequire = require
local function notFound(name)
  local file = name:gsub("%.", "/")
  local lines = { "module '" .. name .. "' not found:",
    "\tno field package.preload['" .. name .. "']module " .. name .. " not found" }
  for _, pattern in ipairs({ "/usr/local/share/lua/5.3/?.lua", "/usr/local/share/lua/5.3/?/init.lua",
      "/usr/local/lib/lua/5.3/?.lua", "/usr/local/lib/lua/5.3/?/init.lua", "./?.lua", "./?/init.lua",
      "/usr/local/lib/lua/5.3/?.so", "/usr/local/lib/lua/5.3/loadall.so", "./?.so" }) do
    lines[#lines + 1] = "\tno file '" .. pattern:gsub("%?", function() return file end) .. "'"
  end
  return table.concat(lines, "\n")
end
function compat.require(name)
  local ok, mod = pcall(engineRequire, name)
  if ok then return mod end
  if type(name) == "string" and type(mod) == "string"
      and mod:find("module '" .. name .. "' not found", 1, true) and not mod:find(":\n") then
    error(notFound(name), 2)
  end
  error(mod, 0)
end
_G.require = compat.require

return compat

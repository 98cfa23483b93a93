-- .handlers-utils: ready-made patterns and handles (Handlers.utils).
--   hasMatchingTag(name, value)      msg.Tags[name] == value (exact)
--   hasMatchingTagOf(name, values)   msg.Tags[name] is one of values
--   hasMatchingData(value)           msg.Data == value
--   reply(input)                     a handle replying with Data = input (or the table)
--   continue(pattern)                a pattern that runs the handler and goes on
local utils = require(".utils")

local M = { _version = "0.0.2" }

function M.hasMatchingTag(name, value)
  assert(type(name) == "string" and type(value) == "string", "invalid arguments: (name : string, value : string)")
  return function(msg)
    return msg.Tags[name] == value
  end
end

function M.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table", "invalid arguments: (name : string, values : string[])")
  return function(msg)
    for _, v in ipairs(values) do
      if msg.Tags[name] == v then return true end
    end
    return false
  end
end

function M.hasMatchingData(value)
  assert(type(value) == "string", "invalid arguments: (value : string)")
  return function(msg)
    return msg.Data == value
  end
end

function M.reply(input)
  assert(type(input) == "table" or type(input) == "string", "invalid arguments: (input : table | string)")
  return function(msg)
    if type(input) == "string" then
      msg.reply({ Data = input })
    else
      msg.reply(input)
    end
  end
end

local running = { [true] = true, [-1] = true, [1] = true, ["break"] = true, ["continue"] = true }

function M.continue(pattern)
  return function(msg)
    local match = utils.matchesSpec(msg, pattern)
    if running[match] then return 1 end
    return 0
  end
end

return M

-- .handlers-utils: ready-made patterns and handles (Handlers.utils).
--   hasMatchingTag(name, value)      msg.Tags[name] == value (exact)
--   hasMatchingTagOf(name, values)   msg.Tags[name] is one of values (else 0)
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

-- The first value whose hasMatchingTag result is a match, else 0 (a skip).
function M.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table", "invalid arguments: (name : string, values : string[])")
  return function(msg)
    for _, value in ipairs(values) do
      local r = Handlers.utils.hasMatchingTag(name, value)(msg)
      if r ~= 0 and r ~= false and r ~= "skip" then return r end
    end
    return 0
  end
end

function M.hasMatchingData(value)
  assert(type(value) == "string", "invalid arguments: (value : string)")
  return function(msg)
    return msg.Data == value
  end
end

function M.reply(input)
  assert(type(input) == "table" or type(input) == "string", "invalid arguments: (input : table or string)")
  return function(msg)
    if type(input) == "string" then
      msg.reply({ Data = input })
    else
      msg.reply(input)
    end
  end
end

-- continue(pattern): a match of any kind becomes 1 (run, then go on); a non-match
-- comes back as it was (nil, false, 0 or "skip"), so a nil stays an invalid result.
function M.continue(pattern)
  return function(msg)
    local match = utils.matchesSpec(msg, pattern)
    if not match or match == 0 or match == "skip" then return match end
    return 1
  end
end

return M

-- .eval: the `_eval` handle: run msg.Data as Lua in the process's global environment.
--
-- The code is compiled as "return <code>" first (so an expression's value is
-- shown), then as statements; the chunk is named "aos", so errors read
-- [string "aos"]:<line>: ... with the line in the user's code. A compile error,
-- or a second return value, becomes the message's Error. A first return value
-- other than nil/false is added to the print log (tables pretty-printed).
local format = require(".format")

return function(ao)
  return function(msg)
    local code = msg.Data
    if type(code) ~= "string" then code = tostring(code) end
    local fn, err = load("return " .. code, "aos", "t", _G)
    if not fn then fn, err = load(code, "aos", "t", _G) end
    if not fn then
      ao.outbox.Error = err
      return
    end
    local output, second = fn()
    if second then
      ao.outbox.Error = second
      return
    end
    if output and HANDLER_PRINT_LOGS then
      if type(output) == "table" then
        table.insert(HANDLER_PRINT_LOGS, format.stringify(output))
      else
        table.insert(HANDLER_PRINT_LOGS, tostring(output))
      end
    end
  end
end

-- .main: the module ABI entry point, as the real aos wasm exports it.
--
--   handle(msgJSON, envJSON) -> '{"ok":true,"response":{...}}'
-- decodes the JSON-1 message and env, runs process.handle under pcall and encodes
-- {ok, response}; on failure response is the error string. This is for harnesses
-- that drive our runtime and the real module the same way; hosts that hold Lua
-- tables call process.handle directly and skip the JSON round-trip.
local json = require("json")
local process = require(".process")

function handle(msgJSON, envJSON)
  local ok, response = pcall(function()
    return process.handle(json.decode(msgJSON), json.decode(envJSON))
  end)
  if not ok and type(response) ~= "string" then response = tostring(response) end
  local out = json.encode({ ok = ok, response = response })
  if collectgarbage then collectgarbage() end
  return out
end

return process

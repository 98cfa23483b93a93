-- .boot: the `_boot` handle, run once on the process's own (spawn) message.
--
-- It keeps the process message as Inbox[1], then follows the On-Boot tag:
--   On-Boot = "Data"    evaluate the process message's Data as an Eval
--   On-Boot = <tx id>   evaluate the contents of /data/<tx id> (WeaveDrive)
-- boot.read(txid) returns those contents; a host without a WeaveDrive replaces it.
local boot = {}

function boot.read(txid)
  local open = io and io.open
  local f = open and open("/data/" .. txid)
  if not f then error("On-Boot: cannot read /data/" .. tostring(txid) .. " (no WeaveDrive data)", 0) end
  local src = f:read("a")
  f:close()
  return src
end

function boot.handle(ao)
  local eval = require(".eval")(ao)
  return function(msg)
    if #Inbox == 0 then table.insert(Inbox, msg) end
    local onBoot = msg.Tags["On-Boot"]
    if onBoot == nil then return end
    if onBoot == "Data" then
      eval(msg)
    else
      eval({ Data = boot.read(onBoot) })
    end
  end
end

return boot

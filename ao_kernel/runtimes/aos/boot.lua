-- .boot: the `_boot` handle, run once on the process's own (spawn) message.
--
-- It keeps the process message as Inbox[1], then follows the On-Boot tag:
--   On-Boot = "Data"    evaluate the process message's Data as an Eval
--   On-Boot = <tx id>   evaluate the contents of /data/<tx id> (WeaveDrive)
-- boot.read(txid) returns those contents; a host without a WeaveDrive replaces it.
--
-- A failing On-Boot makes the process message's result an Error, and the compute unit
-- discards that call's memory (it drops the instance): before any success that is the
-- module's initial state, so the process message never happened. Owner is never set,
-- and every later message fails too, seeding the generator from a message without a
-- Module (checked with the real aos 2.0.6 module through tools/aos-oracle, corpus
-- sequences on_boot_error*, on_boot_missing_tx). Rolling back is the host's job
-- (tests/runtimes/aos_harness.py, the node); this module only has to fail as the
-- real one does.
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

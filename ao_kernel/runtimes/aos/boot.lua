-- .boot: the `_boot` handle, run once on the process's own (spawn) message.
--
-- It keeps the process message as Inbox[1], then follows the On-Boot tag:
--   On-Boot = "Data"    evaluate the process message's Data as an Eval
--   On-Boot = <tx id>   evaluate the contents of /data/<tx id> (WeaveDrive)
-- boot.read(txid) returns those contents; a host without a WeaveDrive replaces it.
--
-- A failing On-Boot (checked with the real aos 2.0.6 module through tools/aos-oracle,
-- corpus sequences on_boot_error and on_boot_error_state): the spawn message's result
-- is an Error, but nothing is rolled back, because there is no earlier memory to go
-- back to -- the loader (like the compute unit) runs the next message on the heap the
-- failed call left. So Owner stays set (it is set before any handler runs), Inbox[1]
-- is the process message, globals the boot code set before failing stay, messages it
-- sent are lost (the Error result carries none) but ao.reference keeps counting from
-- them, and _boot stays registered (a failing run does not use up its one run).
-- Owner Evals therefore work after a failed boot. This contradicts note 1 of
-- notes/aos-behaviours.md ("Owner is never set"), which the oracle does not confirm.
-- Errors in any later message are rolled back as usual. Rolling back is the host's
-- job (tests/runtimes/aos_harness.py, the node); this module only has to leave the
-- state as the real one does.
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

-- The p4 ledger process of process-ledger@1.0 (an aos token: Balance, Transfer, and
-- the node's Charge and Topup); spawned as is by spawn_ledger.
Balances = Balances or {}
local function amount(v) return math.tointeger(tonumber(v or 0)) or 0 end
local function notice(msg, fields) msg.reply(fields) end

Handlers.add("Balance", "Balance", function(msg)
  local who = msg.Tags.Account or msg.Tags.Recipient or msg.From
  local b = tostring(Balances[who] or 0)
  notice(msg, { Action = "Balance-Notice", Account = who, Balance = b, Data = b })
end)

Handlers.add("Topup", "Topup", function(msg)
  assert(msg.From == Owner, "only the operator may top up")
  local who, q = msg.Tags.Recipient, amount(msg.Tags.Quantity)
  assert(who and q > 0, "Topup needs a Recipient and a positive Quantity")
  Balances[who] = (Balances[who] or 0) + q
  notice(msg, { Action = "Topup-Notice", Recipient = who, Balance = tostring(Balances[who]) })
end)

Handlers.add("Charge", "Charge", function(msg)
  assert(msg.From == Owner, "only the operator may charge")
  local who, q = msg.Tags.Account, amount(msg.Tags.Quantity)
  local have = Balances[who] or 0
  if q < 0 or have < q then
    error("Insufficient funds: balance " .. have .. ", price " .. q)
  end
  Balances[who] = have - q
  local to = msg.Tags.Recipient
  if to and to ~= "" then Balances[to] = (Balances[to] or 0) + q end
  notice(msg, { Action = "Charge-Notice", Account = who, Quantity = tostring(q),
                Balance = tostring(Balances[who]) })
end)

Handlers.add("Transfer", "Transfer", function(msg)
  local to, q = msg.Tags.Recipient, amount(msg.Tags.Quantity)
  local have = Balances[msg.From] or 0
  assert(to and q > 0 and have >= q, "Transfer needs a Recipient and enough balance")
  Balances[msg.From] = have - q
  Balances[to] = (Balances[to] or 0) + q
  notice(msg, { Action = "Debit-Notice", Recipient = to, Quantity = tostring(q) })
end)

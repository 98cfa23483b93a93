-- Staking blueprint, written for ao-kernel from the behaviour the aos staking blueprint
-- shows (needs the token blueprint's Balances): Stake moves tokens from Balances into
-- Stakers[from] = {amount = "<n>", unstake_at = <block>}; Unstake queues a release into
-- Unstaking; a finalize handler that runs on every message (continue) pays out releases
-- whose block height has been reached; Stakers replies with the JSON of Stakers.
local bint = require('.bint')(256)
local json = require('json')

Stakers = Stakers or {}
Unstaking = Unstaking or {}
UnstakeDelay = UnstakeDelay or 670

local function height(msg)
  return tonumber(msg['Block-Height']) or 0
end

local staking = {}

function staking.stake(msg)
  local quantity = bint(msg.Quantity or msg.Tags.Quantity)
  local from = msg.From
  assert(bint(Balances[from] or '0') >= quantity, 'Insufficient balance to stake')
  Balances[from] = tostring(bint(Balances[from]) - quantity)
  local entry = Stakers[from] or { amount = '0' }
  entry.amount = tostring(bint(entry.amount) + quantity)
  entry.unstake_at = height(msg) + UnstakeDelay
  Stakers[from] = entry
  print('Successfully Staked ' .. tostring(quantity))
  msg.reply({ Data = 'Successfully Staked ' .. tostring(quantity) })
end

function staking.unstake(msg)
  local quantity = bint(msg.Quantity or msg.Tags.Quantity)
  local from = msg.From
  local entry = Stakers[from]
  assert(entry and bint(entry.amount) >= quantity, 'Insufficient staked amount')
  entry.amount = tostring(bint(entry.amount) - quantity)
  Unstaking[from] = {
    amount = tostring(bint((Unstaking[from] or {}).amount or '0') + quantity),
    release_at = entry.unstake_at,
  }
  msg.reply({ Data = 'Successfully unstaked ' .. tostring(quantity) })
end

function staking.finalize(msg)
  local now = height(msg)
  for address, pending in pairs(Unstaking) do
    if now > pending.release_at then
      Balances[address] = tostring(bint(Balances[address] or '0') + bint(pending.amount))
      Unstaking[address] = nil
    end
  end
  for address, entry in pairs(Stakers) do
    if bint(entry.amount) == bint(0) then Stakers[address] = nil end
  end
end

Handlers.add('staking.stake', 'Stake', staking.stake)
Handlers.add('staking.unstake', 'Unstake', staking.unstake)
Handlers.add('staking.stakers', 'Stakers', function(msg)
  msg.reply({ Data = json.encode(Stakers) })
end)
Handlers.prepend('staking.finalize', function() return 'continue' end, staking.finalize)

-- Token blueprint (ao standard token), written for ao-kernel from the behaviour the aos
-- token blueprint shows: balances are decimal strings handled with .bint(256); Info replies
-- carry lower-case tags (name, ticker, logo, denomination, supply); a transfer sends a
-- Debit-Notice to the sender and a Credit-Notice to the recipient (both carrying the
-- request's X- tags) unless Cast is set; every balance change also emits a
-- {device = 'patch@1.0'} state message for HyperBEAM readers.
local bint = require('.bint')(256)
local json = require('json')

local function add(a, b) return tostring(bint(a) + bint(b)) end
local function sub(a, b) return tostring(bint(a) - bint(b)) end

Variant = '0.0.3'
Denomination = Denomination or 12
Balances = Balances or { [ao.id] = tostring(bint(10000 * 10 ^ Denomination)) }
TotalSupply = TotalSupply or tostring(bint(10000 * 10 ^ Denomination))
Name = Name or 'Points Coin'
Ticker = Ticker or 'PNTS'
Logo = Logo or 'SBCCXwwecBlDqRLUjb8dYABExTJXLieawf7m2aBJ-KY'

local function tokenInfo()
  return {
    name = Name,
    ticker = Ticker,
    logo = Logo,
    denomination = tostring(Denomination),
    supply = TotalSupply,
  }
end

local function patch(changed)
  Send({ device = 'patch@1.0', balances = changed, ['token-info'] = tokenInfo() })
end

local function xtags(msg)
  local out = {}
  for name, value in pairs(msg.Tags or {}) do
    if type(name) == 'string' and name:sub(1, 2) == 'X-' then out[name] = value end
  end
  return out
end

Handlers.add('info', 'Info', function(msg)
  msg.reply(tokenInfo())
end)

Handlers.add('balance', 'Balance', function(msg)
  local bal = '0'
  if msg.Tags.Recipient then
    bal = Balances[msg.Tags.Recipient] or '0'
  elseif msg.Tags.Target and Balances[msg.Tags.Target] then
    bal = Balances[msg.Tags.Target]
  elseif Balances[msg.From] then
    bal = Balances[msg.From]
  end
  msg.reply({
    Balance = bal,
    Ticker = Ticker,
    Account = msg.Tags.Recipient or msg.From,
    Data = bal,
  })
end)

Handlers.add('balances', 'Balances', function(msg)
  msg.reply({ Data = json.encode(Balances) })
end)

Handlers.add('transfer', 'Transfer', function(msg)
  assert(type(msg.Recipient) == 'string', 'Recipient is required!')
  assert(type(msg.Quantity) == 'string', 'Quantity is required!')
  assert(bint(msg.Quantity) > bint(0), 'Quantity must be greater than 0')

  Balances[msg.From] = Balances[msg.From] or '0'
  Balances[msg.Recipient] = Balances[msg.Recipient] or '0'

  if bint(msg.Quantity) <= bint(Balances[msg.From]) then
    Balances[msg.From] = sub(Balances[msg.From], msg.Quantity)
    Balances[msg.Recipient] = add(Balances[msg.Recipient], msg.Quantity)

    if not msg.Cast then
      local debit = {
        Action = 'Debit-Notice',
        Recipient = msg.Recipient,
        Quantity = msg.Quantity,
        Data = Colors.gray .. 'You transferred ' .. Colors.blue .. msg.Quantity .. Colors.gray ..
          ' to ' .. Colors.green .. msg.Recipient .. Colors.reset,
      }
      local credit = {
        Target = msg.Recipient,
        Action = 'Credit-Notice',
        Sender = msg.From,
        Quantity = msg.Quantity,
        Data = Colors.gray .. 'You received ' .. Colors.blue .. msg.Quantity .. Colors.gray ..
          ' from ' .. Colors.green .. msg.From .. Colors.reset,
      }
      for name, value in pairs(xtags(msg)) do
        debit[name] = value
        credit[name] = value
      end
      msg.reply(debit)
      Send(credit)
    end
    patch({ [msg.From] = Balances[msg.From], [msg.Recipient] = Balances[msg.Recipient] })
  else
    msg.reply({
      Action = 'Transfer-Error',
      ['Message-Id'] = msg.Id,
      Error = 'Insufficient Balance!',
    })
  end
end)

Handlers.add('mint', 'Mint', function(msg)
  assert(type(msg.Quantity) == 'string', 'Quantity is required!')
  assert(bint(0) < bint(msg.Quantity), 'Quantity must be greater than zero!')
  if not Balances[ao.id] then Balances[ao.id] = '0' end
  if msg.From == ao.id then
    Balances[msg.From] = add(Balances[msg.From], msg.Quantity)
    TotalSupply = add(TotalSupply, msg.Quantity)
    msg.reply({
      Data = Colors.gray .. 'Successfully minted ' .. Colors.blue .. msg.Quantity .. Colors.reset,
    })
    patch({ [msg.From] = Balances[msg.From] })
  else
    msg.reply({
      Action = 'Mint-Error',
      ['Message-Id'] = msg.Id,
      Error = 'Only the Process Id can mint new ' .. Ticker .. ' tokens!',
    })
  end
end)

Handlers.add('totalSupply', 'Total-Supply', function(msg)
  assert(msg.From ~= ao.id, 'Cannot call Total-Supply from the same process!')
  msg.reply({ Action = 'Total-Supply', Data = TotalSupply, Ticker = Ticker })
end)

Handlers.add('burn', 'Burn', function(msg)
  assert(type(msg.Quantity) == 'string', 'Quantity is required!')
  assert(bint(msg.Quantity) <= bint(Balances[msg.From] or '0'), 'Quantity must be less than or equal to the current balance!')
  Balances[msg.From] = sub(Balances[msg.From], msg.Quantity)
  TotalSupply = sub(TotalSupply, msg.Quantity)
  msg.reply({
    Data = Colors.gray .. 'Successfully burned ' .. Colors.blue .. msg.Quantity .. Colors.reset,
  })
  patch({ [msg.From] = Balances[msg.From] })
end)

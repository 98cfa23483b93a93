-- Arena blueprint: the game server of the "Bots and Games" tutorials, written for ao-kernel
-- from the behaviour described there (arena mechanics) and observed from the aos arena
-- blueprint. A game cycles between a waiting period (players Register, then pay
-- PaymentQty of PaymentToken, which arrives as a Credit-Notice) and a playing period;
-- time advances with the Timestamp of every message (Tick messages or cron). Game logic
-- such as ao-effect.lua plugs in through playerInitState() and onTick().
local json = require('json')

GameMode = GameMode or 'Not-Started'
StateChangeTime = StateChangeTime or nil
WaitTime = WaitTime or 2 * 60 * 1000
GameTime = GameTime or 20 * 60 * 1000
Now = Now or nil
MinimumPlayers = MinimumPlayers or 2
PaymentToken = PaymentToken or 'ADDR'
PaymentQty = PaymentQty or tostring(1000)
BonusQty = BonusQty or tostring(1000)
Waiting = Waiting or {}
WaitingOrder = WaitingOrder or {}
Players = Players or {}
Winners = Winners or 0
Listeners = Listeners or {}
Rewards = Rewards or {}

local function waitingList()
  local out = {}
  for _, id in ipairs(WaitingOrder) do
    if Waiting[id] ~= nil then out[#out + 1] = id end
  end
  return out
end

function announce(event, description)
  local sent = {}
  local targets = waitingList()
  for _, l in ipairs(Listeners) do targets[#targets + 1] = l end
  for _, target in ipairs(targets) do
    if not sent[target] then
      sent[target] = true
      ao.send({ Target = target, Action = 'Announcement', Event = event, Data = description })
    end
  end
  print(Colors.gray .. 'Announcement: ' .. Colors.red .. event .. ' ' .. Colors.blue ..
    description .. Colors.reset)
end

function sendReward(recipient, qty, reason)
  ao.send({
    Target = PaymentToken,
    Action = 'Transfer',
    Quantity = tostring(qty),
    Recipient = recipient,
    Reason = reason,
  })
  print(Colors.gray .. 'Sent Reward: ' .. Colors.blue .. tostring(qty) .. Colors.gray ..
    ' tokens to ' .. Colors.green .. recipient .. ' ' .. Colors.blue .. reason .. Colors.reset)
end

function startWaitingPeriod()
  GameMode = 'Waiting'
  StateChangeTime = Now + WaitTime
  announce('Started-Waiting-Period', 'The game is about to begin! Send your token to take part.')
  print('Starting Waiting Period')
end

playerInitState = playerInitState or function()
  return {}
end

function startGamePeriod()
  local paid = 0
  for _, id in ipairs(waitingList()) do
    if Waiting[id] then paid = paid + 1 end
  end
  if paid < MinimumPlayers then
    announce('Not-Enough-Players', 'Not enough players registered! Restarting...')
    for _, id in ipairs(waitingList()) do
      if Waiting[id] then
        sendReward(id, PaymentQty, 'Refund')
        Waiting[id] = false
      end
    end
    startWaitingPeriod()
    return
  end
  Players = {}
  for _, id in ipairs(waitingList()) do
    if Waiting[id] then
      Players[id] = playerInitState()
      Waiting[id] = false
    end
  end
  GameMode = 'Playing'
  StateChangeTime = Now + GameTime
  announce('Started-Game', 'The game has started. Good luck!')
end

function eliminatePlayer(eliminated, eliminator)
  sendReward(eliminator, PaymentQty, 'Eliminated-Player')
  Waiting[eliminated] = false
  Players[eliminated] = nil
  ao.send({ Target = eliminated, Action = 'Eliminated', Eliminator = eliminator })
  announce('Player-Eliminated', eliminated .. ' was eliminated by ' .. eliminator .. '!')
  local left = 0
  for _ in pairs(Players) do left = left + 1 end
  if left < MinimumPlayers then endGame() end
end

function endGame()
  local count = 0
  for _ in pairs(Players) do count = count + 1 end
  if count > 0 then
    local reward = math.floor(tonumber(BonusQty) / count)
    for id in pairs(Players) do
      sendReward(id, tostring(reward), 'Win')
      Waiting[id] = false
    end
  end
  Players = {}
  announce('Game-Ended', 'Congratulations! The game has ended.')
  startWaitingPeriod()
end

function removeListener(listener)
  for i = #Listeners, 1, -1 do
    if Listeners[i] == listener then table.remove(Listeners, i) end
  end
end

onTick = onTick or nil

local function tick()
  if GameMode == 'Not-Started' then return end
  if GameMode == 'Waiting' then
    if Now >= StateChangeTime then startGamePeriod() end
  elseif GameMode == 'Playing' then
    if onTick and type(onTick) == 'function' then onTick() end
    if Now >= StateChangeTime then endGame() end
  end
end

Handlers.prepend('Game-State-Timers', function() return 'continue' end, function(msg)
  Now = msg.Timestamp
  tick()
end)

Handlers.add('Transfer', function(msg)
  return msg.Action == 'Credit-Notice' and msg.From == PaymentToken and
    tonumber(msg.Quantity) >= tonumber(PaymentQty) and 'continue'
end, function(msg)
  if GameMode ~= 'Waiting' or Waiting[msg.Sender] == nil then
    sendReward(msg.Sender, msg.Quantity, 'Refund')
    return
  end
  Waiting[msg.Sender] = true
  ao.send({ Target = msg.Sender, Action = 'Payment-Received' })
  announce('Player-Ready', msg.Sender .. ' is ready to play!')
end)

Handlers.add('Tick', 'Tick', function()
  if GameMode == 'Waiting' then
    announce('Tick', 'The game will start in ' .. ((StateChangeTime - Now) / 1000) .. ' seconds.')
  elseif GameMode == 'Playing' then
    announce('Tick', 'The game will end in ' .. ((StateChangeTime - Now) / 1000) .. ' seconds.')
  end
end)

Handlers.add('Register', 'Register', function(msg)
  if GameMode == 'Not-Started' then startWaitingPeriod() end
  if msg.Mode ~= 'Listen' and Waiting[msg.From] == nil then
    Waiting[msg.From] = false
    WaitingOrder[#WaitingOrder + 1] = msg.From
  end
  removeListener(msg.From)
  table.insert(Listeners, msg.From)
  ao.send({ Target = msg.From, Action = 'Registered' })
  announce('New Player Registered', msg.From .. ' has joined in waiting.')
end)

Handlers.add('Unregister', 'Unregister', function(msg)
  removeListener(msg.From)
  Waiting[msg.From] = nil
  ao.send({ Target = msg.From, Action = 'Unregistered' })
end)

Handlers.add('AddListener', 'AddListener', function(msg)
  removeListener(msg.From)
  table.insert(Listeners, msg.From)
  ao.send({ Target = msg.From, Action = 'Listening' })
end)

Handlers.add('GetGameState', 'GetGameState', function(msg)
  local players = {}
  for id, state in pairs(Players) do players[id] = state end
  ao.send({
    Target = msg.From,
    Action = 'GameState',
    Data = json.encode({
      GameMode = GameMode,
      TimeRemaining = StateChangeTime and (StateChangeTime - Now) or 0,
      Players = players,
    }),
  })
end)

Handlers.add('RequestTokens', 'RequestTokens', function(msg)
  print('Transfering Tokens: ' .. tostring(PaymentQty))
  ao.send({
    Target = PaymentToken,
    Action = 'Transfer',
    Quantity = tostring(PaymentQty),
    Recipient = msg.From,
  })
end)

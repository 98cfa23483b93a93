-- The game server of the AO Cookbook's "Bots and Games" tutorials (the live "ao-effect"
-- game), as a stand-in written for ao-kernel. Loaded after the arena blueprint, which
-- runs the waiting / playing cycle, payments (Credit-Notice) and announcements; this file
-- adds the game itself:
--   a Width x Height grid (it wraps around), players start at a random cell with
--   Health 100 and Energy 0; Energy grows with time (EnergyPerSec, up to MaxEnergy);
--   Action = "PlayerMove", Direction = Up|Down|Left|Right|UpRight|UpLeft|DownRight|DownLeft
--   Action = "PlayerAttack", AttackEnergy = n: every other player within Range cells
--     loses damage = floor((2 / 3 + 1 / 3 * random) * n * 100 / MaxEnergy) health; the
--     target gets Action = "Hit", the attacker Action = "Successful-Hit"; a player at 0
--     health is eliminated (arena's eliminatePlayer).
-- Cron messages (spawn the game with a cron interval) keep its clock moving and announce
-- a "Tick" to every listener, so bots can react without anyone sending Tick by hand.
Width = Width or 40
Height = Height or 40
Range = Range or 1
MaxEnergy = MaxEnergy or 100
EnergyPerSec = EnergyPerSec or 1
LastTick = LastTick or nil

local Directions = {
  Up = { x = 0, y = -1 }, Down = { x = 0, y = 1 },
  Left = { x = -1, y = 0 }, Right = { x = 1, y = 0 },
  UpRight = { x = 1, y = -1 }, UpLeft = { x = -1, y = -1 },
  DownRight = { x = 1, y = 1 }, DownLeft = { x = -1, y = 1 },
}

function playerInitState()
  return {
    x = math.random(1, Width),
    y = math.random(1, Height),
    health = 100,
    energy = 0,
  }
end

function onTick()
  if LastTick ~= nil then
    local gained = math.floor((Now - LastTick) / 1000 * EnergyPerSec)
    if gained > 0 then
      for _, player in pairs(Players) do
        player.energy = math.min(MaxEnergy, player.energy + gained)
      end
      LastTick = LastTick + gained * 1000 / EnergyPerSec
    end
  else
    LastTick = Now
  end
end

local function wrap(value, size)
  return ((value - 1) % size) + 1
end

local function inRange(a, b)
  local dx = math.abs(a.x - b.x)
  local dy = math.abs(a.y - b.y)
  dx = math.min(dx, Width - dx)
  dy = math.min(dy, Height - dy)
  return dx <= Range and dy <= Range
end

Handlers.add("PlayerMove", "PlayerMove", function(msg)
  local player = Players[msg.From]
  local dir = Directions[msg.Direction or ""]
  if GameMode ~= "Playing" or player == nil then
    ao.send({ Target = msg.From, Action = "Move-Failed", Reason = "Not playing." })
    return
  end
  if dir == nil then
    ao.send({ Target = msg.From, Action = "Move-Failed", Reason = "Invalid direction." })
    return
  end
  player.x = wrap(player.x + dir.x, Width)
  player.y = wrap(player.y + dir.y, Height)
  announce("Player-Moved", msg.From:sub(1, 8) .. " moved to " .. player.x .. "," .. player.y .. ".")
end)

Handlers.add("PlayerAttack", "PlayerAttack", function(msg)
  local attacker = Players[msg.From]
  -- aos 2025 builds normalise tag names: AttackEnergy arrives as Attackenergy
  local energy = math.floor(tonumber(msg.AttackEnergy or msg.Attackenergy) or 0)
  if GameMode ~= "Playing" or attacker == nil then
    ao.send({ Target = msg.From, Action = "Attack-Failed", Reason = "Not playing." })
    return
  end
  if energy <= 0 or energy > attacker.energy then
    ao.send({ Target = msg.From, Action = "Attack-Failed", Reason = "Not enough energy." })
    return
  end
  attacker.energy = attacker.energy - energy
  local damage = math.floor((2 / 3 + 1 / 3 * math.random()) * energy * 100 / MaxEnergy)
  announce("Attack", msg.From:sub(1, 8) .. " attacked with " .. energy .. " energy.")
  local targets = {}
  for id, player in pairs(Players) do
    if id ~= msg.From and inRange(attacker, player) then targets[#targets + 1] = id end
  end
  table.sort(targets)
  for _, id in ipairs(targets) do
    local target = Players[id]
    if target ~= nil then -- an elimination may have ended the game
      target.health = math.max(0, target.health - damage)
      ao.send({ Target = id, Action = "Hit", Attacker = msg.From, Damage = tostring(damage),
        Health = tostring(target.health) })
      ao.send({ Target = msg.From, Action = "Successful-Hit", Recipient = id,
        Damage = tostring(damage), Health = tostring(target.health) })
      if target.health <= 0 then eliminatePlayer(id, msg.From) end
    end
  end
end)

Handlers.add("cron", "Cron", function()
  if GameMode == "Waiting" or GameMode == "Playing" then
    local left = math.floor((StateChangeTime - Now) / 1000)
    local what = GameMode == "Waiting" and "starts" or "ends"
    announce("Tick", "The game " .. what .. " in " .. left .. " seconds.")
  end
end)

-- Tokens the payment token sends from its own treasury fund the game (RequestTokens pays
-- players from them); the arena would otherwise refund them as a late payment.
Handlers.prepend("treasury", function(msg)
  return msg.Action == "Credit-Notice" and msg.From == PaymentToken and
    msg.Sender == PaymentToken
end, function(msg)
  print("Treasury funded with " .. msg.Quantity)
end)

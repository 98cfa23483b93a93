# %% [markdown]
# # 08 · Bots and games: an arena server, a bot that plays it, cron ticks
#
# **You will learn**
# - how a game server built on the **arena blueprint** runs: waiting period, payment,
#   playing period, announcements;
# - how to write a **bot**: handlers for `Announcement`, `GameState` and `Hit`, and a
#   `decideNextAction` function;
# - how **cron** messages move a process forward in time, and how a *virtual clock* makes
#   that instant and repeatable (`node.advance`).
#
# Kernel: **Python 3** with the ao-kernel API. You need notebooks 03 to 05.

# %%
import json
from collections import Counter

import ao_kernel as ao
from ao_kernel.testing.wallets import dev_wallet
from ao_kernel.tutorials import spawn_game

node = ao.Node(clock="virtual", wallet=dev_wallet(1))
game = spawn_game(node, cron="10-seconds", wait_ms=60_000, game_ms=5 * 60_000)
game.eval("Width = 6; Height = 6")        # a small board, so the bots meet quickly
game_token = game.inspect("return PaymentToken")
print("game:", game.id)
print("token:", game_token)

# %% [markdown]
# ## The game server
#
# The cookbook's bots play a live game, *ao-effect*, on the network. `spawn_game` starts a
# stand-in here: the **arena blueprint** (the game loop: register, pay, wait, play,
# announce) plus the ao-effect rules (a grid, health, energy, attacks), and a token the
# game is paid in. The game's protocol, by `Action`:
#
# | you send | the game answers |
# |---|---|
# | `RequestTokens` | a `Transfer` of 1000 game tokens to you (for practice) |
# | `Register` | `Registered`; you are in the waiting list |
# | a `Transfer` of 1000 to the game, on the game's token | `Payment-Received` |
# | `GetGameState` | `GameState` with JSON `Data` (mode, time left, players) |
# | `PlayerMove` with `Direction` | an announcement `Player-Moved` |
# | `PlayerAttack` with `AttackEnergy` | `Hit` to players in range, `Successful-Hit` to you |
#
# and it sends every registered player an `Announcement` (with an `Event` tag) when
# something happens.
#
# ## Time and cron
#
# A process only runs when a message arrives, so who tells the game that the waiting
# period is over? **Cron**: the game was spawned with `cron="10-seconds"`, so the node
# delivers it a message (`Action = "Cron"`) every 10 seconds of node time. Each one lets
# the game check its timers and announce a `Tick`. On a *virtual* clock, time only moves
# when you say so: `node.advance(ms)` fires every tick due on the way, instantly, and the
# same way every run.
#
# ## The bot
#
# The bot is Lua in its own process, in a file as in the cookbook (`bot.lua`). It reacts:
# on an announcement it asks for the game state; with the state it decides to attack (an
# opponent within one cell) or to move at random; when it registers it pays.

# %%
%%writefile bot.lua
local json = require("json")
-- Game and GameToken (process IDs) are set before this file is loaded
LatestGameState = LatestGameState or nil
InAction = InAction or false
Log = Log or {}

local directions = { "Up", "Down", "Left", "Right", "UpRight", "UpLeft", "DownRight", "DownLeft" }

local function inRange(a, b)
  return math.abs(a.x - b.x) <= 1 and math.abs(a.y - b.y) <= 1
end

function decideNextAction()
  local state = LatestGameState
  local me = state and state.Players[ao.id]
  if state == nil or state.GameMode ~= "Playing" or me == nil then
    InAction = false
    return
  end
  for id, other in pairs(state.Players) do
    if id ~= ao.id and inRange(me, other) and me.energy > 0 then
      ao.send({ Target = Game, Action = "PlayerAttack", AttackEnergy = tostring(me.energy) })
      InAction = false
      return
    end
  end
  ao.send({ Target = Game, Action = "PlayerMove", Direction = directions[math.random(#directions)] })
  InAction = false
end

Handlers.add("registered", { Action = "Registered" }, function(msg)
  ao.send({ Target = GameToken, Action = "Transfer", Recipient = Game, Quantity = "1000" })
end)

Handlers.add("announcement", { Action = "Announcement" }, function(msg)
  table.insert(Log, msg.Event)
  if (msg.Event == "Tick" or msg.Event == "Started-Game") and not InAction then
    InAction = true
    ao.send({ Target = Game, Action = "GetGameState" })
  end
end)

Handlers.add("gamestate", { Action = "GameState" }, function(msg)
  LatestGameState = json.decode(msg.Data)
  decideNextAction()
end)

Handlers.add("hit", { Action = "Hit" }, function(msg)
  print("Hit! health " .. msg.Health)
end)

# %%
bots = []
for name in ("neo-bot", "sparring-bot"):
    bot = node.spawn(name=name, lua=f'Game = "{game.id}"\nGameToken = "{game_token}"')
    print(name, bot.load("bot.lua").error or "loaded")
    bots.append(bot)
neo_bot = bots[0]

# %% [markdown]
# `math.random` in a process is deterministic: aos seeds it from the process, so a replay
# of the same messages makes the same "random" moves. Now each bot asks for practice
# tokens and registers; registering triggers the payment (the `registered` handler).

# %%
for bot in bots:
    bot.eval('Send({ Target = Game, Action = "RequestTokens" })')
    bot.eval('Send({ Target = Game, Action = "Register" })')
print(game.inspect("return GameMode"), game.inspect("return Waiting"))

# %% [markdown]
# `Waiting` maps each registered player to whether it has paid: both have. Now let three
# minutes of node time pass: the waiting minute ends, the game starts, and every tick
# sets the bots moving.

# %%
ticks = node.advance(3 * 60_000)
print(len(ticks), "cron ticks fired; game mode:", game.inspect("return GameMode"))
print(json.dumps(game.inspect("return Players"), indent=1))

# %%
Counter(neo_bot.inspect("return Log"))

# %% [markdown]
# Every announcement the bot saw is in its `Log`. Read it as a story: both players got
# ready, the game started, the bots moved until they met, attacked, and one eliminated the
# other; a game needs two players, so that ended it (`Game-Ended`). Let four more minutes
# pass:

# %%
node.advance(4 * 60_000)
print(Counter(neo_bot.inspect("return Log")))
print("neo-bot's last messages:", [m.get("Action") for m in neo_bot.inbox][-4:])

# %% [markdown]
# A new waiting period keeps starting and finding nobody who paid (`Not-Enough-Players`);
# the `Credit-Notice`s are game tokens paid to the winner. Everything above took well under a second of real time
# and replays identically: the schedule, not the wall clock, drives every process.
#
# ## Exercise 1: a smarter bot
#
# The bot attacks with **all** its energy. Change `decideNextAction` in `neo-bot` so it
# only attacks when it has at least 30 energy (otherwise it moves), by evaluating a new
# definition of the function in the bot: `neo_bot.eval("""function decideNextAction() ...
# end""")`. Set the global `MinAttack = 30` too, and use it.

# %%
# your code here

# %%
# check
if neo_bot.inspect("return MinAttack") == 30:
    print("well done: neo-bot now waits for 30 energy before it attacks")
else:
    print("not yet: neo_bot.eval('MinAttack = 30'), then redefine decideNextAction to "
          "check me.energy >= MinAttack")

# %% [markdown]
# ## Exercise 2: read the game state yourself
#
# Send the game a `GetGameState` from `neo-bot` and store the decoded JSON answer's
# `GameMode` in a Python variable `mode`. (Hint: the bot's `gamestate` handler already
# stores the decoded state in `LatestGameState`.)

# %%
mode = None  # your code here

# %%
# check
truth = game.inspect("return GameMode")
if mode is None:
    print("not yet: neo_bot.eval('Send({ Target = Game, Action = \"GetGameState\" })'), "
          "then neo_bot.inspect('return LatestGameState.GameMode')")
elif mode == truth:
    print(f"well done: the game is {mode}")
else:
    print(f"not quite: {mode!r}, but the game says {truth!r}")

# %% [markdown]
# ## What you learned
#
# A game server is a process with a protocol of actions and announcements; a bot is a
# process whose handlers react to them; cron messages give processes a heartbeat, and a
# virtual clock makes hours of game time instant and repeatable. Next: **09 · AO-Core**
# (notebook `01-ao-core-messages`) and **10 · The scheduler**.
#
# ## Solutions

# %%
neo_bot.eval("""
MinAttack = 30
function decideNextAction()
  local state = LatestGameState
  local me = state and state.Players[ao.id]
  if state == nil or state.GameMode ~= "Playing" or me == nil then
    InAction = false
    return
  end
  for id, other in pairs(state.Players) do
    if id ~= ao.id and math.abs(me.x - other.x) <= 1 and math.abs(me.y - other.y) <= 1
        and me.energy >= MinAttack then
      ao.send({ Target = Game, Action = "PlayerAttack", AttackEnergy = tostring(me.energy) })
      InAction = false
      return
    end
  end
  local directions = { "Up", "Down", "Left", "Right" }
  ao.send({ Target = Game, Action = "PlayerMove", Direction = directions[math.random(4)] })
  InAction = false
end
""").error

# %%
neo_bot.eval('Send({ Target = Game, Action = "GetGameState" })')
mode = neo_bot.inspect("return LatestGameState.GameMode")
mode

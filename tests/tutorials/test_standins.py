"""The stand-ins for the live processes of the AO Cookbook (ao_kernel.tutorials) follow
the cookbook's flows: Morpheus and Trinity through messaging, chatroom, token and
tokengating; the game server through payment, a played game and its end."""

from __future__ import annotations

import json
from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.testing.wallets import dev_wallet
from ao_kernel.tutorials import (
    follow_blocks,
    game_source,
    morpheus_source,
    spawn_game,
    spawn_morpheus,
    spawn_trinity,
    trinity_source,
)

CHATROOM = """
Members = Members or {}
Handlers.add("Register", { Action = "Register" }, function(msg)
  table.insert(Members, msg.From)
  msg.reply({ Data = "registered" })
end)
Handlers.add("Broadcast", { Action = "Broadcast" }, function(msg)
  for _, member in ipairs(Members) do ao.send({ Target = member, Data = msg.Data }) end
  msg.reply({ Data = "Broadcasted." })
end)
"""

GATED = """
Handlers.add("Broadcast", { Action = "Broadcast" }, function(msg)
  if tonumber(Balances[msg.From] or "0") < 1 then print("UNAUTH REQ: " .. msg.From) return end
  for _, member in ipairs(Members) do
    ao.send({ Target = member, Action = "Broadcasted", Broadcaster = msg.From, Data = msg.Data })
  end
end)
"""


@pytest.fixture
def node() -> ao.Node:
    return ao.Node(clock="virtual", wallet=dev_wallet(1))


def last_data(proc: Any) -> str:
    return str(proc.inbox[-1].get("Data"))


def ok(res: Any) -> Any:
    assert res.error is None, res.error
    return res


def test_sources_are_lua_that_names_what_the_host_sets() -> None:
    assert 'Trinity = "abc"' in morpheus_source("abc")
    assert "Credit-Notice" in trinity_source()
    src = game_source("tok", wait_ms=1000, game_ms=2000, minimum_players=3)
    assert 'PaymentToken = "tok"' in src and "WaitTime = 1000" in src
    assert "MinimumPlayers = 3" in src and "PlayerAttack" in src


def test_morpheus_answers_and_unlocks(node: ao.Node) -> None:
    neo = node.spawn(name="neo")
    morpheus = spawn_morpheus(node)
    ok(neo.eval(f'Morpheus = "{morpheus.id}"'))
    ok(neo.eval('Send({ Target = Morpheus, Data = "Morpheus?" })'))
    assert neo.inbox[-1]["From"] == morpheus.id and "I am here" in last_data(neo)
    ok(neo.eval('Send({ Target = Morpheus, Action = "Unlock", Data = "Code: rabbithole" })'))
    assert neo.inbox[-1]["Action"] == "Unlocked"
    ok(neo.eval('Send({ Target = Morpheus, Action = "Unlock", Data = "Code: nope" })'))
    assert neo.inbox[-1]["Action"] == "Unlock-Failed"


def test_morpheus_and_trinity_join_a_chatroom(node: ao.Node) -> None:
    room = node.spawn(name="room", lua=CHATROOM)
    morpheus = spawn_morpheus(node)
    ok(room.eval('Send({ Target = ao.id, Action = "Register" })'))
    ok(room.eval(f'Send({{ Target = "{morpheus.id}", Action = "Join" }})'))
    assert morpheus.id in room.inspect("return Members")
    announcement = last_data(room)
    trinity_id = announcement.rsplit("Her process ID: ", 1)[1].strip()
    assert trinity_id == morpheus.inspect("return Trinity")
    ok(room.eval(f'Send({{ Target = "{trinity_id}", Action = "Join" }})'))
    assert trinity_id in room.inspect("return Members")
    assert "token" in last_data(room)


def test_trinity_thanks_for_tokens_and_judges_the_gate(node: ao.Node) -> None:
    room = node.spawn(name="room", lua=CHATROOM)
    trinity = spawn_trinity(node)
    ok(room.load_blueprint("token"))
    ok(room.eval('Send({ Target = ao.id, Action = "Register" })'))
    ok(room.eval(f'Send({{ Target = "{trinity.id}", Action = "Join" }})'))
    ok(room.eval(f'Send({{ Target = ao.id, Action = "Transfer", Recipient = "{trinity.id}", '
                 f'Quantity = "1000" }})'))
    assert room.inspect(f'return Balances["{trinity.id}"]') == "1000"
    assert room.inbox[-1]["From"] == trinity.id and "Token received" in last_data(room)
    # an ungated chatroom gets a reminder, a gated one the verdict
    ok(room.eval('Send({ Target = ao.id, Action = "Broadcast", Data = "It is done" })'))
    assert "Tokengate it first" in last_data(room)
    ok(room.eval(GATED))
    ok(room.eval('Send({ Target = ao.id, Action = "Broadcast", Data = "It is done" })'))
    assert "Morpheus was right" in last_data(room)
    assert trinity.inspect(f'return Convinced["{room.id}"]') is True


def test_trinity_asks_for_a_thousand(node: ao.Node) -> None:
    token = node.spawn(name="tok")
    ok(token.load_blueprint("token"))
    trinity = spawn_trinity(node)
    ok(token.eval(f'Send({{ Target = ao.id, Action = "Transfer", Recipient = "{trinity.id}", '
                  f'Quantity = "10" }})'))
    assert "1000" in last_data(token)


BOT = """
local json = require("json")
Log = Log or {}
InAction = false
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
  local state = json.decode(msg.Data)
  local me = state.Players[ao.id]
  InAction = false
  if state.GameMode ~= "Playing" or me == nil then return end
  for id, other in pairs(state.Players) do
    if id ~= ao.id and math.abs(me.x - other.x) <= 1 and math.abs(me.y - other.y) <= 1
        and me.energy > 0 then
      ao.send({ Target = Game, Action = "PlayerAttack", AttackEnergy = tostring(me.energy) })
      return
    end
  end
  local dirs = { "Up", "Down", "Left", "Right" }
  ao.send({ Target = Game, Action = "PlayerMove", Direction = dirs[math.random(4)] })
end)
"""


def test_the_game_is_funded_and_pays_practice_tokens(node: ao.Node) -> None:
    game = spawn_game(node)
    token = node.process(game.inspect("return PaymentToken"))
    assert int(token.inspect(f'return Balances["{game.id}"]')) > 0
    player = node.spawn(name="player", lua=f'Game = "{game.id}"')
    ok(player.eval('Send({ Target = Game, Action = "RequestTokens" })'))
    assert token.inspect(f'return Balances["{player.id}"]') == "1000"


def test_a_game_is_played_with_cron_ticks(node: ao.Node) -> None:
    game = spawn_game(node, cron="10-seconds", wait_ms=60_000, game_ms=5 * 60_000)
    ok(game.eval("Width = 6; Height = 6"))
    token = game.inspect("return PaymentToken")
    bots = [node.spawn(name=f"bot{i}", lua=f'Game = "{game.id}"\nGameToken = "{token}"\n' + BOT)
            for i in range(2)]
    for bot in bots:
        ok(bot.eval('Send({ Target = Game, Action = "RequestTokens" })'))
        ok(bot.eval('Send({ Target = Game, Action = "Register" })'))
    assert game.inspect("return Waiting") == {bot.id: True for bot in bots}
    ticks = node.advance(7 * 60_000)
    assert len(ticks) == 42
    events = bots[0].inspect("return Log")
    for event in ("Started-Game", "Tick", "Player-Moved", "Attack", "Game-Ended"):
        assert event in events, event
    state = game.dry_run(action="GetGameState").messages[0]
    assert json.loads(state["Data"])["GameMode"] == "Waiting"
    assert node.verify(game)


def test_moves_and_attacks_outside_a_game_fail_politely(node: ao.Node) -> None:
    game = spawn_game(node, cron=None)
    res = ok(game.dry_run(action="PlayerMove", tags={"Direction": "Up"}))
    assert res.messages[0]["Action"] == "Move-Failed"
    res = ok(game.dry_run(action="PlayerAttack", tags={"AttackEnergy": "5"}))
    assert res.messages[0]["Action"] == "Attack-Failed"


def test_follow_blocks_moves_block_height_with_the_clock(node: ao.Node) -> None:
    follow_blocks(node, start=100, ms_per_block=1000)
    proc = node.spawn(name="blocks")
    assert proc.inbox[0]["Block-Height"] == 100
    node.advance(5000)
    proc.send(action="Later")
    assert proc.inbox[-1]["Block-Height"] == 105
    assert node.verify(proc)


def test_without_a_node_outside_jupyter_the_helpers_say_what_to_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import IPython

    # other tests may have left a global IPython shell with the AO magics loaded
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    with pytest.raises(TypeError, match="pass a node"):
        spawn_morpheus()

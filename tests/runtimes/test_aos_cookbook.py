"""Cookbook flows (ao cookbook, Tutorials -> Begin), run across several processes."""

from aos_harness import AosHarness, AosNet, plain


def data(res):
    return plain(res["Output"]["data"])


def test_ping_pong():
    p = AosHarness(name="pinger")
    p.eval(
        'Handlers.add("pingpong", Handlers.utils.hasMatchingData("ping"),'
        ' Handlers.utils.reply("pong"))'
    )
    res = p.send({"Data": "ping", "From": "FRIEND"})
    (pong,) = res["Messages"]
    assert pong["Target"] == "FRIEND"
    assert pong["Data"] == "pong"


def test_ping_pong_between_two_processes_ends():
    a, b = AosHarness(name="a"), AosHarness(name="b")
    for proc in (a, b):
        proc.eval(
            'Handlers.add("ping", "Ping", function(m)\n'
            "  Pings = (Pings or 0) + 1\n"
            '  if Pings < 3 then m.reply({Action = "Ping"}) end\nend)'
        )
    net = AosNet(a, b)
    net.send(a, {"Action": "Eval", "Data": f'Send({{Target = "{b.process_id}", Action = "Ping"}})'})
    assert a.lua("return Pings") == 2
    assert b.lua("return Pings") == 3
    assert len(net.log) == 5


CHATROOM = """
Members = Members or {}

Handlers.add("Register", {Action = "Register"}, function(msg)
  table.insert(Members, msg.From)
  print(msg.From .. " Registered")
  msg.reply({Data = "Registered."})
end)

Handlers.add("Broadcast", {Action = "Broadcast"}, function(msg)
  for _, recipient in ipairs(Members) do
    ao.send({Target = recipient, Data = msg.Data})
  end
  msg.reply({Data = "Broadcasted."})
end)
"""


def test_chatroom():
    room = AosHarness(name="chatroom")
    alice, bob = AosHarness(name="alice"), AosHarness(name="bob")
    net = AosNet(room, alice, bob)
    assert room.eval(CHATROOM)["Output"]["data"] == ""
    for member in (alice, bob):
        net.send(
            member,
            {
                "Action": "Eval",
                "Data": f'Send({{Target = "{room.process_id}", Action = "Register"}})',
            },
        )
        assert plain(member.lua("return Inbox[#Inbox].Data")) == "Registered."
    assert room.lua("return Members") == [alice.process_id, bob.process_id]

    net.send(
        alice,
        {
            "Action": "Eval",
            "Data": f'Send({{Target = "{room.process_id}", '
            f'Action = "Broadcast", Data = "Hello all"}})',
        },
    )
    assert bob.lua("return Inbox[#Inbox].Data") == "Hello all"
    assert alice.lua("local d = {} for i, m in ipairs(Inbox) do d[i] = m.Data end return d")[
        -2:
    ] == ["Hello all", "Broadcasted."]
    broadcast = next(
        res
        for src, dst, res in net.log
        if dst == room.process_id and len(res.get("Messages", [])) == 3
    )
    assert [m["Target"] for m in broadcast["Messages"]] == [
        alice.process_id,
        bob.process_id,
        alice.process_id,
    ]


# Target is a tag here (the proposal), not the message's root Target
VOTE = {"Action": "Vote", "From": "ALICE", "Side": "yay", "Deadline": "5",
        "Tags": [{"name": "Target", "value": "prop1"}]}


def _staked_voter(blueprint):
    from ao_kernel.runtimes.aos import blueprint as source

    p = AosHarness()
    for name in ("token", "staking", blueprint):
        assert "Error" not in p.eval(source(name)), name
    p.lua("Balances['ALICE'] = '1000'")
    assert "Error" not in p.send({"Action": "Stake", "From": "ALICE", "Quantity": "300",
                                  "UnstakeDelay": "10"})
    return p


def test_voting_blueprint_fails_every_vote_as_aos_does():
    # aos's voting.lua compares staking's string amount with 0 (recording voting)
    p = _staked_voter("voting")
    res = p.send(VOTE)
    assert "attempt to compare number with string" in res["Error"]
    assert p.lua("return next(Votes)") is None


def test_voting_fixed_blueprint_counts_the_stake():
    p = _staked_voter("voting-fixed")
    p.send(VOTE)
    assert p.lua("return Votes.prop1.yay") == "300"
    p.block_height += 10
    assert "Vote on prop1 passed" in data(p.send({"Action": "Info", "From": "ALICE"}))
    assert p.lua("return Votes.prop1") is None

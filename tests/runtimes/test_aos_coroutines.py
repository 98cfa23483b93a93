"""Receive, Send(...).receive() and .onReply(): handlers suspended across messages.

Two runtime instances are driven from Python; the outbox message of one is pushed into
the other the way a messenger unit does (From-Process tag, Owner = the MU's address).
"""

from aos_harness import MU, AosHarness, AosNet, plain


def data(res):
    return plain(res["Output"]["data"])


def oracle():
    b = AosHarness(name="oracle")
    b.eval('Handlers.add("q", "Q", function(m) m.reply({Data = "4" .. m.Data}) end)')
    return b


def test_send_receive_resumes_across_two_processes():
    a, b = AosHarness(name="asker"), oracle()
    a.eval(
        f'Handlers.add("ask", "Ask", function(m)\n'
        f'  local r = Send({{Target = "{b.process_id}", Action = "Q", Data = m.Data}}).receive()\n'
        f'  print("got " .. r.Data)\nend)'
    )
    first = a.send({"Action": "Ask", "Data": "2"})
    assert data(first) == ""
    (question,) = first["Messages"]
    assert {"name": "Action", "value": "Q"} in question["Tags"]
    assert a.lua("return #Handlers.coroutines") == 1
    answer = b.deliver(question, a)["Messages"][0]
    assert {"name": "X-Reference", "value": "1"} in answer["Tags"]
    done = a.deliver(answer, b)
    assert data(done) == "got 42"
    # finished, but still listed: the real module prunes Handlers.coroutines in one
    # pass that skips the entry after each removal (recording receive_reply)
    assert a.lua("return coroutine.status(Handlers.coroutines[1])") == "dead"
    assert a.lua("return #Handlers.coroutines") == 1
    assert a.lua("return #Inbox") == 1  # the reply was consumed, not stored


def test_replies_resume_the_right_waiter():
    a = AosHarness(name="asker")
    a.eval(
        'Handlers.add("ask", "Ask", function(m)\n'
        '  local r = Send({Target = "SVC", Action = "Q"}).receive()\n'
        '  print(m.Data .. "<-" .. r.Data)\nend)'
    )
    r1 = a.send({"Action": "Ask", "Data": "one"})["Messages"][0]
    r2 = a.send({"Action": "Ask", "Data": "two"})["Messages"][0]

    def reply(question, body):
        ref = next(t["value"] for t in question["Tags"] if t["name"] == "Reference")
        return a.send({"From": "SVC", "Owner": MU, "X-Reference": ref, "Data": body})

    assert data(reply(r2, "B")) == "two<-B"
    assert data(reply(r1, "A")) == "one<-A"


def test_reply_from_the_wrong_sender_does_not_resume():
    a = AosHarness(name="asker")
    a.eval(
        'Handlers.add("ask", "Ask", function()\n'
        '  print("got " .. Send({Target = "SVC", Action = "Q"}).receive().Data)\nend)'
    )
    a.send({"Action": "Ask"})
    res = a.send({"From": "IMPOSTOR", "Owner": MU, "X-Reference": "1", "Data": "x"})
    assert data(res).startswith("New Message From IMP")
    assert data(a.send({"From": "SVC", "Owner": MU, "X-Reference": "1", "Data": "y"})) == "got y"


def test_on_reply_registers_a_once_handler():
    a, b = AosHarness(name="asker"), oracle()
    res = a.eval(
        f'Send({{Target = "{b.process_id}", Action = "Q", Data = "7"}})'
        '.onReply(function(r) print("reply " .. r.Data) end)'
    )
    net = AosNet(a, b)
    net.pump(a, res)
    (_, to, last) = net.log[-1]
    assert to == a.process_id
    assert data(last) == "reply 47"


def test_receive_with_a_pattern():
    a = AosHarness()
    a.eval(
        'Handlers.add("wait", "Wait", function()\n'
        '  local m = Receive({Action = "Go"})\n  print("went " .. m.Data)\nend)'
    )
    a.send({"Action": "Wait"})
    assert data(a.send({"Action": "Other"})).startswith("New Message")
    assert data(a.send({"Action": "Go", "Data": "now"})) == "went now"


def test_spawn_receive_waits_for_spawned():
    a = AosHarness()
    a.eval(
        'Handlers.add("make", "Make", function()\n'
        '  local s = Spawn({Data = "child"}).receive()\n  print("child " .. s.Process)\nend)'
    )
    spawn = a.send({"Action": "Make"})["Spawns"][0]
    ref = next(t["value"] for t in spawn["Tags"] if t["name"] == "Reference")
    res = a.send(
        {
            "From": a.process_id,
            "Owner": MU,
            "Action": "Spawned",
            "Reference": ref,
            "Process": "CHILD",
        }
    )
    assert data(res) == "child CHILD"


def test_error_after_resuming_is_reported_and_rolled_back():
    a = AosHarness()
    a.eval(
        'Handlers.add("ask", "Ask", function()\n'
        '  local r = Send({Target = "SVC"}).receive()\n'
        "  Got = true\n"
        '  error("after " .. r.Data)\nend)'
    )
    a.send({"Action": "Ask"})
    res = a.send({"From": "SVC", "Owner": MU, "X-Reference": "1", "Data": "reply"})
    assert "after reply" in res["Error"]
    assert a.lua("return Got") is None
    assert a.lua("return #Handlers.coroutines") == 1  # still waiting: the state was rolled back

"""Every AO magic, and every UsageError, through IPython's real shell (%load_ext ao_kernel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

from ao_kernel.jupyter.magics import HELP, LuaError, parse_duration
from ao_kernel.jupyter.session import Session
from ao_kernel.runtimes.aos import AOS_MODULE_ID, blueprint_names
from ao_kernel.testing.wallets import dev_wallet


def line(ip: Any, name: str, arg: str = "") -> Any:
    return ip.run_line_magic(name, arg)


def lua(ip: Any, code: str, target: str = "") -> Any:
    return ip.run_cell_magic("lua", target, code)


# -- %ao help -----------------------------------------------------------------------------


def test_ao_help_lists_every_magic(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    line(ip, "ao", "help")
    out = capsys.readouterr().out
    for magic in ("%spawn", "%connect", "%process", "%send", "%%lua", "%ao_load FILE",
                  "%load-blueprint", "%inbox", "%schedule", "%state", "%hashpath",
                  "%commitments", "%verify", "%resolve", "%snapshot", "%restore", "%clock",
                  "%ao_store", "%remote URL | local", "%%python", "%graph", "%timeline",
                  "%configure", "%payments", "%topup", "%balance", "%costs", "%publish"):
        assert magic in out, magic
    for name in blueprint_names():
        assert name in out
    assert out.startswith(HELP.splitlines()[0])


def test_ao_unknown_command(ip: Any) -> None:
    with pytest.raises(UsageError, match="'frobnicate'"):
        line(ip, "ao", "frobnicate")


# -- processes ----------------------------------------------------------------------------


def test_spawn_with_name_tags_module_cron_and_lua(ip: Any, session: Session,
                                                  tmp_path: Path) -> None:
    boot = tmp_path / "boot.lua"
    boot.write_text("Greeting = 'hello from boot'\n")
    proc = line(ip, "spawn", f"--name pinger --tag App=demo --tag Level=3 "
                             f"--module {AOS_MODULE_ID} --cron 10-seconds --lua {boot}")
    assert proc.name == "pinger"
    assert session.current_pid == proc.id
    definition = proc.definition
    assert definition.text("app") == "demo" and definition.text("level") == "3"
    assert definition.text("cron-interval") == "10-seconds"
    assert lua(ip, "return Greeting").output == "hello from boot"


@pytest.mark.parametrize(("arg", "named"), [
    ("--tag oops", "--tag 'oops'"),
    ("--tag =v", "--tag '=v'"),
    ("--cron often", "--cron 'often'"),
    ("--lua /no/such/file.lua", "/no/such/file.lua"),
    ("--colour red", "--colour"),
])
def test_spawn_usage_errors(ip: Any, session: Session, arg: str, named: str) -> None:
    with pytest.raises(UsageError, match=named.replace("(", r"\(")):
        line(ip, "spawn", arg)
    assert session.current_pid is None  # nothing was spawned


def test_connect_and_process(ip: Any, session: Session) -> None:
    first = line(ip, "spawn", "--name one")
    second = line(ip, "spawn", "--name two")
    assert line(ip, "process") == second
    assert line(ip, "connect", "one") == first
    assert session.current_pid == first.id
    assert line(ip, "connect", second.id) == second
    assert line(ip, "process").id == second.id


def test_connect_and_process_usage_errors(ip: Any, session: Session) -> None:
    with pytest.raises(UsageError, match="needs a process ID or name"):
        line(ip, "connect", "")
    with pytest.raises(UsageError, match="'nobody'"):
        line(ip, "connect", "nobody")
    with pytest.raises(UsageError, match="'extra'"):
        line(ip, "process", "extra")


def test_first_use_spawns_a_default_process(ip: Any, session: Session) -> None:
    assert session.current_pid is None
    proc = line(ip, "process")
    assert proc.name == "default"


# -- messages and Lua -----------------------------------------------------------------------


def test_send_to_current_and_named(ip: Any, session: Session) -> None:
    lua(ip, 'Handlers.add("ping", "Ping", function(msg) print("got " .. msg.Data) end)')
    res = line(ip, "send", "--action Ping --data hi --tag X-Extra=1")
    assert "got hi" in res.output
    line(ip, "spawn", "--name other")
    res = line(ip, "send", "--to default --action Ping --data again")
    assert "got again" in res.output
    assert res.process == session.find("default").id


def test_send_usage_errors(ip: Any, session: Session) -> None:
    with pytest.raises(UsageError, match="'ghost'"):
        line(ip, "send", "--to ghost --action Ping")
    with pytest.raises(UsageError, match="--tag 'novalue'"):
        line(ip, "send", "--tag novalue")


def test_lua_cell_in_current_and_named_process(ip: Any, session: Session) -> None:
    res = lua(ip, "return 1 + 1")
    assert res.output == "2"
    assert ip.user_ns["_ao"] is res
    assert lua(ip, "x = 5") is None  # no Output.data: nothing to show
    line(ip, "spawn", "--name side")
    assert lua(ip, "return x", "default").output == "5"
    assert lua(ip, "return x") is None  # `side` has no x: nil is not printed


def test_lua_errors_show_the_lua_line(ip: Any, session: Session) -> None:
    with pytest.raises(LuaError) as info:
        lua(ip, "local a = 1\nerror('boom')")
    assert '[string "aos"]:2: boom' in str(info.value)
    assert info.value._render_traceback_() == [info.value.message]
    with pytest.raises(UsageError, match="'nobody'"):
        lua(ip, "return 1", "nobody")
    with pytest.raises(UsageError, match="one process"):
        lua(ip, "return 1", "a b")


def test_one_card_per_cell_and_the_prompt_when_it_changes(
        ip: Any, session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("%%lua\nx = 1")
    first = capsys.readouterr().out
    assert "default" in first and "aos-" in first and "Inbox" in first  # the aos prompt
    ip.run_cell("%%lua\nx = 2")
    assert "aos-" not in capsys.readouterr().out  # the same prompt is not repeated
    # a message to itself: one result (its card folds the delivery), nothing else shown
    ip.run_cell("%%lua\nSend({Target = ao.id, Action = 'Ping'})")
    res = ip.user_ns["_ao"]
    assert [r.process for r in res.all_results()] == [res.process] * 2
    assert "New Message From" in res.all_results()[1].output
    out = capsys.readouterr().out
    assert "Inbox:" in out  # the Inbox grew: the prompt changed, so it is shown
    assert out.count("New Message From") <= 1  # only in the cell's own card (text/plain)
    assert lua(ip, "y = 1") is None  # nothing to show


def test_a_lua_cell_streams_its_prints_and_its_card_shows_the_value(
        ip: Any, session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    from ao_kernel.jupyter import display

    res = lua(ip, 'print("one")\nprint("two")\nreturn "value"')
    assert capsys.readouterr().out.startswith("one\ntwo\n")  # stdout, as printed
    assert res.output == "one\ntwo\nvalue"  # the record keeps every print ...
    assert ip.user_ns["_ao"] is res
    bundle = display.result_bundle(res)  # ... the card shows the value only
    assert bundle["text/plain"] == "value"
    assert bundle["application/vnd.ao.result+json"]["output"] == "value"
    assert bundle["application/vnd.ao.result+json"]["streamed"] == "one\ntwo"
    # the node's own result of that slot is not the cell's copy: its card shows all
    node_res = session.current.result(res.slot)
    assert display.result_text(node_res) == "one\ntwo\nvalue"
    # output that does not start with what was streamed is shown whole (never lost)
    display.mark_streamed(node_res, ["something else"])
    assert display.card_output(node_res) == "one\ntwo\nvalue"
    assert lua(ip, 'print("only")') is None  # nothing left for a card
    assert capsys.readouterr().out.startswith("only\n")


def test_ipython_load_and_store_are_not_shadowed(ip: Any, session: Session,
                                                 tmp_path: Path) -> None:
    src = tmp_path / "lib.lua"
    src.write_text("Counter = 41\nreturn Counter + 1\n")
    from ao_kernel.jupyter.magics import AOMagics

    assert not {"load", "store"} & set(AOMagics.magics["line"])
    assert ip.magics_manager.magics["line"]["load"].__self__.__class__.__name__ != "AOMagics"
    assert line(ip, "ao_load", str(src)).output == "42"
    with pytest.raises(UsageError, match=r"missing\.lua"):
        line(ip, "ao_load", str(tmp_path / "missing.lua"))
    with pytest.raises(UsageError, match=r"needs a Lua file"):
        line(ip, "ao_load", "")


def test_aos_dot_commands_in_a_lua_cell(ip: Any, session: Session, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lib.lua").write_text("Loaded = 'yes'\nreturn Loaded\n")
    assert lua(ip, ".load lib.lua").output == "yes"
    lua(ip, ".load-blueprint token")
    assert lua(ip, "return Ticker").output
    with pytest.raises(UsageError, match="unknown blueprint 'nft'"):
        lua(ip, ".load-blueprint nft")
    with pytest.raises(UsageError, match=r"\.load needs a file"):
        lua(ip, ".load")
    with pytest.raises(UsageError, match=r"\.frobnicate is not an aos command.*%ao help"):
        lua(ip, ".frobnicate now")
    with pytest.raises(UsageError, match=r"\.editor: not needed"):
        lua(ip, ".editor")
    lua(ip, ".help")
    out = capsys.readouterr().out
    assert ".load-blueprint" in out and "%spawn" in out
    # a Lua line that starts with a dot among Lua is still Lua (and its error is Lua's)
    with pytest.raises(LuaError, match="unexpected symbol"):
        lua(ip, "x = 1\n.5 + + 1")


def test_lua_errors_read_like_aos(ip: Any, session: Session,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(LuaError) as info:
        lua(ip, "print('before')\nerror('boom')")
    # the print went to stdout as it happened; the error is the error alone (not twice)
    assert capsys.readouterr().out == "before\n"
    assert str(info.value) == '[string "aos"]:2: boom'
    assert "before" in session.current.result(session.current.slot).error  # kept in the record
    with pytest.raises(LuaError) as info:
        lua(ip, "error('alone')")
    assert str(info.value) == '[string "aos"]:1: alone'  # no blank lines, no internal prefix


def test_load_blueprint(ip: Any, session: Session) -> None:
    line(ip, "load-blueprint", "token")
    names = lua(ip, "local n = {} for _, h in ipairs(Handlers.list) do n[#n+1] = h.name end "
                    "return table.concat(n, ',')").output
    assert "balance" in names.lower()
    with pytest.raises(UsageError, match="'nft'"):
        line(ip, "load-blueprint", "nft")


# -- reading a process ------------------------------------------------------------------------


def test_inbox_schedule_state(ip: Any, session: Session) -> None:
    lua(ip, "x = 1")
    lua(ip, "x = 2")
    line(ip, "send", "--action Unhandled --data zzz")
    inbox = line(ip, "inbox")
    assert any(m.get("Action") == "Unhandled" for m in inbox)
    schedule = line(ip, "schedule")
    proc = session.current
    assert len(schedule) == proc.slot + 1
    assert [int(a["slot"]) for a in schedule] == list(range(proc.slot + 1))
    assert line(ip, "state")["x"] == 2
    assert line(ip, "state", "--slot 1")["x"] == 1
    with pytest.raises(UsageError, match="--slot -1"):
        line(ip, "state", "--slot -1")
    with pytest.raises(UsageError, match="999"):
        line(ip, "state", "--slot 999")
    with pytest.raises(UsageError, match="argument"):
        line(ip, "inbox", "now")
    with pytest.raises(UsageError, match="'all'"):
        line(ip, "schedule", "all")


def test_hashpath_and_commitments(ip: Any, session: Session) -> None:
    res = lua(ip, "return 7")
    assert line(ip, "hashpath") == res.hashpath
    assert line(ip, "hashpath", "0") == session.current.result(0).hashpath
    assignment = line(ip, "commitments", str(res.slot))
    assert int(assignment["slot"]) == res.slot
    assert assignment.commitments  # the scheduler's HMAC commitment
    signed = line(ip, "commitments", f"{res.slot} --signed")
    types = {str(c.get("type")) for c in signed.commitments.values()}
    assert "rsa-pss-sha512" in types
    with pytest.raises(UsageError, match="'abc'"):
        line(ip, "hashpath", "abc")
    with pytest.raises(UsageError, match="slot 99"):
        line(ip, "hashpath", "99")
    with pytest.raises(UsageError, match="slot 99"):
        line(ip, "commitments", "99")


def test_verify_and_resolve(ip: Any, session: Session) -> None:
    lua(ip, "y = 1")
    report = line(ip, "verify")
    assert bool(report) and report.process == session.current_pid
    line(ip, "spawn", "--name other")
    assert line(ip, "verify", "default").process == session.find("default").id
    info = line(ip, "resolve", "/~meta@1.0/info")
    assert info["operator"] == session.node.address
    with pytest.raises(UsageError, match="'ghost'"):
        line(ip, "verify", "ghost")
    with pytest.raises(UsageError, match="needs a path"):
        line(ip, "resolve", "")
    with pytest.raises(UsageError, match="nosuch"):
        line(ip, "resolve", "/~nosuch@9.9/info")


# -- the node -------------------------------------------------------------------------------


def test_snapshot_and_restore_in_memory(ip: Any, session: Session) -> None:
    lua(ip, "x = 1")
    assert "snap-1" in line(ip, "snapshot")
    lua(ip, "x = 2")
    line(ip, "spawn", "--name later")
    assert "restored 'snap-1'" in line(ip, "restore")
    assert lua(ip, "return x").output == "1"
    assert [p.name for p in session.node.processes] == ["default"]
    assert bool(line(ip, "verify"))


def test_snapshot_and_restore_sqlite(ip: Any, session: Session, tmp_path: Path) -> None:
    db = tmp_path / "node.db"
    line(ip, "ao_store", f"sqlite:{db}")
    lua(ip, "x = 'kept'")
    line(ip, "snapshot", "before")
    lua(ip, "x = 'lost'")
    line(ip, "restore", "before")
    assert session.store_spec == f"sqlite:{db}"
    assert lua(ip, "return x").output == "kept"


def test_snapshot_restore_usage_errors(ip: Any, session: Session) -> None:
    with pytest.raises(UsageError, match="no snapshot taken"):
        line(ip, "restore")
    line(ip, "snapshot", "one")
    with pytest.raises(UsageError, match="'two'"):
        line(ip, "restore", "two")
    with pytest.raises(UsageError, match="'bad name!'"):
        line(ip, "snapshot", "bad name!")


def test_store_switches_node_and_persists(ip: Any, session: Session, tmp_path: Path) -> None:
    db = tmp_path / "persist.db"
    assert "over sqlite:" in line(ip, "ao_store", f"sqlite:{db}")
    proc = line(ip, "spawn", "--name keeper")
    lua(ip, "kept = 99")
    line(ip, "ao_store", "memory")
    assert session.node.processes == []
    line(ip, "ao_store", f"sqlite:{db}")
    assert session.current_pid == proc.id  # reopened: the last process is current again
    assert lua(ip, "return kept").output == "99"
    with pytest.raises(UsageError, match="'sqlite'"):
        line(ip, "ao_store", "sqlite")
    with pytest.raises(UsageError, match="'memory-ish'"):
        line(ip, "ao_store", "memory-ish")


def test_clock(ip: Any, session: Session) -> None:
    assert "ms" in line(ip, "clock")
    before = session.node.clock.now_ms()
    shown = line(ip, "clock", "advance 10s")
    assert "VirtualClock" in shown and "0 cron tick(s)" in shown
    # the system clock kept running until the switch to a virtual clock "at the current time"
    start = session.node.clock.now_ms() - 10_000
    assert 0 <= start - before < 60_000
    res = lua(ip, "return os.time()")
    # the next assignment is stamped with it, or one ms later when the process's previous
    # slot (here its spawn, in the same virtual ms) took that ms: timestamps strictly
    # increase within a process
    previous = int(session.node.assignment(session.current_pid, res.slot - 1)["timestamp"])
    assert int(res.output) == max(start + 10_000, previous + 1)
    assert int(res.output) - (start + 10_000) in (0, 1)
    line(ip, "clock", "advance 1.5m")
    assert session.node.clock.now_ms() == start + 10_000 + 90_000
    for arg, named in (("advance soon", "'soon'"), ("rewind 1s", "'rewind'"),
                       ("advance", "one duration")):
        with pytest.raises(UsageError, match=named):
            line(ip, "clock", arg)


def test_clock_advance_fires_cron(ip: Any, session: Session) -> None:
    line(ip, "spawn", "--name ticker --cron 10-seconds")
    lua(ip, 'Ticks = 0\nHandlers.add("tick", "Cron", function() Ticks = Ticks + 1 end)')
    shown = line(ip, "clock", "advance 35s")
    fired = int(shown.split(", ")[1].split()[0])
    assert fired >= 3
    assert int(lua(ip, "return Ticks").output) == fired


def test_parse_duration() -> None:
    assert parse_duration("250") == 250
    assert parse_duration("250ms") == 250
    assert parse_duration("2s") == 2000
    assert parse_duration("3 minutes") == 180_000
    assert parse_duration("1h") == 3_600_000
    assert parse_duration("1d") == 86_400_000


def test_remote_switches_to_a_served_node_and_back(ip: Any, session: Session) -> None:
    import socket

    import ao_kernel as ao

    local = session.node.address
    assert local in line(ip, "remote", "local")
    with pytest.raises(UsageError, match="give a URL"):
        line(ip, "remote", "somewhere")
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with pytest.raises(UsageError, match="remote"):
        line(ip, "remote", f"http://127.0.0.1:{closed}")
    served = ao.Node(wallet=dev_wallet(2), clock="virtual")
    server = served.serve(port=0)
    try:
        assert "remote node" in line(ip, "remote", server.url)
        proc = session.spawn(name="far")
        assert served.has_process(proc.id)  # it lives on the served node
        assert session.eval("return 6 * 7").output == "42"
        assert session.find("far").id == proc.id
        assert local in line(ip, "remote", "local")
        assert not session.node.has_process(proc.id)
    finally:
        server.stop()
        served.close()


def test_widget_magics_are_hooks(ip: Any, session: Session) -> None:
    for name in ("graph", "timeline"):
        outcome: Any
        try:
            outcome = line(ip, name)
        except UsageError as exc:
            outcome = str(exc)
        if isinstance(outcome, str):
            assert "widgets" in outcome  # a clear error naming the missing module
        else:
            assert hasattr(outcome, "_repr_mimebundle_") or hasattr(outcome, "comm")


def test_magics_load_into_a_shell_once(ip: Any) -> None:
    from ao_kernel.jupyter.magics import load_ipython_extension

    assert load_ipython_extension(ip) is ip._ao_magics
    assert "lua" in ip.magics_manager.magics["cell"]
    assert "load-blueprint" in ip.magics_manager.magics["line"]


def test_quoted_arguments(ip: Any, session: Session) -> None:
    proc = line(ip, "spawn", '--name "my proc" --tag \'Greeting=hello world\'')
    assert proc.name == "my proc"
    assert proc.definition.text("greeting") == "hello world"
    res = line(ip, "send", "--action Eval --data 'return 6 * 7'")
    assert res.output == "42"


def test_operator_magics(ip: Any, session: Session) -> None:
    node = session.node
    assert "configured port" in line(ip, "configure", "port=9100")
    assert node.resolve("/~meta@1.0/info/port") == 9100
    with pytest.raises(UsageError, match="KEY=VALUE"):
        line(ip, "configure", "")
    assert "payments on" in line(ip, "payments", "simple-pay@1.0 --price 2")
    stranger = dev_wallet(3).address
    assert line(ip, "balance", stranger) == 0
    assert "balance 50" in line(ip, "topup", f"{stranger} 50")
    assert line(ip, "balance", stranger) == 50
    with pytest.raises(UsageError, match="whole amount"):
        line(ip, "topup", f"{stranger} lots")
    assert "off" in line(ip, "payments", "off")
    session.eval("x = 1")
    costs = line(ip, "costs", "")
    assert costs and "instructions" in costs[-1]
    with pytest.raises(UsageError):
        line(ip, "publish", "")  # --gateway is required

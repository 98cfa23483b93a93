"""json-iface@1.0: the aos JSON-1 call and its answer (the real module on the
whole stack: tests/runtimes/test_wasm_differential.py)."""

from __future__ import annotations

import json
from typing import Any

from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve


def test_json_iface_builds_the_call_and_reads_the_answer(opts: Opts, fac: str, ok: Any) -> None:
    process = Message({"type": "Process", "module": "m" * 43})
    base = ok(resolve(Message({"device": "json-iface@1.0", "process": process}), "init",
                       opts))
    assert base["function"] == "handle"
    msg = {"Id": "i" * 43, "Target": "t" * 43, "Owner": "o" * 43, "Tags": [], "Data": "x"}
    first = ok(resolve(base.with_(**{"pass": 1}), Message({
        "path": "compute", "json": json.dumps(msg)}), opts))
    params = first["parameters"]
    assert json.loads(params[0])["Data"] == "x" and "Process" in json.loads(params[1])
    answer = {"ok": True, "response": {"Output": {"data": "hi"}, "Messages": [
        {"Target": "t" * 43, "Tags": [{"name": "Action", "value": "Pong"}], "Data": ""}],
        "Spawns": [], "Assignments": []}}
    second = ok(resolve(first.with_(**{"pass": 2, "results": {"wasm": {
        "type": "ok", "output": json.dumps(answer)}}}), "compute", opts))
    results = second["results"]
    assert results["data"] == "hi"
    assert results["outbox"]["1"]["action"] == "Pong"

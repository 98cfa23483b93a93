"""json-iface@1.0: the legacy aos ABI on a wasm stack (HyperBEAM ``dev_json_iface``).

Used as ``[wasi@1.0, json-iface@1.0, wasm-64@1.0, multipass@1.0]`` with ``passes: 2``:

* ``init``: ``function: handle``;
* pass 1: the assigned message (``body`` of the request, or the request itself) becomes
  the JSON-1 ``msg`` (``Block-Height``, ``Timestamp``, ``Nonce`` from the assignment) and
  the process the JSON-1 ``env``; both go to ``parameters``, so wasm-64 runs
  ``handle(msg, env)``; a request may also carry a ready ``json`` message (a JSON-1 object
  or its text), which is used as is;
* pass 2: the returned string is decoded: ``{ok, response}``; ``results`` gets ``outbox``
  (the messages, keys lower-cased and tags flattened), ``spawns``, ``assignments``,
  ``output`` and ``data`` (``Output.data``), or ``error``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core.ids import message_id
from ..core.message import Message
from ..core.resolver import Device, Opts, error, ok
from ..runtimes.aos.abi import json1_env, json1_message, tags_of


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _flatten(msg: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in msg.items():
        if k == "Tags":
            for tag in v or []:
                if isinstance(tag, Mapping):
                    out.setdefault(str(tag.get("name", "")).lower(), str(tag.get("value", "")))
        elif k != "Anchor":
            out[k.lower()] = v if isinstance(v, (str, int, float, bool)) else json.dumps(v)
    return out


class JsonIfaceDevice(Device):
    name = "json-iface@1.0"
    exports = ("init", "compute")

    def init(self, base: Message, req: Message, opts: Opts) -> Any:
        return ok(base.with_(function="handle"))

    def compute(self, base: Message, req: Message, opts: Opts) -> Any:
        if base.get("pass") in (None, 1):
            return ok(self._prep(base, req))
        return self._results(base)

    def _prep(self, base: Message, req: Message) -> Message:
        proc = base.get("process")
        proc = proc if isinstance(proc, Message) else Message({})
        pid = base.text("process-id") or (message_id(proc, "all") if proc.keys() else "")
        owner = base.text("owner") or ""
        ready = req.get("json")
        if isinstance(ready, Message):
            msg: Any = _plain(ready)
        elif isinstance(ready, (str, bytes)):
            msg = json.loads(ready)
        else:
            body = req.get("body")
            body = body if isinstance(body, Message) else req
            msg = json1_message(body, msg_id=message_id(body, "all"), default_owner=owner,
                                assignment=req)
            if not msg.get("Target"):
                msg["Target"] = pid
        env = base.get("env")
        if isinstance(env, (str, bytes)):
            env_json = env.decode() if isinstance(env, bytes) else env
        else:
            module = proc.text("module") or base.text("image") or ""
            env_json = json.dumps(json1_env(proc, pid, owner, module) if proc.keys() else
                                  {"Process": {"Id": pid, "Owner": owner, "Tags": tags_of(
                                      Message({}))}})
        return base.with_(function="handle", parameters=(json.dumps(msg), env_json))

    def _results(self, base: Message) -> Any:
        results = base.get("results")
        wasm = results.get("wasm") if isinstance(results, Message) else None
        if not isinstance(wasm, Message):
            return ok(base)
        if wasm.text("type") != "ok":
            return error(Message({"status": 500, "body": wasm.text("output") or "wasm error"}))
        try:
            doc = json.loads(wasm.text("output") or "")
        except ValueError as exc:
            return error(Message({"status": 500, "body": f"handle returned no JSON: {exc}"}))
        response = doc.get("response") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or doc.get("ok") is False or not isinstance(response, dict):
            return ok(base.with_(results={"wasm": wasm, "error": json.dumps(response)
                                          if not isinstance(response, str) else response}))
        if response.get("Error") is not None:
            return ok(base.with_(results={"wasm": wasm, "error": str(response["Error"])}))
        out = response.get("Output")
        data = out.get("data", "") if isinstance(out, dict) else ("" if out is None else out)
        outbox = {str(i + 1): _flatten(m) for i, m in enumerate(response.get("Messages") or [])}
        return ok(base.with_(results={
            "wasm": wasm,
            "outbox": outbox,
            "spawns": {str(i + 1): _flatten(m)
                       for i, m in enumerate(response.get("Spawns") or [])},
            "assignments": json.dumps(response.get("Assignments") or []),
            "output": json.dumps(out),
            "data": data if isinstance(data, str) else json.dumps(data),
        }))

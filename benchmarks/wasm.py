"""Benchmark: the real aos module (aos2_0_6.wasm, wasm64) on ao-loader vs on our engine.

    .venv/bin/python benchmarks/wasm.py [N]

1. baseline: ao-loader (Node.js, tools/aos-oracle/run.mjs --live: one live instance, no
   memory copies) on N trivial messages (an Eval of ``1``) and N Ping messages answered by
   a reply handler;
2. ours: WasmAosProcess (one live wasmtime instance, one host call per message, sparse
   checkpoints) on the same messages: ms/message and messages/s;
3. resident memory of idle aos wasm processes (RSS growth per process) and the size of
   their checkpoints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ao_kernel.runtimes.aos.wasm_modules import find_aos_wasm  # noqa: E402
from ao_kernel.runtimes.aos.wasm_process import WasmAosProcess  # noqa: E402

MODULE = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"
REC = json.loads((ROOT / "tests/runtimes/aos_recorded/eval_arith.json").read_text())


def sequences(n: int) -> dict[str, list[dict]]:
    boot = REC["steps"][0]["msg"]
    ev = REC["steps"][1]["msg"]
    owner = ev["Owner"]

    def msg(i: int, **kw: object) -> dict:
        m = dict(ev, Id=f"M{i:042d}", Nonce=i, Timestamp=ev["Timestamp"] + i)
        m.update(kw)
        return m

    setup = msg(1, Data="Handlers.add('ping', 'Ping', function(m) m.reply({Data='pong'}) end)")
    trivial = [boot, setup] + [msg(i + 2, Data="1") for i in range(n)]
    ping = [boot, setup] + [msg(i + 2, Data="", Tags=[{"name": "Action", "value": "Ping"}],
                                From=owner) for i in range(n)]
    return {"trivial": trivial, "reply": ping}


def ao_loader(seqs: dict[str, list[dict]]) -> dict[str, float]:
    node = shutil.which("node")
    if node is None:
        return {}
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, msgs in seqs.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps({"name": name, "env": REC["env"], "messages": msgs}))
            done = subprocess.run([node, "--experimental-wasm-memory64",
                                   str(ROOT / "tools/aos-oracle/run.mjs"), "--live",
                                   "--timing", str(path)],
                                  check=False, capture_output=True, text=True, timeout=900)
            doc = json.loads(done.stdout)
            steps = doc["timing"]["step_ms"][2:] if "timing" in doc else []
            if not steps:
                m = re.search(r"mean ([0-9.]+) ms/msg", done.stderr)
                out[name] = float(m.group(1)) if m else float("nan")
            else:
                out[name] = sum(steps) / len(steps)
    return out


def ours(seqs: dict[str, list[dict]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, msgs in seqs.items():
        proc = WasmAosProcess(msgs[0], REC["env"], module=MODULE)
        proc.apply(msgs[1])
        t0 = time.perf_counter()
        for m in msgs[2:]:
            res = proc.apply(m)
            assert res.error is None, res.error
        out[name] = (time.perf_counter() - t0) * 1000 / (len(msgs) - 2)
    return out


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def idle_memory(count: int = 10) -> tuple[float, float]:
    seq = sequences(1)["trivial"]
    WasmAosProcess(seq[0], REC["env"], module=MODULE)  # warm: compiled module, caches
    before = rss()
    procs = []
    for _ in range(count):
        p = WasmAosProcess(seq[0], REC["env"], module=MODULE)
        p.apply(seq[1])
        procs.append(p)
    per = (rss() - before) / count
    ckpt = sum(p.resident_bytes() for p in procs) / count
    return per / 2**20, ckpt / 2**20


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    find_aos_wasm(MODULE)
    seqs = sequences(n)
    base = ao_loader(seqs)
    mine = ours(seqs)
    print(f"aos2_0_6.wasm (wasm64), {n} messages per kind")
    for kind in seqs:
        b = base.get(kind)
        ratio = f"{mine[kind] / b:.2f}x" if b else "n/a"
        print(f"  {kind:8s} ao-loader --live {b if b else float('nan'):7.3f} ms/msg | "
              f"ours {mine[kind]:7.3f} ms/msg = {1000 / mine[kind]:7.0f} msg/s | ours/loader "
              f"{ratio}")
    per, ckpt = idle_memory()
    print(f"  idle aos wasm process: {per:.1f} MiB RSS each (of which checkpoint "
          f"{ckpt:.1f} MiB); linear memory reserved but untouched pages cost nothing")


if __name__ == "__main__":
    main()

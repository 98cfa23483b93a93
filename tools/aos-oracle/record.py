#!/usr/bin/env python3
"""Re-record the aos corpus with the real aos module (the oracle).

    python tools/aos-oracle/record.py [--module aos2_0_6] [--blueprints DIR] [NAME ...]

Reads the compact sequences in ``tests/runtimes/aos_corpus/*.json``, expands each into
complete JSON-1 messages and an env (``expand``), runs them through ``run.mjs`` (Node.js
with ``--experimental-wasm-memory64``) and writes ``tests/runtimes/aos_recorded/<name>.json``.
Needs ``npm ci`` in tools/aos-oracle first.

Compact sequence format (all keys optional except ``messages``)::

    {"description": "...",
     "process": {"Tags": {"On-Boot": "Data"}, "Data": "...", "Name": "corpus"},
     "messages": [ {"Tags": {"Action": "Eval"}, "Data": "1 + 1"},
                   {"from": "$ALICE", "Tags": [{"name": "Action", "value": "Ping"}]},
                   {"from_process": "$ORACLE", "Tags": {"X-Reference": "1"}, "Data": "42"},
                   {"eval": "return 1"},
                   {"blueprint": "token"} ]}

* ``$NAME`` anywhere in a string becomes a deterministic 43-character id (``fake_id``);
  ``$PROCESS``, ``$OWNER``, ``$MU`` and ``$MODULE`` are the process, its owner, the
  authority (messenger) and the aos module id.
* ``eval``: an ``Action=Eval`` message from the owner with that Data.
* ``from``: a wallet message (From = Owner = the id). ``from_process``: a message pushed by
  the messenger for another process (From-Process tag, From = that process, Owner =
  ``owner`` or $MU). Default sender: the owner.
* ``blueprint``: an Eval whose Data is the blueprint source. The oracle gets the real aos
  blueprint from ``--blueprints`` (a directory of ``<name>.lua`` taken from a checkout of
  permaweb/aos; not part of this repository); the recording stores the placeholder
  ``<blueprint:NAME>`` and our harness substitutes our own blueprint.
* Any JSON-1 field given explicitly (``Id``, ``Owner``, ``From``, ``Timestamp``,
  ``Block-Height``, ``Cron``...) wins over the defaults; ``null`` removes a field.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = ROOT / "tests" / "runtimes" / "aos_corpus"
RECORDED = ROOT / "tests" / "runtimes" / "aos_recorded"

AOS_MODULE_ID = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"
BASE_TIMESTAMP = 1_700_000_000_000
BASE_HEIGHT = 1_500_000


def fake_id(label: str) -> str:
    """A deterministic 43-character base64url id that starts with the label."""
    if label == "MODULE":
        return AOS_MODULE_ID
    digest = base64.urlsafe_b64encode(hashlib.sha256(label.encode()).digest()).decode()
    head = label[:20]
    return (head + digest)[:43]


_NAME = re.compile(r"\$([A-Z][A-Z0-9_]*)")


def subst(value: Any) -> Any:
    if isinstance(value, str):
        return _NAME.sub(lambda m: fake_id(m.group(1)), value)
    if isinstance(value, list):
        return [subst(v) for v in value]
    if isinstance(value, dict):
        return {subst(k): subst(v) for k, v in value.items()}
    return value


def tag_list(tags: Any) -> list[dict[str, str]]:
    if tags is None:
        return []
    if isinstance(tags, dict):
        return [{"name": k, "value": v} for k, v in tags.items()]
    return [dict(t) for t in tags]


OWNER = fake_id("OWNER")
PROCESS = fake_id("PROCESS")
MU = fake_id("MU")


def expand(compact: dict[str, Any], name: str) -> dict[str, Any]:
    """Compact corpus entry -> {"name", "env", "messages", "blueprints"} (complete JSON-1)."""
    c = subst(compact)
    proc = c.get("process", {})
    pname = proc.get("Name", "corpus")
    authority = proc.get("Authority", MU)
    ptags = [
        {"name": "Data-Protocol", "value": "ao"},
        {"name": "Variant", "value": "ao.TN.1"},
        {"name": "Type", "value": "Process"},
        {"name": "Module", "value": AOS_MODULE_ID},
        {"name": "Scheduler", "value": fake_id("SCHEDULER")},
        {"name": "SDK", "value": "aoconnect"},
        {"name": "App-Name", "value": "aos"},
        {"name": "Name", "value": pname},
        {"name": "Authority", "value": authority},
        *tag_list(proc.get("Tags")),
    ]
    env = {
        "Process": {"Id": PROCESS, "Owner": OWNER, "Tags": ptags},
        "Module": {
            "Id": AOS_MODULE_ID,
            "Owner": fake_id("MODULEOWNER"),
            "Tags": [
                {"name": "Data-Protocol", "value": "ao"},
                {"name": "Variant", "value": "ao.TN.1"},
                {"name": "Type", "value": "Module"},
                {"name": "Module-Format", "value": "wasm64-unknown-emscripten-draft_2024_02_15"},
                {"name": "Input-Encoding", "value": "JSON-1"},
                {"name": "Output-Encoding", "value": "JSON-1"},
                {"name": "Memory-Limit", "value": "1-gb"},
                {"name": "Compute-Limit", "value": "9000000000000"},
            ],
        },
    }
    spawn = {
        "Id": PROCESS,
        "Signature": fake_id("SIG0"),
        "Owner": OWNER,
        "From": OWNER,
        "Target": PROCESS,
        "Anchor": "",
        "Tags": ptags,
        "Data": proc.get("Data", ""),
        "Epoch": 0,
        "Nonce": 0,
        "Timestamp": BASE_TIMESTAMP,
        "Block-Height": BASE_HEIGHT,
        "Hash-Chain": fake_id("HASHCHAIN0"),
    }
    messages = [spawn]
    blueprints: dict[int, str] = {}
    for i, given in enumerate(c["messages"], start=1):
        m = dict(given)
        tags = tag_list(m.pop("Tags", None))
        sender = OWNER
        owner = OWNER
        extra: dict[str, Any] = {}
        if "eval" in m:
            tags = [{"name": "Action", "value": "Eval"}, *tags]
            m.setdefault("Data", m.pop("eval"))
        if "blueprint" in m:
            blueprints[i] = m.pop("blueprint")
            tags = [{"name": "Action", "value": "Eval"}, *tags]
            m["Data"] = f"<blueprint:{blueprints[i]}>"
        if "from" in m:
            sender = owner = m.pop("from")
        if "from_process" in m:
            sender = m.pop("from_process")
            owner = m.pop("owner", MU)
            tags = [*tags, {"name": "From-Process", "value": sender}]
            extra["Forwarded-By"] = owner
        full: dict[str, Any] = {
            "Id": fake_id(f"MSG{i}"),
            "Signature": fake_id(f"SIG{i}"),
            "Owner": owner,
            "From": sender,
            "Target": PROCESS,
            "Anchor": "",
            "Tags": tags,
            "Data": "",
            "Epoch": 0,
            "Nonce": i,
            "Timestamp": BASE_TIMESTAMP + 1000 * i,
            "Block-Height": BASE_HEIGHT + i,
            "Hash-Chain": fake_id(f"HASHCHAIN{i}"),
            **extra,
        }
        if m.get("Cron"):
            for k in ("Id", "Signature", "Nonce", "Epoch", "Hash-Chain", "Anchor"):
                full.pop(k, None)
        for k, v in m.items():
            if v is None:
                full.pop(k, None)
            else:
                full[k] = v
        messages.append(full)
    return {"name": name, "env": env, "messages": messages, "blueprints": blueprints}


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="corpus names (default: all)")
    ap.add_argument("--module", default="aos2_0_6")
    ap.add_argument("--blueprints", default=os.environ.get("AOS_BLUEPRINTS", "/tmp/aos-blueprints"))
    ap.add_argument("--out", default=str(RECORDED))
    ap.add_argument("--node", default="node")
    args = ap.parse_args(argv)

    files = sorted(CORPUS.glob("*.json"))
    if args.names:
        files = [CORPUS / f"{n}.json" for n in args.names]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bpdir = Path(args.blueprints)
    bp_commit = (bpdir / "COMMIT").read_text().strip() if (bpdir / "COMMIT").exists() else None

    with tempfile.TemporaryDirectory() as tmp:
        seq_files = []
        meta: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        for f in files:
            compact = json.loads(f.read_text())
            seq = expand(compact, f.stem)
            oracle_seq = {
                "name": seq["name"],
                "module": args.module,
                "env": seq["env"],
                "messages": [dict(m) for m in seq["messages"]],
            }
            bp_info = {}
            for idx, bp in seq["blueprints"].items():
                src = bpdir / f"{bp}.lua"
                if not src.exists():
                    sys.exit(f"{f.stem}: needs the real aos blueprint {src} (see --blueprints)")
                oracle_seq["messages"][idx]["Data"] = src.read_text()
                bp_info[str(idx)] = {
                    "name": bp,
                    "sha256": sha256_file(src),
                    "aos_commit": bp_commit,
                }
            p = Path(tmp) / f"{f.stem}.json"
            p.write_text(json.dumps(oracle_seq))
            seq_files.append(str(p))
            meta[f.stem] = (compact, {"seq": seq, "blueprints": bp_info})
        rec_dir = Path(tmp) / "rec"
        cmd = [
            args.node,
            "--experimental-wasm-memory64",
            str(HERE / "run.mjs"),
            "--timing",
            "--out",
            str(rec_dir),
            *seq_files,
        ]
        subprocess.run(cmd, check=True, cwd=HERE)
        for name, (compact, info) in meta.items():
            rec = json.loads((rec_dir / f"{name}.json").read_text())
            seq = info["seq"]
            steps = []
            for i, step in enumerate(rec["steps"]):
                step["msg"] = seq["messages"][i]  # placeholders, not blueprint text
                if str(i) in info["blueprints"]:
                    step["blueprint"] = info["blueprints"][str(i)]
                steps.append(step)
            rec.pop("timing", None)
            record = {
                "name": name,
                "description": compact.get("description", ""),
                "module": rec["module"],
                "env": seq["env"],
                "steps": steps,
            }
            (out / f"{name}.json").write_text(
                json.dumps(record, indent=1, ensure_ascii=False) + "\n"
            )
    print(f"recorded {len(meta)} sequences into {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

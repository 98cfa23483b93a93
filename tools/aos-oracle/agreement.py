#!/usr/bin/env python3
"""How far our Lua aos runtime agrees with the recorded corpus: cases and steps.

    PYTHONPATH=. python tools/aos-oracle/agreement.py [--verbose] [NAME ...]

Runs every recording in ``tests/runtimes/aos_recorded/`` through our runtime the way
``tests/runtimes/test_aos_oracle_corpus.py`` does (same harness, same per-step
comparison, ``compare_step``) and prints the number of sequences that agree on every
step and the number of steps that agree. ``--verbose`` lists each disagreeing step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ao_kernel.runtimes import aos  # noqa: E402
from tests.runtimes import aos_harness  # noqa: E402
from tests.runtimes.test_aos_oracle_corpus import (  # noqa: E402
    AOS_MODULE_ID,
    NAMES,
    compare_step,
    load,
)


def run(name: str) -> list[list[str]]:
    """Per step, the list of problems (empty = the step agrees)."""
    rec = load(name)
    env = rec["env"]
    proc = aos_harness.AosHarness(
        process_id=env["Process"]["Id"],
        owner=env["Process"]["Owner"],
        module=AOS_MODULE_ID,
        spawn=False,
    )
    proc.process_tags = env["Process"]["Tags"]
    out = []
    for i, step in enumerate(rec["steps"]):
        msg = dict(step["msg"])
        if "blueprint" in step:
            msg["Data"] = aos.blueprint(step["blueprint"]["name"])
        try:
            ours = proc.send_raw(msg)
        except Exception as exc:  # a crash of the harness counts as a disagreement
            out.append([f"step {i}: {type(exc).__name__}: {exc}"])
            continue
        out.append(compare_step(i, ours, step["result"]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    names = args.names or NAMES
    cases = steps = cases_ok = steps_ok = 0
    for name in names:
        result = run(name)
        good = sum(1 for p in result if not p)
        cases += 1
        steps += len(result)
        steps_ok += good
        cases_ok += good == len(result)
        if args.verbose and good != len(result):
            print(f"-- {name}: {good}/{len(result)}")
            for problems in result:
                for p in problems:
                    print("   ", p[:400])
    print(f"cases agreeing: {cases_ok}/{cases}; steps agreeing: {steps_ok}/{steps}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``ao-node``: run a node headless.

::

    ao-node serve --port 8734 --store sqlite:node.db
    eval $(ao-node serve --port 8734 --store sqlite:node.db --print-env-only)   # not blocking

``serve`` prints, one per line, ``export MU_URL=...;``, ``export CU_URL=...;``,
``export GATEWAY_URL=...;`` and ``export SCHEDULER=<address>;`` (shell lines: ``eval
$(...)`` exports them, so aoconnect and the aos CLI, in both of its modes, use this node
and name it as their scheduler), then serves until interrupted. ``--print-env-only``
prints the same lines for the node the store belongs to and exits.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ao-node", description="A local AO node.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a node over HTTP (HyperBEAM + legacy APIs)")
    serve.add_argument("--port", type=int, default=8734, help="port (0: any free port)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1, loopback only)")
    serve.add_argument("--store", default="sqlite:node.db",
                       help="store: 'memory' or 'sqlite:PATH' (default sqlite:node.db)")
    serve.add_argument("--wallet", default=None, help="an Arweave JWK file for the node")
    serve.add_argument("--blocks", choices=("debug", "clock"), default="debug",
                       help="block heights on assignments: HyperBEAM's debug height 0, or "
                       "heights from 1,500,000 following the clock (the legacy CU "
                       "checks hash chains of processes at heights >= 1,440,000)")
    serve.add_argument("--config", default=None,
                       help="a node config file in flat@1.0 syntax (key: value lines)")
    serve.add_argument("--force-signed", action="store_true",
                       help="sign every HyperBEAM result with the node wallet")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="a web page origin (http://localhost:3000) allowed to change "
                            "state from a browser; repeatable (default: none)")
    serve.add_argument("--allow-unsigned", action="store_true",
                       help="schedule unsigned messages over HTTP (they speak as the node: "
                            "only on a node nobody else can reach)")
    serve.add_argument("--allow-lua-device", action="store_true",
                       help="run caller-supplied Lua on ~lua@5.3a (one metered worker)")
    serve.add_argument("--print-env-only", action="store_true",
                       help="print the environment lines for an existing node and exit")
    return parser


def env_line(key: str, value: str) -> str:
    """One shell line exporting ``key`` (``;``-terminated: ``eval $(...)`` joins the lines)."""
    return f"export {key}={shlex.quote(value)};"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from ..core.errors import AOError
    from .node import Node
    from .wallet import Wallet

    try:
        wallet = Wallet.load(args.wallet) if args.wallet else None
        node = Node(store=None if args.store == "memory" else args.store, wallet=wallet,
                    config_file=args.config, blocks=args.blocks)
    except AOError as exc:
        print(f"ao-node: {exc}", file=sys.stderr)
        return 2
    if args.print_env_only:
        host = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{host}:{args.port}"
        for key, value in (("MU_URL", url), ("CU_URL", url), ("GATEWAY_URL", url),
                           ("SCHEDULER", node.address)):
            print(env_line(key, value))
        node.close()
        return 0
    try:
        handle = node.serve(port=args.port, host=args.host, force_signed=args.force_signed,
                            allow_origins=args.allow_origin,
                            allow_unsigned=args.allow_unsigned,
                            lua_device=args.allow_lua_device)
    except OSError as exc:
        print(f"ao-node: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        node.close()
        return 1
    for key, value in handle.env().items():
        print(env_line(key, value))
    sys.stdout.flush()
    done = threading.Event()

    def stop(*_: object) -> None:
        done.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    done.wait()
    handle.stop()
    node.close()
    print(f"# ao-node stopped ({handle.server.requests} requests served)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

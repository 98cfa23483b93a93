"""The AO magics: ``%load_ext ao_kernel`` in any IPython kernel, built into the AO kernel.

Every magic calls the Node API through a :class:`~ao_kernel.jupyter.session.Session` (the
node on its own thread); bad input raises IPython's ``UsageError`` naming the argument.
``%ao help`` prints the list below with examples.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ..core import errors
from . import display
from .session import Session

HELP = """\
AO magics (ao-kernel). A plain cell in the AO kernel is Lua evaluated in the current
process, exactly like a line typed into aos; %%lua does the same in any IPython kernel.

  %ao help                          this list
  %spawn [--name N] [--tag K=V ...] [--module ID] [--cron 10-seconds] [--lua FILE]
                                    spawn an aos process and make it current
                                      %spawn --name pinger --tag App=demo
  %connect <pid|name>               make another process current      %connect pinger
  %process                          show the current process
  %send [--to PID|NAME] [--action A] [--tag K=V ...] [--data D]
                                    send a message (schedule, compute, push)
                                      %send --action Ping --data hi
  %%lua [pid|name]                  evaluate the cell as Lua in a process (an Eval)
                                      %%lua pinger
                                      Handlers.list
  %ao_load FILE.lua                 aos .load: evaluate a Lua file in the current process
  %load-blueprint NAME              aos .load-blueprint: {blueprints}
                                    (in a Lua cell, aos's own .load FILE and
                                    .load-blueprint NAME work too; .help lists them)
  %inbox                            the current process's Inbox
  %schedule                         its assignments, slot 0 first
  %state [--slot N]                 its globals after slot N (default latest): time travel
  %hashpath [SLOT]                  the hashpath of a slot's result (default latest)
  %commitments [SLOT] [--signed]    the assignment of a slot and its commitments
  %verify [pid|name]                replay and check a process's schedule
  %resolve PATH                     resolve any AO-Core path     %resolve /~meta@1.0/info
  %snapshot [NAME]                  copy the node's store aside (memory or SQLite)
  %restore [NAME]                   reopen the node as it was at a snapshot (default: last)
  %clock                            the node's clock
  %clock advance 10s                advance the (virtual) clock: ms, s, m, h, d
  %ao_store memory | sqlite:PATH    choose the store: closes this node, opens a new one
  %remote URL | local               talk to a served node (HTTP) or the embedded one
                                      %remote http://127.0.0.1:8734
  %configure KEY=VALUE ...          change node options as the operator (signed)
  %payments simple-pay@1.0 [--price N] | off
                                    charge for requests (p4@1.0 hooks); off: free again
  %topup ADDRESS AMOUNT             credit a wallet on the node's ledger (operator)
  %balance [ADDRESS]                a balance (default: this kernel's wallet)
  %costs [pid|name]                 what each slot of a process cost (instructions, bytes)
  %publish [pid|name] --gateway URL post a process and its schedule to an Arweave gateway
  %%python / %%py                   (AO kernel) run the cell as Python
  %graph / %timeline                live widgets (ao_kernel.jupyter.widgets)

Every magic takes --help (e.g. %spawn?). Results are rich objects: res.output, res.slot,
res.hashpath, res.messages; the last Lua result is also in the variable _ao.
"""

_CRON = re.compile(r"^\d+-(?:second|minute|hour|day|week|month|year|block)s?$", re.I)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|"
                       r"hours?|d|days?)?$", re.I)
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


class LuaError(errors.LuaError):
    """A Lua error in a cell: shown like aos shows it (no Python traceback)."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(aos_error_text(message), **kwargs)

    def _render_traceback_(self) -> list[str]:
        return [self.message]


_INNER_CHUNK = re.compile(r'\[string "\.[\w.-]+"\]:\d+: (?=\[string ")')
_ERROR_HEAD = re.compile(r"^(?:\x1b\[[0-9;]*m)*error:\n?(?:\x1b\[[0-9;]*m)*")


def aos_error_text(text: str) -> str:
    """An aos error as a learner should read it: no leading blank lines, no ``error:``
    header before the message, and the user's own chunk and line first (the runtime's
    ``[string ".handlers"]:163:`` rethrow prefix dropped). Prints before the error stay
    first, as aos shows them."""
    text = _INNER_CHUNK.sub("", text)
    prints, sep, err = text.rpartition("\n\n")
    head = _ERROR_HEAD.match(err)
    if sep and head:  # "<prints>\n\n<red>error:\n<reset><message>"
        err = err[head.end():]
        prints = prints.strip("\n")
        return f"{prints}\n{err}" if prints else err
    return text.strip("\n")


#: aos CLI dot-commands, and what a notebook does instead of the ones it has no use for.
DOT_COMMANDS = {
    ".load": "evaluate a Lua file in the process: .load FILE.lua (magic: %ao_load)",
    ".load-blueprint": "load a blueprint: .load-blueprint token (magic: %load-blueprint)",
    ".help": "this help (magic: %ao help)",
    ".editor": "not needed: every cell is a multi-line editor, type Lua across lines",
    ".exit": "not needed: stop the kernel with Kernel > Shut Down",
    ".monitor": "cron ticks: %spawn --cron 10-seconds, then %clock advance 10s",
    ".unmonitor": "cron ticks stop when the clock stops: use a virtual clock (%clock)",
    ".update": "not needed: the kernel's aos module is the one this package ships",
    ".dryrun": "a dry run: in Python, proc.dry_run(...) (see docs/processes.md)",
}
_DOT_LINE = re.compile(r"^\.([a-z][\w-]*)(?:\s+(.*))?$")


def dot_commands(cell: str) -> list[tuple[str, str]] | None:
    """``[(".load", "file.lua"), ...]`` when every non-blank line of ``cell`` is an aos
    dot-command (``.load FILE``), else ``None`` (the cell is Lua)."""
    lines = [ln.strip() for ln in cell.splitlines() if ln.strip()]
    if not lines:
        return None
    found = [_DOT_LINE.match(ln) for ln in lines]
    if not all(found):
        return None
    return [("." + m.group(1), (m.group(2) or "").strip()) for m in found if m]


def parse_args(magic: Any, line: str) -> Any:
    """``parse_argstring`` with shell-style quotes removed from every string value."""
    args = parse_argstring(magic, line)
    for key, value in vars(args).items():
        if isinstance(value, str):
            setattr(args, key, unquote(value))
        elif isinstance(value, list):
            setattr(args, key, [unquote(v) if isinstance(v, str) else v for v in value])
    return args


def unquote(text: str) -> str:
    """``'a b'`` / ``"a b"`` -> ``a b`` (IPython's arg_split keeps the quotes)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_tags(items: list[str] | None, option: str = "--tag") -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {item!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def parse_duration(text: str) -> int:
    """``10s`` / ``500ms`` / ``2m`` / ``1h`` / ``1d`` / ``250`` (ms) -> milliseconds."""
    m = _DURATION.match(text.strip())
    if not m:
        raise UsageError(f"duration {text!r}: expected a number with ms, s, m, h or d "
                         "(e.g. 10s)")
    unit = (m.group(2) or "ms").lower()
    key = "ms" if unit == "ms" else unit[0]
    return int(float(m.group(1)) * _UNIT_MS[key])


def _slot_arg(text: str, name: str = "SLOT") -> int | None:
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d+", text):
        raise UsageError(f"{name} {text!r}: expected a non-negative slot number")
    return int(text)


class PrintStream:
    """A Lua cell's prints on stdout as they happen (``on_print`` of the cell's Eval).

    Called on the node's thread while the Lua runs; it writes to the stdout of the cell
    that started it (ipykernel sends it as a ``stream`` message of that cell within its
    flush interval, so a long cell shows its prints before it ends). :meth:`done`
    flushes, so every print is out before the cell's result."""

    def __init__(self) -> None:
        self.out = sys.stdout  # taken on the cell's thread: the cell's own stream
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        self.out.write(line + "\n")

    def done(self) -> None:
        if self.lines:
            self.out.flush()


@contextmanager
def usage_errors() -> Iterator[None]:
    """Node errors caused by a magic's input become ``UsageError`` (no traceback)."""
    try:
        yield
    except LuaError:
        raise
    except errors.AOError as exc:
        raise UsageError(str(exc)) from None


@magics_class
class AOMagics(Magics):
    """``%spawn``, ``%send``, ``%%lua`` ... (see ``HELP``)."""

    def __init__(self, shell: Any, session: Session | None = None) -> None:
        super().__init__(shell)
        self._session = session
        self._after_cell: list[Callable[[], None]] = []
        self._last_prompt: tuple[Session, str] | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session()
        return self._session

    # -- output after a Lua cell ---------------------------------------------------------

    def post_run_cell(self, *_: Any) -> None:
        """After a Lua cell: the aos prompt, when it changed (see ``_show_lua``)."""
        pending, self._after_cell = self._after_cell, []
        for show in pending:
            show()

    def _eval(self, source: str, ref: str | None = None) -> Any:
        """Evaluate ``source`` in a process (an Eval), its prints streamed to stdout as
        they happen, and show the result (:meth:`_show_lua`)."""
        stream = PrintStream()
        try:
            with usage_errors():
                res = self.session.eval(source, ref, on_print=stream)
        finally:
            stream.done()
        if stream.lines:
            # the cell's own copy of its result, whose card leaves out what was streamed
            # (the node's result, e.g. proc.result(slot), still shows everything)
            res = copy.copy(res)
            display.mark_streamed(res, stream.lines)
        return self._show_lua(res)

    def _show_lua(self, res: Any) -> Any:
        """The cell's value for a Lua result; raise a Lua error as an error.

        The cell's own prints were streamed to stdout while it ran (:meth:`_eval`); the
        result card holds the rest of its output (the value of the cell), the messages
        that came back to you and, folded, everything its messages caused on this node
        (a process's messages to itself included, with what they printed): one card per
        cell, never cards inside cards. The aos prompt is printed after the cell only
        when it differs from the last one printed (another process became current, the
        Inbox grew), not after every cell."""
        if self.shell is not None:
            self.shell.user_ns["_ao"] = res
        if res.error:
            raise LuaError(display.card_error(res))
        # the process's prompt after everything the cell caused (a message to itself
        # may have grown its Inbox)
        prompt = next((r.prompt for r in reversed(res.all_results())
                       if r.process == res.process and r.prompt), res.prompt)
        if prompt and (self.session, prompt) != self._last_prompt:
            self._last_prompt = (self.session, prompt)

            def after() -> None:
                print(prompt, flush=True)

            self._after_cell.append(after)
        shown = display.card_output(res) or res.pushed or res.undelivered or res.spawned
        return res if shown else None

    # -- help ------------------------------------------------------------------------------

    @line_magic
    def ao(self, line: str) -> None:
        """``%ao help``: every AO magic with an example."""
        cmd = line.strip()
        if cmd in ("", "help", "-h", "--help"):
            self._print_help()
            return
        raise UsageError(f"unknown %ao command {cmd!r}; try %ao help")

    @staticmethod
    def _print_help() -> None:
        from ..runtimes.aos import blueprint_names

        print(HELP.format(blueprints=", ".join(blueprint_names()) or "none"))

    # -- processes -------------------------------------------------------------------------

    @magic_arguments()
    @argument("--name", "-n", default=None, help="the process's Name tag")
    @argument("--tag", "-t", action="append", default=None, metavar="K=V",
              help="a tag of the process message (repeatable)")
    @argument("--module", "-m", default=None, help="module ID (default: our aos module)")
    @argument("--cron", default=None, help="cron interval, e.g. 10-seconds or 1-minute")
    @argument("--lua", "-l", default=None, metavar="FILE",
              help="a Lua file evaluated at boot (On-Boot)")
    @line_magic
    def spawn(self, line: str) -> Any:
        """Spawn an aos process and make it the current one."""
        args = parse_args(self.spawn, line)
        tags = parse_tags(args.tag)
        if args.cron is not None and not _CRON.match(args.cron):
            raise UsageError(f"--cron {args.cron!r}: expected an interval like 10-seconds, "
                             "1-minute or 5-blocks")
        source = _read_lua(args.lua, "--lua") if args.lua else None
        with usage_errors():
            return self.session.spawn(name=args.name, tags=tags, module=args.module,
                                      cron=args.cron, lua=source)

    @line_magic
    def connect(self, line: str) -> Any:
        """``%connect <pid|name>``: make another process current."""
        ref = line.strip()
        if not ref:
            raise UsageError("%connect needs a process ID or name, e.g. %connect pinger")
        with usage_errors():
            return self.session.connect(ref)

    @line_magic
    def process(self, line: str) -> Any:
        """``%process``: the current process."""
        if line.strip():
            raise UsageError(f"%process takes no argument (got {line.strip()!r}); "
                             "use %connect to switch")
        with usage_errors():
            return self.session.current

    @magic_arguments()
    @argument("--to", default=None, help="target process ID or name (default: current)")
    @argument("--action", "-a", default=None, help="the Action tag")
    @argument("--tag", "-t", action="append", default=None, metavar="K=V",
              help="a tag (repeatable)")
    @argument("--data", "-d", default=None, help="the message's Data")
    @line_magic
    def send(self, line: str) -> Any:
        """Send a message: schedule it, compute it, push what it sends."""
        args = parse_args(self.send, line)
        tags = parse_tags(args.tag)
        with usage_errors():
            return self.session.send(to=args.to, action=args.action, data=args.data, tags=tags)

    @cell_magic
    def lua(self, line: str, cell: str) -> Any:
        """``%%lua [pid|name]``: evaluate the cell in a process as aos does (an Eval).

        A cell of aos dot-commands (``.load FILE``, ``.load-blueprint NAME``, ``.help``)
        does what the aos CLI does with them."""
        ref = line.strip() or None
        if ref is not None and " " in ref:
            raise UsageError(f"%%lua takes one process ID or name, got {ref!r}")
        commands = dot_commands(cell)
        if commands is not None:
            res = None
            for name, arg in commands:
                res = self._dot(name, arg, ref)
            return res
        return self._eval(cell, ref)

    def _dot(self, name: str, arg: str, ref: str | None) -> Any:
        """One aos dot-command typed in a Lua cell."""
        if name == ".load":
            if not arg:
                raise UsageError(".load needs a file: .load chatroom.lua")
            return self._eval(_read_lua(arg, ".load"), ref)
        if name == ".load-blueprint":
            return self._eval(_blueprint_source(arg, ".load-blueprint"), ref)
        if name == ".help":
            width = max(len(k) for k in DOT_COMMANDS)
            print("aos commands in a Lua cell:\n" + "\n".join(
                f"  {k:<{width}}  {v}" for k, v in DOT_COMMANDS.items()) + "\n")
            self._print_help()
            return None
        if name in DOT_COMMANDS:
            raise UsageError(f"{name}: {DOT_COMMANDS[name]}")
        raise UsageError(f"{name} is not an aos command this kernel knows; .load FILE and "
                         ".load-blueprint NAME work in a Lua cell, and %ao help lists the "
                         "magics (.help lists the dot-commands)")

    @line_magic
    def ao_load(self, line: str) -> Any:
        """``%ao_load FILE.lua``: aos ``.load`` (IPython's own %load is left alone)."""
        path = unquote(line.strip())
        if not path:
            raise UsageError("%ao_load needs a Lua file, e.g. %ao_load chatroom.lua")
        return self._eval(_read_lua(path, "FILE"))

    @line_magic("load-blueprint")  # type: ignore[arg-type]
    def load_blueprint(self, line: str) -> Any:
        """``%load-blueprint NAME``: aos ``.load-blueprint`` (e.g. token)."""
        return self._eval(_blueprint_source(line.strip(), "%load-blueprint"))

    @line_magic
    def inbox(self, line: str) -> Any:
        """``%inbox``: the current process's Inbox (messages no handler took)."""
        _no_args("inbox", line)
        with usage_errors():
            proc = self.session.current
            return self.session.call(lambda: proc.inbox)

    @line_magic
    def schedule(self, line: str) -> Any:
        """``%schedule``: the current process's assignments."""
        _no_args("schedule", line)
        with usage_errors():
            proc = self.session.current
            return self.session.call(lambda: proc.schedule)

    @magic_arguments()
    @argument("--slot", "-s", type=int, default=None, help="slot (default: latest)")
    @line_magic
    def state(self, line: str) -> Any:
        """``%state [--slot N]``: the process's globals after slot N."""
        args = parse_argstring(self.state, line)
        if args.slot is not None and args.slot < 0:
            raise UsageError(f"--slot {args.slot}: slots start at 0")
        with usage_errors():
            proc = self.session.current
            return self.session.call(proc.state, args.slot)

    @line_magic
    def hashpath(self, line: str) -> str:
        """``%hashpath [SLOT]``: the hashpath of a slot's result."""
        slot = _slot_arg(line)
        with usage_errors():
            return str(self.session.result(slot).hashpath)

    @magic_arguments()
    @argument("slot", nargs="?", default=None, help="slot (default: latest)")
    @argument("--signed", action="store_true",
              help="the RSA-signed form of the assignment (HyperBEAM's)")
    @line_magic
    def commitments(self, line: str) -> Any:
        """``%commitments [SLOT]``: a slot's assignment with its commitments."""
        args = parse_argstring(self.commitments, line)
        slot = _slot_arg(args.slot or "")
        with usage_errors():
            if args.signed:
                return self.session.signed_assignment(slot)
            return self.session.assignment(slot)

    @line_magic
    def verify(self, line: str) -> Any:
        """``%verify [pid|name]``: check every hash-chain link, slot and signature."""
        ref = line.strip() or None
        with usage_errors():
            proc = self.session.process(ref)
            return self.session.call(self.session.node.verify, proc)

    @line_magic
    def resolve(self, line: str) -> Any:
        """``%resolve PATH``: resolve an AO-Core path, e.g. /~meta@1.0/info."""
        path = line.strip()
        if not path:
            raise UsageError("%resolve needs a path, e.g. %resolve /~meta@1.0/info")
        with usage_errors():
            return self.session.call(self.session.node.resolve, path)

    # -- the node: snapshots, clock, store, remote -----------------------------------------

    @line_magic
    def snapshot(self, line: str) -> str:
        """``%snapshot [NAME]``: copy the node's store aside."""
        name = line.strip() or None
        if name is not None and not re.fullmatch(r"[\w.-]+", name):
            raise UsageError(f"snapshot name {name!r}: use letters, digits, '.', '-', '_'")
        with usage_errors():
            snap = self.session.snapshot(name)
        return f"snapshot {snap.name!r}: {snap.processes} process(es), store {snap.spec}"

    @line_magic
    def restore(self, line: str) -> str:
        """``%restore [NAME]``: reopen the node as it was at a snapshot."""
        name = line.strip() or None
        with usage_errors():
            snap = self.session.restore(name)
        return f"restored {snap.name!r}: {snap.processes} process(es), store {snap.spec}"

    # -- operating the node (issue: operator) ---------------------------------------------

    def _local_node(self, what: str) -> Any:
        if self.session.remote_url is not None:
            raise UsageError(f"%{what} operates the embedded node; switch back with "
                             "%remote local")
        return self.session.node

    @line_magic
    def configure(self, line: str) -> Any:
        """``%configure KEY=VALUE ...``: change node options, signed by the operator."""
        updates = parse_tags(line.split(), "%configure")
        if not updates:
            raise UsageError("%configure needs KEY=VALUE pairs, e.g. %configure port=9000")
        node = self._local_node("configure")
        with usage_errors():
            self.session.call(node.configure, updates)
        return f"configured {', '.join(sorted(updates))} ({len(node.history)} change(s))"

    @magic_arguments()
    @argument("device", help="pricing/ledger device (simple-pay@1.0, faff@1.0) or 'off'")
    @argument("--price", type=int, default=None, help="price per message (simple-pay)")
    @line_magic
    def payments(self, line: str) -> str:
        """``%payments simple-pay@1.0 [--price N]`` / ``%payments off``."""
        args = parse_args(self.payments, line)
        node = self._local_node("payments")
        with usage_errors():
            if args.device == "off":
                self.session.call(node.disable_payments)
                return "payments off: every request is free"
            options = {} if args.price is None else {"simple-pay-price": args.price}
            self.session.call(node.enable_payments, args.device, **options)
        return f"payments on: {args.device}" + (f", price {args.price}" if args.price else "")

    @line_magic
    def topup(self, line: str) -> str:
        """``%topup ADDRESS AMOUNT``: credit a wallet on the ledger (as the operator)."""
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise UsageError("%topup needs an address and a whole amount: %topup ADDR 100")
        node = self._local_node("topup")
        with usage_errors():
            balance = self.session.call(node.topup, parts[0], int(parts[1]))
        return f"{parts[0]}: balance {balance}"

    @line_magic
    def balance(self, line: str) -> int:
        """``%balance [ADDRESS]``: a balance on the node's ledger (default: this wallet)."""
        node = self._local_node("balance")
        address = line.strip() or node.address
        with usage_errors():
            value: int = self.session.call(node.balance, address)
        return value

    @line_magic
    def costs(self, line: str) -> Any:
        """``%costs [pid|name]``: what each slot of a process cost."""
        node = self._local_node("costs")
        with usage_errors():
            proc = self.session.process(line.strip() or None)
            return self.session.call(node.costs, proc)

    @magic_arguments()
    @argument("process", nargs="?", default=None, help="process id or name (default: current)")
    @argument("--gateway", required=True, help="Arweave gateway URL, e.g. http://127.0.0.1:1984")
    @line_magic
    def publish(self, line: str) -> Any:
        """``%publish [pid|name] --gateway URL``: post a process and its schedule to Arweave."""
        args = parse_args(self.publish, line)
        node = self._local_node("publish")
        with usage_errors():
            proc = self.session.process(args.process)
            return self.session.call(node.publish, proc, args.gateway)

    @line_magic
    def clock(self, line: str) -> str:
        """``%clock`` shows the clock; ``%clock advance 10s`` advances it."""
        words = line.split()
        node = self.session.node
        if not words:
            return f"{node.clock!r}: {node.clock.now_ms()} ms"
        if words[0] != "advance":
            raise UsageError(f"unknown %clock command {words[0]!r}; use %clock or "
                             "%clock advance 10s")
        if len(words) != 2:
            raise UsageError("%clock advance needs one duration, e.g. %clock advance 10s")
        ms = parse_duration(words[1])
        with usage_errors():
            ticks = self.session.clock_advance(ms)
        node = self.session.node
        return f"{node.clock!r}: {node.clock.now_ms()} ms, {len(ticks)} cron tick(s) fired"

    @line_magic
    def ao_store(self, line: str) -> Any:
        """``%ao_store memory|sqlite:PATH``: a new node over that store (IPython's own
        %store, which keeps Python variables, is left alone)."""
        spec = line.strip()
        if spec != "memory" and not spec.startswith("sqlite:"):
            raise UsageError(f"%ao_store {spec!r}: expected memory or sqlite:PATH")
        with usage_errors():
            node = self.session.use_store(spec)
        return f"node {node.address} over {spec} ({len(node.processes)} process(es))"

    @line_magic
    def remote(self, line: str) -> str:
        """``%remote URL`` / ``%remote local``: the node the cells and magics talk to.

        ``%remote http://127.0.0.1:8734`` switches to a node serving HyperBEAM's HTTP API
        (e.g. ``ao-node serve``; requests signed with this kernel's wallet);
        ``%remote local`` switches back to the embedded node, which kept running."""
        target = line.strip()
        if target == "local":
            node = self.session.use_local()
            return f"local node {node.address}"
        if not target.startswith(("http://", "https://")):
            raise UsageError(f"%remote {target!r}: give a URL (http://host:port) or 'local'")
        try:
            node = self.session.use_remote(target)
        except errors.AOError as exc:
            raise UsageError(f"%remote {target}: {exc}") from None
        return f"remote node {target} (operator {node.address})"

    # -- widgets (another module) ---------------------------------------------------------

    @line_magic
    def graph(self, line: str) -> Any:
        """``%graph``: the live process/message graph widget."""
        return self._widget("graph", line)

    @line_magic
    def timeline(self, line: str) -> Any:
        """``%timeline``: the slot timeline widget of the current process."""
        return self._widget("timeline", line)

    def _widget(self, name: str, line: str) -> Any:
        try:
            from . import widgets
        except ImportError as exc:
            raise UsageError(f"%{name} needs ao_kernel.jupyter.widgets (pip install "
                             f"'ao-kernel[jupyter]'), which is not available: {exc}") from None
        make = getattr(widgets, f"{name}_magic", None)
        if callable(make):  # the widgets module may parse its own options
            return make(self.session, line)
        if line.strip():
            raise UsageError(f"%{name} takes no argument here (got {line.strip()!r})")
        with usage_errors():
            if name == "graph" and hasattr(widgets, "GraphWidget"):
                return widgets.GraphWidget(self.session.node)
            if name == "timeline" and hasattr(widgets, "TimelineWidget"):
                return widgets.TimelineWidget(self.session.current)
        raise UsageError(f"%{name}: ao_kernel.jupyter.widgets has no {name} widget yet")


def _no_args(name: str, line: str) -> None:
    if line.strip():
        raise UsageError(f"%{name} takes no argument (got {line.strip()!r})")


def _blueprint_source(name: str, what: str) -> str:
    from ..runtimes.aos import blueprint, blueprint_names

    names = blueprint_names()
    if name not in names:
        raise UsageError(f"{what}: unknown blueprint {name!r}; available: {', '.join(names)}")
    return blueprint(name)


def _read_lua(path: str, what: str) -> str:
    path = os.path.expanduser(path)
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise UsageError(f"{what} {path!r}: cannot read it ({exc.strerror})") from None


def load_ipython_extension(ipython: Any, session: Session | None = None) -> AOMagics:
    """Register the AO magics (and rich display of messages and reports) on ``ipython``."""
    existing = getattr(ipython, "_ao_magics", None)
    if isinstance(existing, AOMagics):
        return existing
    from .display import register_formatters

    magics = AOMagics(ipython, session)
    ipython.register_magics(magics)  # none of ours shadows an IPython magic (%load, %store)
    ipython.events.register("post_run_cell", magics.post_run_cell)
    register_formatters(ipython)
    from .panel import register_panel  # JupyterLab's AO side panel (comm target ao.panel)
    register_panel(magics)
    ipython._ao_magics = magics
    return magics


def unload_ipython_extension(ipython: Any) -> None:
    magics = getattr(ipython, "_ao_magics", None)
    if isinstance(magics, AOMagics):
        ipython.events.unregister("post_run_cell", magics.post_run_cell)
        del ipython._ao_magics

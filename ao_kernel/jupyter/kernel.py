"""The AO kernel: an IPython kernel whose plain cells are Lua evaluated in an aos process.

Kernelspec ``ao`` ("AO (Lua)"). Each kernel embeds one node (a :class:`Session`, the node
on its own thread) and has a current process, spawned on first use. A cell is routed by
an IPython *input transformer* (notes/jupyter-wasmtime-lupa.md §1.2):

* ``%...`` / ``!...`` cells stay IPython (magics, shell), ``%%python`` / ``%%py`` cells run
  the rest of the cell as Python;
* every other cell becomes ``%%lua``: an ``Eval`` message to the current process, exactly
  like a line typed into ``aos``. What it prints streams to stdout as it is printed; its
  result is the rest of ``Output.data`` (the value), with what the cell's messages
  caused folded in; the aos prompt follows when it changed.

Because the raw cell goes through IPython unchanged, history, ``Out[]``, display hooks,
widgets and error display keep working. Completion (Tab), inspection (Shift-Tab) and
``is_complete`` are answered in Lua for Lua cells and by IPython for the others.
"""

from __future__ import annotations

import re
from typing import Any

from ipykernel.ipkernel import IPythonKernel

from .. import __version__
from .magics import load_ipython_extension
from .session import Session

PYTHON_CELL = ("%%python", "%%py")

LUA_KEYWORDS = (
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
    "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
)

_TOKEN_LEFT = re.compile(r"[A-Za-z_][\w]*(?:[.:][A-Za-z_]\w*)*[.:]?$")
_TOKEN_RIGHT = re.compile(r"^\w*")


def lua_cell_transformer(lines: list[str]) -> list[str]:
    """IPython cleanup transformer: a plain cell becomes ``%%lua``; ``%%py`` is stripped."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return lines
    head = lines[first].strip()
    if head in PYTHON_CELL:
        return lines[first + 1:]
    if head.startswith(("%", "!")):
        return lines
    return ["%%lua\n", *lines[first:]]


def cell_kind(code: str) -> str:
    """``lua``, ``python`` (a %%py cell) or ``ipython`` (magics, shell escapes)."""
    head = next((line.strip() for line in code.splitlines() if line.strip()), "")
    if head in PYTHON_CELL:
        return "python"
    if head.startswith("%%lua"):
        return "lua-magic"
    if head.startswith(("%", "!")):
        return "ipython"
    return "lua"


class LuaSyntax:
    """Compile-only checks with a private Lua 5.3 state (nothing is ever run)."""

    def __init__(self) -> None:
        from lupa import lua53

        self._lua = lua53.LuaRuntime(register_eval=False, register_builtins=False)
        self._load = self._lua.eval("function(s) local f, e = load(s, '=cell', 't', {}) "
                                    "if f then return true, '' end return false, e end")

    def error(self, code: str) -> str | None:
        ok, err = self._load(code)
        return None if ok else str(err)

    def status(self, code: str) -> str:
        """``complete``, ``incomplete`` or ``invalid`` (as aos compiles: expression first)."""
        if not code.strip():
            return "complete"
        if self.error("return " + code) is None:
            return "complete"
        err = self.error(code)
        if err is None:
            return "complete"
        incomplete = err.endswith("near <eof>") and "unfinished string" not in err
        return "incomplete" if incomplete else "invalid"


class AOKernel(IPythonKernel):
    """IPython with Lua cells in an embedded AO node (see the module docstring)."""

    implementation = "ao_kernel"
    implementation_version = __version__
    language_info = {  # noqa: RUF012 - ipykernel reads this class attribute
        "name": "lua",
        "version": "5.3",
        "mimetype": "text/x-lua",
        "file_extension": ".lua",
        "codemirror_mode": "lua",
        "pygments_lexer": "lua",
    }
    banner = (f"AO (Lua) kernel {__version__}: a local AO node. Cells are Lua evaluated in "
              "the current aos process; %ao help lists the magics; %%py runs Python.")
    help_links = [  # noqa: RUF012
        {"text": "AO cookbook", "url": "https://cookbook_ao.arweave.net/"},
        {"text": "Lua 5.3 manual", "url": "https://www.lua.org/manual/5.3/"},
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ao_session = Session()
        shell = self.shell
        assert shell is not None  # IPythonKernel creates its shell in __init__
        self.ao_magics = load_ipython_extension(shell, self.ao_session)
        shell.input_transformers_cleanup.insert(0, lua_cell_transformer)
        self.lua_syntax = LuaSyntax()

    # -- is_complete ---------------------------------------------------------------------

    def do_is_complete(self, code: str) -> dict[str, Any]:
        kind = cell_kind(code)
        if kind == "python":
            return super().do_is_complete(code.split("\n", 1)[1] if "\n" in code else "")
        if kind != "lua":
            return super().do_is_complete(code)
        status = self.lua_syntax.status(code)
        reply: dict[str, Any] = {"status": status}
        if status == "incomplete":
            reply["indent"] = "  "
        return reply

    # -- completion ------------------------------------------------------------------------

    def do_complete(self, code: str, cursor_pos: int | None) -> dict[str, Any]:
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        kind = cell_kind(code)
        if kind in ("python", "ipython"):
            return super().do_complete(code, cursor_pos)  # type: ignore[no-any-return]
        before = code[:cursor_pos]
        if kind == "lua-magic" and "\n" not in before:
            return super().do_complete(code, cursor_pos)  # type: ignore[no-any-return]
        matches, start = lua_completions(self.ao_session, before)
        return {"status": "ok", "matches": matches, "cursor_start": start,
                "cursor_end": cursor_pos, "metadata": {}}

    # -- inspection ------------------------------------------------------------------------

    def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0,
                   omit_sections: Any = ()) -> dict[str, Any]:
        kind = cell_kind(code)
        if kind in ("python", "ipython"):
            return super().do_inspect(code, cursor_pos, detail_level,  # type: ignore[no-any-return]
                                      omit_sections)
        text = lua_inspection(self.ao_session, code, cursor_pos)
        return {"status": "ok", "found": bool(text), "data": {"text/plain": text} if text else {},
                "metadata": {}}

    def do_shutdown(self, restart: bool) -> dict[str, Any]:
        try:
            self.ao_session.close()
        finally:
            reply = super().do_shutdown(restart)
        return reply  # type: ignore[no-any-return]


def lua_completions(session: Session, before: str) -> tuple[list[str], int]:
    """Completions for the Lua text left of the cursor, and the offset they replace from."""
    m = _TOKEN_LEFT.search(before)
    token = m.group(0) if m else ""
    start = m.start() if m else len(before)
    if start > 0 and before[start - 1] in ".:":
        return [], len(before)  # after a call or an index expression: unknown table
    sep = max(token.rfind("."), token.rfind(":"))
    path, partial = (token[:sep], token[sep + 1:]) if sep >= 0 else ("", token)
    try:
        members = session.lua_members(path)
    except Exception:  # completion must never break the kernel (busy node, Lua error)
        members = {}
    names = set(members)
    if token[sep:sep + 1] == ":":
        names = {n for n, kind in members.items() if kind == "function"}
    if not path:
        names.update(LUA_KEYWORDS)
    matches = sorted(n for n in names if n.startswith(partial))
    return matches, len(before) - len(partial)


def lua_inspection(session: Session, code: str, cursor_pos: int) -> str:
    """Shift-Tab text for the Lua name under the cursor ("" when there is nothing)."""
    left = _TOKEN_LEFT.search(code[:cursor_pos])
    right = _TOKEN_RIGHT.match(code[cursor_pos:])
    name = ((left.group(0) if left else "") + (right.group(0) if right else "")).rstrip(".:")
    if not name:
        return ""
    try:
        info = session.lua_describe(name)
    except Exception:
        return ""
    return describe_text(name, info)


def describe_text(name: str, info: dict[str, Any]) -> str:
    """Shift-Tab text for a Lua name (``info`` from :meth:`Session.lua_describe`)."""
    lines = []
    kind = info.get("type")
    if kind == "function":
        where = f"{info.get('source', '?')}:{info.get('line', '?')}"
        params = info.get("nparams")
        extra = f", {params} parameter(s){' + ...' if info.get('vararg') else ''}" \
            if params is not None else ""
        lines.append(f"{name}: function (defined at {where}{extra})")
    elif kind == "table":
        keys = info.get("keys") or []
        lines.append(f"{name}: table with {info.get('size', len(keys))} entries")
        lines.extend(f"  {k}" for k in keys)
    elif kind:
        lines.append(f"{name}: {kind} = {info.get('value')}")
    handler = info.get("handler")
    if isinstance(handler, dict):
        runs = handler.get("maxRuns")
        lines.append(f"handler {handler.get('name')!r}: position {handler.get('position')} of "
                     f"{handler.get('count')} in Handlers.list, pattern is a "
                     f"{handler.get('pattern')}" + (f", runs left {runs}" if runs else ""))
    return "\n".join(lines)

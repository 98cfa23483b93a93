"""Stand-ins for the live AO processes the AO Cookbook tutorials talk to.

The cookbook's "Begin" tutorials message **Morpheus** and **Trinity**, and its "Bots and
Games" tutorials play against a live **game server** (the arena blueprint plus the
"ao-effect" game). Those processes live on the public network; the notebooks in
``notebooks/`` run offline, so this package ships small Lua stand-ins that follow the same
flows (legacy brief §7.1, §7.2), written for ao-kernel in our own words::

    import ao_kernel as ao
    from ao_kernel.tutorials import spawn_morpheus, spawn_game

    node = ao.Node(clock="virtual")
    morpheus = spawn_morpheus(node)        # spawns Trinity too; Morpheus knows her ID
    game = spawn_game(node, cron="10-seconds")
    game.inspect("return PaymentToken")    # the game's token process

In the AO kernel (kernelspec ``ao``) call them from a ``%%py`` cell with no node: they
spawn into the kernel's own node and store the new process's ID in a Lua global of your
current process (``Morpheus``, ``Trinity``, ``Game``), as the cookbook has you type it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

__all__ = [
    "dry_run",
    "follow_blocks",
    "game_source",
    "morpheus_source",
    "remember",
    "spawn_game",
    "spawn_morpheus",
    "spawn_trinity",
    "trinity_source",
]


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def morpheus_source(trinity_id: str) -> str:
    """Morpheus's Lua, with Trinity's process ID filled in."""
    return f"Trinity = {_lua_string(trinity_id)}\n" + _read("morpheus.lua")


def trinity_source() -> str:
    """Trinity's Lua."""
    return _read("trinity.lua")


def game_source(payment_token: str, *, wait_ms: int = 2 * 60_000,
                game_ms: int = 20 * 60_000, minimum_players: int = 2) -> str:
    """The game server's Lua: the arena blueprint, its settings, then the ao-effect game."""
    from ..runtimes.aos import blueprint

    settings = (f"PaymentToken = {_lua_string(payment_token)}\n"
                f"WaitTime = {int(wait_ms)}\nGameTime = {int(game_ms)}\n"
                f"MinimumPlayers = {int(minimum_players)}\n")
    return settings + blueprint("arena") + "\n" + _read("game.lua")


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- where to spawn: a Node, or the node of the AO kernel / %load_ext session ---------------


def _session_of(target: Any) -> Any:
    """The Jupyter session (node on its own thread) for ``target``, or None for a Node."""
    if target is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython is a dependency of the kernel
            get_ipython = None
        shell = get_ipython() if get_ipython is not None else None
        magics = getattr(shell, "_ao_magics", None)
        if magics is None:
            raise TypeError("pass a node: spawn_morpheus(node); without one, this must run "
                            "in the AO kernel or after %load_ext ao_kernel")
        return magics.session
    if hasattr(target, "call") and hasattr(target, "node"):
        return target
    return None


def _run(target: Any, fn: Any, remember: str | None) -> Any:
    session = _session_of(target)
    if session is None:
        return fn(target)
    proc = session.call(fn, session.node)
    if remember:
        current = session.current
        session.call(current.eval, f"{remember} = {_lua_string(proc.id)}")
        print(f"{remember} is process {proc.id}; its ID is now in the Lua global "
              f"{remember} of your process {current.name or current.id}.")
    return proc


def spawn_trinity(node: Any = None, *, remember: str | None = "Trinity") -> Any:
    """Spawn Trinity on ``node`` (or the kernel's node) and return the process."""
    return _run(node, lambda n: n.spawn(lua=trinity_source(), name="Trinity"),
                remember if node is None else None)


def spawn_morpheus(node: Any = None, *, trinity: Any = None,
                   remember: str | None = "Morpheus") -> Any:
    """Spawn Morpheus (and Trinity, unless ``trinity`` is given) and return Morpheus.

    Morpheus reveals Trinity's ID when he joins your chatroom, as in the cookbook."""

    def make(n: Any) -> Any:
        her = trinity if trinity is not None else n.spawn(lua=trinity_source(), name="Trinity")
        her_id = her if isinstance(her, str) else her.id
        return n.spawn(lua=morpheus_source(her_id), name="Morpheus")

    return _run(node, make, remember if node is None else None)


def spawn_game(node: Any = None, *, cron: str | None = "10-seconds", wait_ms: int = 60_000,
               game_ms: int = 5 * 60_000, minimum_players: int = 2,
               remember: str | None = "Game") -> Any:
    """Spawn the game server and its payment token; return the game process.

    The token (the token blueprint, named ``Game-Token``) mints its supply to itself and
    hands half of it to the game, so that ``RequestTokens`` can pay players. The game's
    ``PaymentToken`` global holds the token's ID. With ``cron``, the clock of a virtual
    node moves the game forward on ``node.advance(ms)``."""

    def make(n: Any) -> Any:
        token = n.spawn(name="Game-Token")
        _check(token.load_blueprint("token"), "the game's token")
        game = n.spawn(lua=game_source(token.id, wait_ms=wait_ms, game_ms=game_ms,
                                       minimum_players=minimum_players),
                       name="Game", cron=cron)
        _check(game.boot, "the game server") if game.boot is not None else None
        supply = int(token.inspect(f"return Balances[{_lua_string(token.id)}]"))
        _check(token.eval(f'Send({{ Target = ao.id, Action = "Transfer", Recipient = '
                          f'{_lua_string(game.id)}, Quantity = "{supply // 2}" }})'),
               "funding the game")
        return game

    return _run(node, make, remember if node is None else None)


def follow_blocks(node: Any, *, start: int = 1_500_000, ms_per_block: int = 120_000) -> None:
    """Stamp ``node``'s new assignments with a block height that follows its clock
    (see :class:`ao_kernel.devices.scheduler.log.BlockClock`; ``ao.Node(blocks="clock")`` does
    the same at creation)."""
    from ..devices.scheduler.log import BlockClock

    node.use_blocks(BlockClock(node.clock, start=start, ms_per_block=ms_per_block))


def remember(name: str, process: str, *, into: str | None = None) -> str:
    """AO kernel: store the ID of ``process`` (a name or ID) in the Lua global ``name`` of
    ``into`` (default: the current process), as pasting the ID at the aos prompt would."""
    session = _session_of(None)
    pid: str = session.find(process).id
    target = session.process(into)
    _check(session.call(target.eval, f"{name} = {_lua_string(pid)}"), f"setting {name}")
    print(f"{name} = {pid!r} in process {target.name or target.id}")
    return pid


def dry_run(action: str | None = None, data: Any = None, *, process: Any = None,
            **tags: Any) -> Any:
    """What a process would answer to a message, without scheduling it (for check cells).

    ``process``: a Process, or in the AO kernel a name or ID (default: the current
    process). Returns the result; ``result.messages`` are the messages it would send."""
    if process is not None and hasattr(process, "dry_run"):
        return process.dry_run(action=action, data=data, tags=tags)
    session = _session_of(None)
    proc = session.process(process)
    return session.call(proc.dry_run, action=action, data=data, tags=tags)


def _check(res: Any, what: str) -> None:
    if res is not None and getattr(res, "error", None):
        raise RuntimeError(f"{what} failed to start: {res.error}")

"""Resolution semantics, modelled on the behaviours HyperBEAM's hb_ao_test_vectors check:
simple and ID resolves, device handler/default/exports/excludes, `as` forms, deep paths,
key repeated, hashpaths on every result, statuses, cache control, the step hook."""

from __future__ import annotations

from typing import Any

import pytest

from ao_kernel.core.errors import (
    DeviceNotFoundError,
    KeyNotFoundError,
    RecursionLimitError,
)
from ao_kernel.core.ids import hashpath, message_id
from ao_kernel.core.message import Message
from ao_kernel.core.path import As, Resolve, parse_path
from ao_kernel.core.resolver import (
    Device,
    Opts,
    Result,
    pass_,
    resolve,
    resolve_many,
    skip,
)
from ao_kernel.devices import default_registry


class Counter(Device):
    """A test device: `inc` adds one to `count`, `twice` doubles, `boom` fails."""

    name = "counter@1.0"
    exports = ("inc", "twice", "boom", "hidden", "loop")

    def inc(self, base: Message, req: Message, opts: Opts) -> Message:
        step = req.get("by", 1)
        assert isinstance(step, int)
        count = base.get("count", 0)
        assert isinstance(count, int)
        return base.with_(count=count + step)

    def twice(self, base: Message, req: Message, opts: Opts) -> Message:
        count = base.get("count", 0)
        assert isinstance(count, int)
        return base.with_(count=count * 2)

    def boom(self, base: Message, req: Message, opts: Opts) -> Any:
        raise KeyNotFoundError("boom went the device", field="boom")

    def hidden(self, base: Message, req: Message, opts: Opts) -> str:
        return "should not be reachable"

    def loop(self, base: Message, req: Message, opts: Opts) -> Result:
        return resolve(base, "loop", opts)

    def device_info(self, base: Message, req: Message, opts: Opts) -> dict[str, Any]:
        return {"excludes": ["hidden"]}


class Handled(Device):
    """Every key goes through one handler."""

    name = "handled@1.0"

    def device_info(self, base: Message, req: Message, opts: Opts) -> dict[str, Any]:
        return {"handler": lambda key, b, r, o: f"handled {key}", "excludes": ["keys"]}


class Defaulted(Device):
    """Named handlers first, then a default for every other exported key."""

    name = "defaulted@1.0"
    exports = ("named",)

    def named(self, base: Message, req: Message, opts: Opts) -> str:
        return "named"

    def device_info(self, base: Message, req: Message, opts: Opts) -> dict[str, Any]:
        return {"default": lambda key, b, r, o: f"default {key}", "exports": ["named", "any"]}


class Stepper(Device):
    """Returns skip and pass statuses."""

    name = "stepper@1.0"
    exports = ("skip", "pass")

    def skip(self, base: Message, req: Message, opts: Opts) -> Result:
        return skip(base.with_(skipped=True))

    def pass_(self, base: Message, req: Message, opts: Opts) -> Result:
        return pass_(base)


@pytest.fixture
def opts() -> Opts:
    registry = default_registry()
    for device in (Counter(), Handled(), Defaulted(), Stepper()):
        registry.add(device)
    return Opts(registry=registry)


def test_resolve_simple_key(opts: Opts) -> None:
    assert resolve(Message({"a": "1"}), "a", opts).value == "1"


def test_resolve_key_case_insensitively(opts: Opts) -> None:
    assert resolve(Message({"a": "1"}), "A", opts).value == "1"


def test_missing_key_is_an_error_status(opts: Opts) -> None:
    res = resolve(Message({"a": "1"}), "b", opts)
    assert res.status == "error"
    assert isinstance(res.value, KeyNotFoundError)


def test_private_keys_cannot_be_resolved(opts: Opts) -> None:
    assert resolve(Message({"priv-x": "1"}), "priv-x", opts).status == "error"


def test_unknown_device_is_named(opts: Opts) -> None:
    with pytest.raises(DeviceNotFoundError, match=r"nope@1\.0"):
        resolve(Message({"device": "nope@1.0"}), "x", opts)


def test_device_name_is_case_insensitive(opts: Opts) -> None:
    res = resolve(Message({"device": "Counter@1.0"}), "inc", opts)
    assert res.value["count"] == 1


def test_named_handler_and_request_keys(opts: Opts) -> None:
    res = resolve(Message({"device": "counter@1.0", "count": 1}), {"path": "inc", "by": 5}, opts)
    assert res.value["count"] == 6


def test_multi_part_path_chains_and_carries_request_keys(opts: Opts) -> None:
    base = Message({"device": "counter@1.0", "count": 1})
    res = resolve(base, {"path": "inc/twice/inc", "by": 2}, opts)
    assert res.value["count"] == 8  # (1+2)*2+2


def test_same_key_twice(opts: Opts) -> None:
    res = resolve(Message({"device": "counter@1.0"}), "inc/inc", opts)
    assert res.value["count"] == 2


def test_excluded_keys_fall_through_to_message_device(opts: Opts) -> None:
    base = Message({"device": "counter@1.0", "hidden": "the value"})
    assert resolve(base, "hidden", opts).value == "the value"


def test_unexported_keys_fall_through_to_message_device(opts: Opts) -> None:
    base = Message({"device": "defaulted@1.0", "other": "plain"})
    assert resolve(base, "other", opts).value == "plain"
    assert resolve(base, "named", opts).value == "named"
    assert resolve(base, "any", opts).value == "default any"


def test_info_handler_takes_every_exported_key(opts: Opts) -> None:
    base = Message({"device": "handled@1.0"})
    assert resolve(base, "whatever", opts).value == "handled whatever"
    assert set(resolve(base, "keys", opts).value) == {"device"}


def test_device_errors_become_error_statuses(opts: Opts) -> None:
    res = resolve(Message({"device": "counter@1.0"}), "boom", opts)
    assert res.status == "error"
    assert "boom went the device" in str(res.value)


def test_skip_and_pass_statuses_stop_a_chain(opts: Opts) -> None:
    base = Message({"device": "stepper@1.0"})
    res = resolve(base, "skip/pass", opts)
    assert res.status == "skip"
    assert res.value["skipped"] is True
    assert resolve(base, "pass", opts).status == "pass"


def test_every_ok_result_carries_its_hashpath(opts: Opts) -> None:
    base = Message({"device": "counter@1.0", "count": 1})
    res = resolve(base, "inc", opts)
    assert res.value.hashpath == hashpath(base, Message({"path": "inc"}))
    assert res.value.hashpath == f"{message_id(base, commitments='all')}/inc"
    chained = resolve(base, "inc/twice", opts)
    assert chained.value.hashpath == hashpath(res.value, Message({"path": "twice"}))


def test_hashpath_modes(opts: Opts) -> None:
    base = Message({"device": "counter@1.0"})
    opts.hashpath = "ignore"
    assert resolve(base, "inc", opts).value.hashpath is None


def test_recursion_limit(opts: Opts) -> None:
    opts.max_depth = 20
    res = resolve(Message({"device": "counter@1.0"}), "loop", opts)
    assert res.status == "error"
    assert isinstance(res.value, RecursionLimitError)


def test_deep_get_and_set(opts: Opts) -> None:
    msg = Message({"a": {"b": {"c": 7}}})
    assert resolve(msg, "a/b/c", opts).value == 7
    updated = resolve(msg, {"path": "set", "a": {"b": {"d": 8}}}, opts).value
    assert updated["a"]["b"]["c"] == 7
    assert updated["a"]["b"]["d"] == 8


def test_set_unset_and_commitment_dropping(opts: Opts) -> None:
    from ao_kernel.core.values import Atom

    msg = Message({"a": "1", "b": "2"})
    assert "a" not in resolve(msg, {"path": "set", "a": Atom("unset")}, opts).value


def test_list_becomes_a_numbered_message(opts: Opts) -> None:
    msg = Message({"items": ["x", "y", "z"]})
    assert resolve(msg, "items", opts).value == ("x", "y", "z")


def test_resolve_many_with_as_and_subresolution(opts: Opts) -> None:
    steps = [As("counter@1.0", {}), Message({"path": "inc", "by": 3})]
    assert resolve_many(steps, opts).value["count"] == 3
    sub = Resolve([Message({"device": "counter@1.0", "count": 10}), Message({"path": "inc"})])
    assert resolve_many([sub, Message({"path": "twice"})], opts).value["count"] == 22


def test_as_in_request_position_overrides_the_device(opts: Opts) -> None:
    steps = [Message({"count": 4}), As("counter@1.0", {"path": "twice"})]
    assert resolve_many(steps, opts).value["count"] == 8


def test_resolve_by_id_through_the_loader(opts: Opts) -> None:
    stored = Message({"device": "counter@1.0", "count": 2})
    opts.loader = {message_id(stored): stored}.__getitem__
    assert resolve_many([message_id(stored), Message({"path": "inc"})], opts).value["count"] == 3
    assert resolve_many([message_id(stored)], opts).value == stored


def test_singleton_paths(opts: Opts) -> None:
    steps = parse_path("/~message@1.0&greeting=Hello&count+integer=42/count")
    assert resolve_many(steps, opts).value == 42
    steps = parse_path("/~counter@1.0/inc&by+integer=2/twice")
    assert resolve_many(steps, opts).value["count"] == 4


def test_step_hook_sees_every_step(opts: Opts) -> None:
    seen: list[tuple[str, str]] = []
    opts.on_step = lambda b, r, res: seen.append((str(r["path"]), res.status))
    resolve(Message({"device": "counter@1.0"}), "inc/twice", opts)
    assert seen == [("inc", "ok"), ("twice", "ok")]


def test_force_message_wraps_literals(opts: Opts) -> None:
    opts.force_message = True
    res = resolve(Message({"a": "1"}), "a", opts)
    assert res.value == Message({"ao-result": "body", "body": "1"})


class DictCache(dict[str, Any]):
    pass


def test_results_cached_by_hashpath_under_cache_control(opts: Opts) -> None:
    calls: list[int] = []
    base = Message({"device": "counter@1.0", "count": 1})
    opts.on_step = lambda b, r, res: calls.append(1)
    opts.cache = DictCache()
    opts.cache_control = ("always",)
    first = resolve(base, "inc", opts)
    second = resolve(base, "inc", opts)
    assert first.value == second.value
    assert first.value.hashpath in opts.cache
    opts.cache_control = ("no-cache", "no-store")
    resolve(base, "inc", opts)
    assert len(calls) == 2  # the second resolve was a cache hit: the device did not run
    opts.cache_control = ("only-if-cached",)
    miss = resolve(base, "twice", opts)
    assert miss.status == "error"
    assert miss.value["status"] == 504

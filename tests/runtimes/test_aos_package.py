"""ao_kernel.runtimes.aos: the modules it serves and the build it claims to match."""

import pytest

from ao_kernel.runtimes import aos

RUNTIME = {
    "ao",
    "boot",
    "chance",
    "default",
    "eval",
    "format",
    "handlers",
    "handlers-utils",
    "json",
    "main",
    "process",
    "utils",
}


def test_modules_serves_every_runtime_file():
    mods = aos.modules()
    assert set(mods) >= RUNTIME
    assert not any(name.startswith(("blueprints", ".")) for name in mods)


def test_every_module_opens_with_a_header_comment():
    for name in RUNTIME:
        assert aos.modules()[name].startswith(f"-- .{name}:") or aos.modules()[name].startswith(
            f"-- {name}:"
        ), name


def test_build_is_named():
    assert aos.AOS_BUILD == "aos2_0_6.wasm"
    assert aos.AOS_MODULE_ID in aos.__doc__
    assert aos.AOS_VERSION in aos.modules()["process"]


def test_unknown_blueprint_is_a_key_error():
    with pytest.raises(KeyError, match="unknown blueprint"):
        aos.blueprint("no-such-blueprint")


def test_blueprints_listed_are_readable():
    for name in aos.blueprint_names():
        assert aos.blueprint(name).strip()

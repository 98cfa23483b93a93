"""Tags reach a process exactly as they were signed: order, case, duplicates, and names
shared with fields (``Target``, ``Data`` ...), as the real compute unit passes them."""

from __future__ import annotations

from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core.ans104 import DataItem, sign
from ao_kernel.core.ans104_codec import item_to_message, message_to_item
from ao_kernel.core.b64 import b64u_encode
from ao_kernel.core.commitments import verify
from ao_kernel.core.ids import message_id
from ao_kernel.node.clock import VirtualClock
from ao_kernel.runtimes.aos.abi import json1_message
from ao_kernel.testing.wallets import dev_wallet

SHOW_TAGS = """
Handlers.add("show", "Show", function(msg)
  local names = {}
  for i, t in ipairs(msg.TagArray) do names[i] = t.name .. "=" .. t.value end
  msg.reply({ Data = table.concat(names, ","), Target = msg.From,
              ["Seen-Target"] = tostring(msg.Tags.Target), ["Field-Target"] = msg.Target })
end)
"""
OTHER = b64u_encode(bytes(range(32)))
FIELD = b64u_encode(bytes(range(32, 64)))


@pytest.fixture
def node() -> ao.Node:
    return ao.Node(wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))


def signed_item(tags: tuple[tuple[str, str], ...], target: str) -> DataItem:
    from ao_kernel.core.b64 import b64u_decode

    item = DataItem(1, bytes(512), bytes(512), b64u_decode(target), b"", tags, b"1234")
    return sign(item, dev_wallet(2).rsa_signer)


def test_data_item_tags_keep_order_case_duplicates_and_field_names() -> None:
    tags = (("Action", "Show"), ("SDK", "aoconnect"), ("Target", OTHER), ("Data", "tag"),
            ("X", "1"), ("X", "2"))
    item = signed_item(tags, FIELD)
    msg = item_to_message(item)
    assert msg["Target"] == OTHER and msg["target"] == FIELD  # a tag next to the field
    assert msg["SDK"] == "aoconnect" and "Sdk" not in list(msg)
    assert verify(msg)
    assert message_id(msg, "all") == item.id
    assert message_to_item(msg).id == item.id  # re-encodes to the bytes signed
    seen = json1_message(msg, default_owner="owner")
    assert [(t["name"], t["value"]) for t in seen["Tags"]] == list(tags)
    assert seen["Target"] == FIELD and seen["Data"] == "1234"


def test_python_tags_reach_the_process_as_given(node: ao.Node) -> None:
    proc = node.spawn(name="tags", lua=SHOW_TAGS)
    res = proc.send(action="Show", tags={"Target": OTHER, "SDK": "py", "Zed": "z", "Alpha": "a"})
    [reply] = res.messages
    shown = reply["Data"].split(",")
    # in order, next to the target field; aos itself Header-Cases names (SDK -> Sdk),
    # the JSON-1 message it is given keeps them as given (test above)
    assert shown[:5] == ["Action=Show", f"Target={OTHER}", "Sdk=py", "Zed=z", "Alpha=a"]
    tags = {t["name"]: t["value"] for t in reply["Tags"]}
    assert tags["Seen-Target"] == OTHER  # msg.Tags.Target: the tag
    assert tags["Field-Target"] == proc.id  # msg.Target: the field


def test_token_balance_dry_run_with_a_target_tag(node: ao.Node) -> None:
    """The query every token UI makes: Balance of the account named by a Target tag."""
    proc = node.spawn(name="token")
    proc.load_blueprint("token")
    own = proc.dry_run("Balance")
    assert own.messages[0]["Data"] == "0"  # the caller holds nothing
    res = proc.dry_run("Balance", tags={"Target": proc.id})
    [reply] = res.messages
    assert reply["Data"] == str(10000 * 10 ** 12)  # the process's own balance
    assert {"name": "Balance", "value": str(10000 * 10 ** 12)} in reply["Tags"]


def test_the_scheduled_message_serves_its_tags_as_signed(node: ao.Node) -> None:
    from ao_kernel.node.http.legacy import dry_run_message

    msg = dry_run_message(OTHER, {"Tags": [{"name": "Action", "value": "Balance"},
                                           {"name": "Target", "value": FIELD},
                                           {"name": "SDK", "value": "x"}]}, "owner")
    seen: dict[str, Any] = json1_message(msg, default_owner="owner")
    assert seen["Tags"] == [{"name": "Action", "value": "Balance"},
                            {"name": "Target", "value": FIELD},
                            {"name": "SDK", "value": "x"}]
    assert seen["Target"] == OTHER

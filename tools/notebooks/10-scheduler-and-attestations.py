# %% [markdown]
# # 10 · The scheduler and attestations: slots, the hash chain, signatures, verification
#
# **You will learn**
# - what the **scheduler** does: it gives each message of a process a numbered **slot**;
# - what an **assignment** records, and how the **hash chain** links every slot to all the
#   slots before it (you will recompute it by hand);
# - how the scheduler **signs** the log (checkpoints) and how anyone checks it;
# - how `node.verify` catches a tampered schedule, and names the slot.
#
# Kernel: **Python 3**. You need notebook 02; notebook `01-ao-core-messages` (message IDs,
# commitments) helps.

# %%
import hashlib

import ao_kernel as ao
from ao_kernel.core.b64 import b64u_decode, b64u_encode
from ao_kernel.node.scheduler import verify_schedule
from ao_kernel.testing.wallets import dev_wallet

node = ao.Node(clock="virtual", wallet=dev_wallet(1))
proc = node.spawn(name="ledger", lua='Handlers.add("note", "Note", function(msg) '
                  'Notes = Notes or {}; table.insert(Notes, msg.Data) end)')
for text in ("first", "second", "third"):
    proc.send(action="Note", data=text)
print(proc, "latest slot:", proc.slot)

# %% [markdown]
# ## Slots and assignments
#
# AO splits the work of a computer into roles. The **scheduler unit** decides the order of
# a process's messages, once and for all: message *n* goes in slot *n*. The **compute
# unit** folds the process's code over that order. Because the order is fixed and
# published, anyone can recompute the state and must get the same answer.
#
# The scheduler records each decision as an **assignment**. Slot 0 is the process message
# itself; here, slots 1 to 3 hold the three notes.

# %%
schedule = proc.schedule
a2 = schedule[2]
for key in ("process", "slot", "timestamp", "block-height", "hash-chain"):
    print(f"{key:13} {a2[key]}")
print("body action  ", a2["body"]["action"], "/ data:", a2["body"]["data"])

# %% [markdown]
# ## The hash chain, by hand
#
# `hash-chain` links the slots: for slot *n*,
#
# `chain(n) = SHA-256( raw bytes of chain(n-1)  ||  ID of the message in slot n )`
#
# starting from empty bytes before slot 0, written in base64url. The message ID is its
# signed ID (`ao.id(body, committers="all")`, notebook 01). Change any earlier message,
# or reorder two, and every later link changes. Recompute the whole chain:

# %%
def chain_step(previous_b64, body):
    previous = b64u_decode(previous_b64) if previous_b64 else b""
    message_id = ao.id(body, committers="all")
    return b64u_encode(hashlib.sha256(previous + message_id.encode("ascii")).digest())

link = ""
for assignment in schedule:
    link = chain_step(link, assignment["body"])
    same = link == assignment["hash-chain"]
    print(f"slot {assignment['slot']}: {link}  {'matches' if same else 'DIFFERS'}")

# %% [markdown]
# ## Signatures: who vouches for the log
#
# The chain makes the log tamper-evident; a **signature** says who stands behind it. This
# node's scheduler signs *checkpoints*: one RSA signature over `(slot N, chain(N), ...)`
# vouches for every assignment from 0 to N, because the chain already commits to all of
# them. (HyperBEAM signs every assignment; signing checkpoints keeps one expensive RSA
# operation off each message, and `node.scheduler.signed_assignment(pid, slot)` still
# gives HyperBEAM's fully signed form.)

# %%
checkpoint = node.scheduler.checkpoint(proc.id)
print("checkpoint of slot", checkpoint["slot"], "chain", checkpoint["hash-chain"])
print("signed by the node's wallet:", ao.verify(checkpoint), "/", node.address)

# %% [markdown]
# ## `node.verify`
#
# `node.verify(proc)` checks everything: consecutive slots, each body against its chain
# link, each assignment's own commitment, and the checkpoint signatures.

# %%
node.verify(proc)

# %% [markdown]
# The same checks, one result at a time: the explorer shows a result's hashpath chain
# link by link, and each commitment with a **Verify** button that checks its signature
# in the kernel.

# %%
from ao_kernel.jupyter.widgets import explorer
explorer(proc.result(proc.slot), node=node)

# %% [markdown]
# ## Catching a tampered result
#
# Suppose someone hands you a copy of this schedule in which slot 2's note was changed.
# `verify_schedule` is the function `node.verify` uses; give it the copy:

# %%
forged_body = a2["body"].with_(data="forged")
forged = list(schedule)
forged[2] = a2.with_(body=forged_body)
report = verify_schedule(forged, node.scheduler.checkpoints(proc.id), node.address,
                         process=proc.id)
report

# %% [markdown]
# The report names the **first bad slot** and why (`tampered-body`: the body no longer
# matches its chain link). The state computed from a forged schedule would differ too, so
# a compute result built on it cannot match the honest one.
#
# ## Exercise 1
#
# Swap slots 1 and 2 in a copy of the schedule (reordering, not changing any message) and
# store the verification report in `swap_report`. Which slot does it blame?

# %%
swap_report = None  # your code here

# %%
# check
if swap_report is None:
    print("not yet: swapped = list(schedule); swapped[1], swapped[2] = swapped[2], swapped[1]; "
          "then verify_schedule(swapped, ...)")
elif not swap_report.ok and swap_report.bad_slot == 1:
    print(f"well done: slot 1 is blamed ({swap_report.reason})")
else:
    print(f"not quite: the report says {swap_report}")

# %% [markdown]
# ## Exercise 2
#
# Send one more note, then compute the new slot's chain link **yourself** with
# `chain_step` from the previous link, and store it in `my_link`.

# %%
my_link = None  # your code here

# %%
# check
latest = proc.schedule[-1]
if my_link is None:
    print("not yet: proc.send(action='Note', data='fourth'); then chain_step(previous link, body)")
elif my_link == latest["hash-chain"]:
    print(f"well done: slot {latest['slot']} links to {my_link}")
else:
    print("not quite: use the hash-chain of the slot before and the body of the new slot")

# %% [markdown]
# ## What you learned
#
# The scheduler fixes the order (slots); the hash chain makes the order and the messages
# tamper-evident; signed checkpoints say who vouches for it; verification recomputes it all
# and names the first bad slot. Next: **11 · Time travel and debugging**.
#
# ## Solutions

# %%
swapped = list(schedule)
swapped[1], swapped[2] = swapped[2], swapped[1]
swap_report = verify_schedule(swapped, node.scheduler.checkpoints(proc.id), node.address,
                              process=proc.id)
swap_report

# %%
proc.send(action="Note", data="fourth")
previous, latest = proc.schedule[-2], proc.schedule[-1]
my_link = chain_step(previous["hash-chain"], latest["body"])
my_link == latest["hash-chain"]

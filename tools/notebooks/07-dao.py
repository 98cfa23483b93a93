# %% [markdown]
# # 07 · A DAO: staking and voting with Block-Height deadlines
#
# **You will learn**
# - how a DAO is built from three blueprints in one process: token, staking, voting;
# - what `Block-Height` is and why deadlines are counted in blocks;
# - how **`continue` handlers** run on every message without stopping the others;
# - how several processes, owned by different wallets, take part.
#
# Kernel: **Python 3**, with the ao-kernel Python API (`proc.eval(...)` sends Lua to a
# process, exactly like a Lua cell in the AO kernel). You need notebooks 04 and 05.

# %%
import ao_kernel as ao
from ao_kernel.testing.wallets import dev_wallet
from ao_kernel.tutorials import follow_blocks

node = ao.Node(clock="virtual", wallet=dev_wallet(1))   # deterministic time and keys
follow_blocks(node)                                     # block height follows the clock
dao = node.spawn(name="dao")
for name in ("token", "staking", "voting"):
    res = dao.load_blueprint(name)
    print(name, "loaded" if res.error is None else res.error)

# %% [markdown]
# ## Block height
#
# Every message a process computes is stamped by the scheduler with the Arweave block
# height of the moment (`msg["Block-Height"]`). Unlike a wall clock, it is part of the
# signed schedule, so every node replaying the process sees the same value. DAOs count
# deadlines in blocks for that reason. A local node follows no chain, so `follow_blocks`
# (above) makes the height advance with the node's virtual clock, one block per two
# minutes, like Arweave.

# %%
print("the process message was stamped at block", dao.inbox[0]["Block-Height"])
node.advance(10 * 60_000)                      # ten minutes later...
dao.send(action="Hello")                       # no handler takes it: it lands in the Inbox
print("a message ten minutes later, at block  ", dao.inbox[-1]["Block-Height"])

# %% [markdown]
# ## Members with their own wallets
#
# Alice and Bob each run a process, spawned with their own wallet (the owner of a process
# is the wallet that signed its process message). The DAO pays each of them tokens: as in
# notebook 05, the supply belongs to the DAO process, which transfers by messaging itself.

# %%
wallets = {"alice": dev_wallet(2), "bob": dev_wallet(3)}
alice = node.spawn(name="alice", wallet=wallets["alice"])
bob = node.spawn(name="bob", wallet=wallets["bob"])
for member, amount in ((alice, "3000"), (bob, "1000")):
    dao.eval(f'Send({{ Target = ao.id, Action = "Transfer", Recipient = "{member.id}", '
             f'Quantity = "{amount}" }})')
print("alice owner:", alice.inspect("return Owner"))
print("bob owner:  ", bob.inspect("return Owner"))
print("balances:   ", dao.inspect(f'return {{ Balances["{alice.id}"], Balances["{bob.id}"] }}'))

# %% [markdown]
# ## Only the owner may run code in a process
#
# `alice.eval(...)` sends an `Eval` signed by the **node's** wallet. Alice's process
# belongs to Alice's wallet, so it does not run that code: the message is just stored in
# its Inbox (look at the output). To act as Alice, sign with her wallet:

# %%
print(alice.eval('return "hi"').output)
print(alice.send(action="Eval", data='return "hi"', wallet=wallets["alice"]).output)

# %% [markdown]
# ## Staking
#
# Voting power comes from **staked** tokens: a `Stake` moves tokens from `Balances` to
# `Stakers`, where they stay locked. Members stake by messaging the DAO from their own
# process. A small helper types the Lua `Send` into a member's process, as its owner:

# %%
def tell_dao(member, **tags):
    """`member` sends a message to the DAO: an Eval of `Send{...}`, signed by its owner."""
    fields = ", ".join(f'{k} = "{v}"' for k, v in tags.items())
    code = f'Send({{ Target = "{dao.id}", {fields} }})'
    return member.send(action="Eval", data=code, wallet=wallets[member.name])

tell_dao(alice, Action="Stake", Quantity="2000")
tell_dao(bob, Action="Stake", Quantity="1000")
dao.inspect("return Stakers")

# %% [markdown]
# `unstake_at` is a block height: the stake's block plus `UnstakeDelay` (670 blocks, about
# 22 hours). Tokens you unstake come back only after that block.
#
# ## `continue` handlers
#
# How does anything happen "at" a block height, when a process only runs when a message
# arrives? The staking and voting blueprints **prepend** a *finalize* handler whose
# pattern returns `"continue"`: it runs for **every** message, first, then lets the
# message go on to the other handlers. Each message is the occasion to settle what is due.

# %%
dao.inspect("local n = {} for i, h in ipairs(Handlers.list) do n[i] = h.name end return n")

# %% [markdown]
# A pattern's answer decides: `true` (or `"break"`) = run and stop; `"continue"` = run
# and go on; `false` (or `"skip"`) = do not run. Only a *breaking* handler marks a message
# as handled: if only continue handlers ran, it still lands in the Inbox.
#
# ## Voting
#
# A `Vote` names a `Proposal`, a `Side` (`yay` or `nay`) and a `Deadline` in blocks from
# now. Each vote weighs the voter's stake.

# %%
tell_dao(alice, Action="Vote", Proposal="plant-trees", Side="yay", Deadline="5")
tell_dao(bob, Action="Vote", Proposal="plant-trees", Side="nay", Deadline="5")
dao.inspect("return Votes")

# %% [markdown]
# The deadline is 5 blocks (10 minutes). Advance the clock past it. Nothing happens by
# itself, because no message arrives; the next message (any message) runs the finalize
# handler, which closes the vote and prints the result:

# %%
node.advance(12 * 60_000)
print("before any message:", dao.inspect("return Votes"))
res = dao.send(action="Ping")
print(res.output)

# %% [markdown]
# ## Exercise 1: a continue handler of your own
#
# Add a handler named `count` to the DAO that counts every incoming message in a global
# `Seen` **without** stopping other handlers (its pattern returns `"continue"`). Then send
# the DAO two messages.

# %%
# your code here

# %%
# check
seen = dao.inspect("return Seen")
names = dao.inspect("local n = {} for i, h in ipairs(Handlers.list) do n[i] = h.name end return n")
if "count" not in (names or []):
    print("not yet: dao.eval('Handlers.add(\"count\", function(msg) return \"continue\" end, "
          "function(msg) Seen = (Seen or 0) + 1 end)')")
elif not isinstance(seen, int) or seen < 2:
    print(f"almost: Seen is {seen!r}; send the DAO two messages (dao.send(action='Hi'))")
else:
    print(f"well done: Seen = {seen}, and the other handlers still ran")

# %% [markdown]
# ## Exercise 2: when can Bob have his tokens back?
#
# Bob unstakes 500. Find the block height at which they return to his balance and store
# it in `release_block` (a Python int). Hint: `dao.inspect("return Unstaking")`.

# %%
tell_dao(bob, Action="Unstake", Quantity="500")
release_block = None  # your code here

# %%
# check
truth = dao.inspect(f'return Unstaking["{bob.id}"] and Unstaking["{bob.id}"].release_at')
if release_block is None:
    print("not yet: set release_block from dao.inspect('return Unstaking')")
elif release_block == truth:
    print(f"well done: block {truth}; after it, the next message pays Bob back")
else:
    print(f"not quite: {release_block} is not the release block; look at release_at")

# %% [markdown]
# ## What you learned
#
# Deadlines are block heights because every node agrees on them; `continue` handlers run
# first on every message and settle what is due; processes with their own wallets take
# part by messaging the DAO. Next: **08 · Bots and games**.
#
# ## Solutions

# %%
dao.eval('Handlers.add("count", function(msg) return "continue" end, '
         'function(msg) Seen = (Seen or 0) + 1 end)')
dao.send(action="Hello")
dao.send(action="Hello")
print(dao.inspect("return Seen"))

# %%
release_block = dao.inspect(f'return Unstaking["{bob.id}"].release_at')
release_block

# %% [markdown]
# # 11 · Time travel and debugging: the state at any slot, what changed, reading errors
#
# **You will learn**
# - how to read a process's state **after any slot** (`proc.state(slot=N)`);
# - how to find **what changed** between two slots;
# - how to read a Lua **error** (the message and the line in your code), and why an error
#   changes nothing;
# - how to try a message without keeping it (`dry_run`).
#
# Kernel: **Python 3**. You need notebooks 02 to 05 and 10 (slots).

# %%
import ao_kernel as ao
from ao_kernel.testing.wallets import dev_wallet

node = ao.Node(clock="virtual", wallet=dev_wallet(1))
bank = node.spawn(name="bank", lua="""
Accounts = Accounts or {}

Handlers.add("deposit", "Deposit", function(msg)
  local amount = tonumber(msg.Amount)
  Accounts[msg.From] = (Accounts[msg.From] or 0) + amount
  msg.reply({ Data = "balance " .. Accounts[msg.From] })
end)

Handlers.add("withdraw", "Withdraw", function(msg)
  local amount = tonumber(msg.Amount)
  local balance = Accounts[msg.From]
  Accounts[msg.From] = balance - amount
  msg.reply({ Data = "balance " .. Accounts[msg.From] })
end)
""")
for amount in ("100", "50", "25"):
    bank.send(action="Deposit", Amount=amount)
bank.send(action="Withdraw", Amount="30")
me = node.address  # the wallet that sent the deposits: its account in Accounts
print(bank.name, "slot", bank.slot, "· my balance", bank.inspect("return Accounts")[me])

# %% [markdown]
# ## The state at any slot
#
# A process's state is a pure function of its schedule (notebook 10), so the node can give
# you the state after **any** slot: it replays the log up to there. `proc.state(slot=N)`
# returns the process's globals (aos's own internals left out) as Python values.

# %%
for slot in range(bank.slot + 1):
    print("after slot", slot, "my balance:", (bank.state(slot=slot).get("Accounts") or {}).get(me))

# %% [markdown]
# The slot timeline does this with a slider: the state after the slot you pick, **what
# changed** from the slot before (highlighted), the message and its result. Drag it
# through the deposits and the withdrawal.

# %%
from ao_kernel.jupyter.widgets import timeline
timeline(bank)

# %% [markdown]
# ## What changed?
#
# Comparing two states shows what a message did. A small helper that walks two nested
# dictionaries:

# %%
def changes(before, after, path=""):
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        where = f"{path}.{key}" if path else str(key)
        if isinstance(old, dict) and isinstance(new, dict):
            yield from changes(old, new, where)
        elif old != new:
            yield where, old, new

for where, old, new in changes(bank.state(slot=3), bank.state(slot=4)):
    print(f"{where}: {old} -> {new}")

# %% [markdown]
# ## Reading an error
#
# Now a withdrawal from an account that does not exist (a different sender, through
# `node.message` with another wallet):

# %%
stranger = dev_wallet(2)
msg = node.message(bank.id, action="Withdraw", tags={"Amount": "10"}, wallet=stranger)
res = node.deliver(msg)
print(res.error)

# %% [markdown]
# How to read it:
#
# - the first line says which message failed (`Action = Withdraw`);
# - `attempt to perform arithmetic on a nil value (local 'balance')` is what went wrong;
# - `[string "aos"]:13:` just before it is the **line**: line 13 of the Lua the process
#   was spawned with (the source above starts with an empty line, so line 13 is
#   `Accounts[msg.From] = balance - amount`);
# - the traceback ends with `in handler 'withdraw'`: the handler that ran.
#
# `Accounts[msg.From]` is `nil` for a sender who never deposited, and Lua cannot subtract
# from `nil`.
#
# An erroring message **changes nothing**: like the real compute unit, the node discards
# the state the failed message produced, and sends none of its messages.

# %%
print("slot of the failed message:", res.slot)
print("state unchanged:", bank.state(slot=res.slot) == bank.state(slot=res.slot - 1))

# %% [markdown]
# The message still has its slot (the schedule is a record of what was *sent*, not of what
# succeeded); its result is the error.
#
# ## Trying without keeping: dry runs
#
# `dry_run` computes a message on the current state and throws the result away: nothing is
# scheduled. Use it to test a fix or to read an answer.

# %%
before = bank.slot
print(bank.dry_run(action="Deposit", Amount="1").messages[0]["Data"])
print("no new slot:", bank.slot == before)

# %% [markdown]
# ## Exercise 1: fix the bug
#
# Replace the `withdraw` handler (same name, notebook 06) with one that treats a missing
# account as 0 and refuses overdrafts: reply `Data = "insufficient funds"` instead of
# erroring. The check tries a withdrawal larger than the balance, with a dry run.

# %%
# your code here

# %%
# check
res = bank.dry_run(action="Withdraw", Amount="1000000")
if res.error:
    print("not yet: a big withdrawal still errors:", res.error.splitlines()[-1][:100])
elif any(m.get("Data") == "insufficient funds" for m in res.messages):
    print("well done: overdrafts are refused politely")
else:
    print("not yet: a withdrawal larger than the balance should get the reply "
          "Data = \"insufficient funds\"")

# %% [markdown]
# ## Exercise 2: which slot emptied the account?
#
# Spend the rest of the money in two withdrawals (after fixing the handler), then find the
# **first slot** after which the node's account balance is 0, using `bank.state(slot=N)`,
# and store it in `empty_slot`.

# %%
empty_slot = None  # your code here

# %%
# check
me = node.address
truth = next((s for s in range(bank.slot + 1)
              if (bank.state(slot=s).get("Accounts") or {}).get(me) == 0), None)
if truth is None:
    print("not yet: the balance never reached 0; withdraw the rest (the balance is "
          f"{(bank.state().get('Accounts') or {}).get(me)})")
elif empty_slot == truth:
    print(f"well done: the balance hit 0 at slot {truth}")
else:
    print(f"not quite: look again at the states from slot {bank.slot - 3} on")

# %% [markdown]
# ## What you learned
#
# The state after any slot is a replay away; diffs of states show what each message did;
# a Lua error names the line, and a failed message changes nothing; dry runs test without
# keeping anything. Next: [12 · Several nodes](12-several-nodes.ipynb), where one node
# schedules, another computes and a third catches a dishonest one, then
# [13 · Running a node](13-running-a-node.ipynb).
#
# ## Solutions

# %%
bank.eval("""
Handlers.add("withdraw", "Withdraw", function(msg)
  local amount = tonumber(msg.Amount)
  local balance = Accounts[msg.From] or 0
  if amount > balance then
    msg.reply({ Data = "insufficient funds" })
    return
  end
  Accounts[msg.From] = balance - amount
  msg.reply({ Data = "balance " .. Accounts[msg.From] })
end)
""").error

# %%
bank.send(action="Withdraw", Amount="100")
bank.send(action="Withdraw", Amount="45")
empty_slot = next(s for s in range(bank.slot + 1)
                  if (bank.state(slot=s).get("Accounts") or {}).get(node.address) == 0)
empty_slot

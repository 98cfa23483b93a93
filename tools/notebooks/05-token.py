# %% [markdown]
# # 05 · A token: the token blueprint, transfers, Debit-Notice and Credit-Notice
#
# **You will learn**
# - what a token is on AO: a process that keeps a table of balances;
# - how to load the **token blueprint** (`%load-blueprint token`, aos's `.load-blueprint`);
# - how to ask a token for its `Info` and a `Balance`;
# - what a `Transfer` does: a **Debit-Notice** to the sender, a **Credit-Notice** to the
#   recipient;
# - why amounts are strings.
#
# Kernel: **AO (Lua)**. You need notebooks 02 to 04.

# %% [markdown]
# ## A token is a process
#
# There is no token "contract" type on AO. A token is an ordinary process that keeps a Lua
# table `Balances` (account ID to amount) and follows an agreed message protocol:
# `Info`, `Balance`, `Balances`, `Transfer`, `Mint`. Wallets, exchanges and games all
# speak that protocol, so any process that follows it is a token.
#
# Trinity asked for a token (notebook 04). Start her again in this kernel; the `%%py` cell
# stores her ID in the Lua global `Trinity`.

# %%
%%py
from ao_kernel.tutorials import spawn_trinity
spawn_trinity();

# %% [markdown]
# ## Load the blueprint
#
# A *blueprint* is a ready-made Lua file that ships with aos. The token blueprint adds the
# token's state and handlers to your process:

# %%
%load-blueprint token

# %%
local names = {}
for _, h in ipairs(Handlers.list) do table.insert(names, h.name) end
return table.concat(names, ", ")

# %%
print("Name:         " .. Name)
print("Ticker:       " .. Ticker)
print("Denomination: " .. Denomination)
return TotalSupply

# %% [markdown]
# `Name` is your process's name: the blueprint only sets `Name` (to `Points Coin`) when
# the process has none. Look at the supply: `10000` followed by twelve zeros. Amounts are whole numbers of the
# smallest unit, and `Denomination = 12` says how many digits a display should put after
# the decimal point (10000.000000000000 tokens). They are **strings** because Lua numbers
# cannot hold integers this large exactly; the blueprint does its arithmetic with the
# `.bint` big-integer module and keeps strings in `Balances`.
#
# Who owns the supply? The blueprint mints all of it to **the token process itself**:

# %%
Balances[ao.id] == TotalSupply

# %% [markdown]
# Your process is now the token *and* its richest holder. To move tokens, it sends a
# `Transfer` to the token, that is, to itself (`Target = ao.id`), exactly as the cookbook
# does.
#
# ## Info
#
# Ask the token about itself. The answer comes back as a message with tags:

# %%
Send({ Target = ao.id, Action = "Info" })

# %%
Inbox[#Inbox].Ticker

# %% [markdown]
# (The blueprint sends lower-case tag names, `name`, `ticker`, `supply`..., as aos 2.0.8
# and later do; aos capitalises incoming tag names, so you read them as `msg.Ticker`.)
#
# ## Transfer to Trinity
#
# A `Transfer` names a `Recipient` and a `Quantity` (a string). When the token accepts it,
# it sends two messages:
#
# - a **Debit-Notice** to the sender (`msg.reply`, so it answers the `Transfer`);
# - a **Credit-Notice** to the recipient, with `Sender` and `Quantity` tags.
#
# `.receive()` waits for the first: the Debit-Notice.

# %%
Send({ Target = ao.id, Action = "Transfer", Recipient = Trinity, Quantity = "1000" }).receive().Data

# %% [markdown]
# Under the cell you see, in order: a warning `No target specified` (the blueprint also
# publishes the changed balances with a `patch@1.0` message for HyperBEAM readers; such a
# message has no `Target`, and aos says so; it is harmless), the Debit-Notice's text
# (`You transferred 1000 to ...`, the value your paused cell returned), and a message from
# Trinity: she got the Credit-Notice and answered.

# %%
Inbox[#Inbox].Data

# %%
Balances[Trinity]

# %% [markdown]
# A token's history is in its schedule: the node can give the state after any slot, so
# here is Trinity's balance after every slot of your process, plotted (a Python cell:
# `%process` is your process as a Python object, `value_over_slots` replays its states).

# %%
%%py
from ao_kernel.jupyter.widgets.plots import value_over_slots
token = %process
value_over_slots(token, lambda state: (state.get("Balances") or {}).get(state.get("Trinity")),
                 label="Trinity's balance")

# %% [markdown]
# ## Balance
#
# Other processes cannot read your `Balances` table; they ask with `Action = "Balance"`
# (and `Recipient` to ask about someone else) and get the amount back as `Data`:

# %%
Send({ Target = ao.id, Action = "Balance", Recipient = Trinity }).receive().Data

# %% [markdown]
# ## What if the balance is too small?
#
# The token refuses and answers the sender with `Action = "Transfer-Error"`. Trinity holds
# 1000; if she tried to send 5000 she would get that error. You can see the rule from your
# own side: ask for more than the supply.

# %%
Send({ Target = ao.id, Action = "Transfer", Recipient = Trinity, Quantity = TotalSupply .. "0" })

# %%
Inbox[#Inbox].Error

# %% [markdown]
# ## Exercise 1
#
# Transfer `"250"` tokens to the made-up account ID
# `"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"` (43 characters, like a real one). A
# token does not care whether an account is a process or a wallet.

# %%
-- your code here

# %%
-- check
local bal = Balances["abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"]
if bal == "250" then
  print("well done: that account holds 250")
elseif bal == nil then
  print("not yet: Send({ Target = ao.id, Action = \"Transfer\", Recipient = \"abc...EFG\", Quantity = \"250\" })")
else
  print("not quite: it holds " .. bal .. " (expected 250)")
end

# %% [markdown]
# ## Exercise 2
#
# Rename your token: set the global `Ticker` to `"NEO"`, then ask for `Info` and store
# the `Ticker` field of the answer in a global `MyTicker`.

# %%
-- your code here

# %%
-- check
if MyTicker == "NEO" then
  print("well done: the Info answer says NEO")
elseif Ticker ~= "NEO" then
  print("not yet: Ticker = \"NEO\"")
else
  print("almost: Send({ Target = ao.id, Action = \"Info\" }), then MyTicker = Inbox[#Inbox].Ticker")
end

# %% [markdown]
# ## What you learned
#
# A token is a process with a `Balances` table and a message protocol; the blueprint mints
# the supply to the token process itself, which transfers by messaging itself; a transfer
# produces a Debit-Notice (to the sender) and a Credit-Notice (to the recipient); amounts
# are big-integer strings. Next: **06 · Tokengating**, where your token decides who may
# speak in your chatroom.
#
# ## Solutions

# %%
Send({ Target = ao.id, Action = "Transfer", Recipient = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", Quantity = "250" })

# %%
Ticker = "NEO"

# %%
MyTicker = Send({ Target = ao.id, Action = "Info" }).receive().Ticker

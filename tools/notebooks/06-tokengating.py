# %% [markdown]
# # 06 · Tokengating: replace a handler, test from a second process
#
# **You will learn**
# - how to **replace** a handler by adding one with the same name;
# - how a handler can refuse a message by checking the sender against your state;
# - how to run a second process that plays an outsider, and switch between processes;
# - that `msg.From` is the *process* that sent a message, which is what the gate checks.
#
# Kernel: **AO (Lua)**. You need notebooks 04 (chatroom) and 05 (token).

# %% [markdown]
# ## Set up: the chatroom and the token again
#
# Each notebook starts with a fresh node, so first rebuild what notebooks 04 and 05 made:
# the chatroom handlers, the token blueprint, and Trinity as a member holding 1000 tokens.

# %%
%%writefile chatroom.lua
Members = Members or {}

Handlers.add("Register", { Action = "Register" }, function(msg)
  table.insert(Members, msg.From)
  msg.reply({ Data = "registered" })
end)

Handlers.add("Broadcast", { Action = "Broadcast" }, function(msg)
  for _, member in ipairs(Members) do
    ao.send({ Target = member, Data = msg.Data })
  end
  msg.reply({ Data = "Broadcasted." })
end)

# %%
.load chatroom.lua

# %%
.load-blueprint token

# %%
%%py
from ao_kernel.tutorials import spawn_trinity
spawn_trinity();

# %%
Send({ Target = ao.id, Action = "Register" })
Send({ Target = Trinity, Action = "Join" })
Send({ Target = ao.id, Action = "Transfer", Recipient = Trinity, Quantity = "1000" })
return #Members

# %% [markdown]
# ## The gate
#
# Right now anyone registered can broadcast. Tokengating means: only accounts that hold
# your token may speak. The token's `Balances` table lives in the same process as the
# chatroom, so the broadcast handler can simply look the sender up.
#
# Adding a handler under an existing name **replaces** it in place, so re-defining
# `"Broadcast"` swaps the old behaviour out. The new one also marks its messages with
# `Action = "Broadcasted"` and a `Broadcaster` tag, so members can tell a chat message from
# anything else:

# %%
%%writefile -a chatroom.lua

Handlers.add("Broadcast", { Action = "Broadcast" }, function(msg)
  local balance = tonumber(Balances[msg.From] or "0")
  if balance < 1 then
    print("UNAUTH REQ: " .. msg.From)
    return
  end
  print("Broadcasting from " .. msg.From .. ": " .. msg.Data)
  LastBroadcaster = msg.From
  for _, member in ipairs(Members) do
    ao.send({ Target = member, Action = "Broadcasted", Broadcaster = msg.From, Data = msg.Data })
  end
end)

# %%
.load chatroom.lua

# %%
local count = 0
for _, h in ipairs(Handlers.list) do if h.name == "Broadcast" then count = count + 1 end end
return count

# %% [markdown]
# Still one `Broadcast` handler: replaced, not added. (Loading the whole file again is
# safe: `Members = Members or {}` keeps the members, and the first `Broadcast` definition
# is immediately replaced by the second.)
#
# Your process holds most of the supply, so it passes the gate:

# %%
Send({ Target = ao.id, Action = "Broadcast", Data = "Hello, token holders" })

# %% [markdown]
# ## An outsider
#
# In the cookbook you open a second terminal and run `aos chatroom-no-token`. Here,
# `%spawn` starts a second process on the same node and makes it current: plain cells now
# run **there**. It needs the chatroom's ID; `remember` stores the ID of `default` (your
# chatroom) in a global `Chatroom` of the new process, as pasting it would.

# %%
%spawn --name chatroom-no-token

# %%
%%py
from ao_kernel.tutorials import remember
remember("Chatroom", "default");

# %%
Send({ Target = Chatroom, Action = "Register" })

# %%
Send({ Target = Chatroom, Action = "Broadcast", Data = "Can anyone hear me?" })

# %% [markdown]
# Nothing was broadcast. The refusal was printed in the **chatroom's** output, not here:
# look at it from the chatroom's side with `%%lua default`, which evaluates a cell in
# another process without switching to it:

# %%
%%lua default
return LastBroadcaster == ao.id

# %% [markdown]
# The last successful broadcaster is still the chatroom itself. The outsider's message
# reached the handler, whose check on `Balances[msg.From]` refused it. `msg.From` is the
# **process** that sent the message (`chatroom-no-token`), not the wallet behind it: both
# processes here belong to the same wallet (the kernel node's), yet they are different
# accounts for the token. On AO, processes are accounts.
#
# Back to the chatroom:

# %%
%connect default

# %% [markdown]
# ## Exercise 1
#
# Let the outsider in: from `default`, transfer 1 token to `chatroom-no-token`, then make
# the outsider broadcast again. (Hints: `%%py` + `remember("Outsider",
# "chatroom-no-token")` gives `default` a global with its ID; `%%lua chatroom-no-token`
# runs a cell in the outsider.)

# %%
-- your code here

# %%
-- check
if Outsider == nil then
  print("not yet: first give default the outsider's ID with remember(\"Outsider\", \"chatroom-no-token\")")
elseif tonumber(Balances[Outsider] or "0") < 1 then
  print("not yet: transfer at least 1 token to Outsider")
elseif LastBroadcaster ~= Outsider then
  print("almost: now broadcast from the outsider (%%lua chatroom-no-token)")
else
  print("well done: holding one token was enough to speak")
end

# %% [markdown]
# ## Exercise 2: tell Trinity
#
# Broadcast `It is done` from your chatroom. Trinity is a member; she answers when the
# broadcast comes from a tokengated chatroom. Store her answer's `Data` in `Verdict`.

# %%
-- your code here

# %%
-- check
if type(Verdict) == "string" and Verdict:find("Morpheus was right") then
  print("well done: " .. Verdict)
else
  print("not yet: Send({ Target = ao.id, Action = \"Broadcast\", Data = \"It is done\" }), " ..
    "then Verdict = Inbox[#Inbox].Data")
end

# %% [markdown]
# ## What you learned
#
# Handlers are replaced by name; a handler can gate on your own state (`Balances`);
# processes are accounts, and `msg.From` names the sending process; `%spawn`, `%connect`
# and `%%lua NAME` let you drive several processes from one notebook. This completes the
# cookbook's *Begin* track. Next: **07 · DAO**.
#
# ## Solutions

# %%
%%py
from ao_kernel.tutorials import remember
remember("Outsider", "chatroom-no-token");

# %%
Send({ Target = ao.id, Action = "Transfer", Recipient = Outsider, Quantity = "1" })

# %%
%%lua chatroom-no-token
Send({ Target = Chatroom, Action = "Broadcast", Data = "Thanks for the token!" })

# %%
Send({ Target = ao.id, Action = "Broadcast", Data = "It is done" })

# %%
Verdict = Inbox[#Inbox].Data

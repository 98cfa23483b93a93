# %% [markdown]
# # 04 · A chatroom: handlers, `msg.reply`, broadcast, `Send().receive()`
#
# **You will learn**
# - what a **handler** is: a name, a pattern that picks messages, and a function;
# - how to keep your process's code in a file and load it (aos's `.load`, typed in a cell as in `aos`);
# - how to answer a message with `msg.reply`, and send to many processes at once;
# - how to wait for an answer inside your code with `Send(...).receive()`;
# - how two other processes (Morpheus and Trinity) join your chatroom.
#
# Kernel: **AO (Lua)**. You need notebooks 02 and 03 (Send, Inbox, tags).

# %% [markdown]
# ## Handlers
#
# So far every message sent to your process ended up in the `Inbox`. A **handler** lets
# the process *react* instead. `Handlers.add(name, pattern, fn)` registers one:
#
# - `name` identifies it (adding a handler with an existing name replaces it);
# - `pattern` decides which messages it takes; a table such as `{ Action = "Register" }`
#   matches messages whose tags have those values;
# - `fn(msg)` runs for each matching message.
#
# For each incoming message aos walks `Handlers.list` in order and runs the matching
# handlers; a message that no handler takes goes to the Inbox.
#
# ## The chatroom file
#
# As in the cookbook, the chatroom lives in a file, `chatroom.lua`. The next cell writes it
# (`%%writefile` is plain Jupyter), and `.load chatroom.lua` evaluates it in your process,
# exactly as typing it in `aos` does (in a Python notebook the magic is `%ao_load`).

# %%
%%writefile chatroom.lua
Members = Members or {}

Handlers.add("Register", { Action = "Register" }, function(msg)
  table.insert(Members, msg.From)
  msg.reply({ Data = "registered" })
end)

# %%
.load chatroom.lua

# %% [markdown]
# `Members = Members or {}` keeps the list if the file is loaded again (loading twice must
# not forget who registered). Check what is installed: `Handlers.list` holds aos's own
# handlers (`_eval` runs your cells, `_default` fills the Inbox) and yours.

# %%
Members

# %%
local names = {}
for _, h in ipairs(Handlers.list) do table.insert(names, h.name) end
return table.concat(names, ", ")

# %% [markdown]
# ## Register yourself
#
# Your process is both the chatroom and its first member. Send it a `Register`:

# %%
Send({ Target = ao.id, Action = "Register" })

# %%
Members

# %% [markdown]
# The handler ran: your ID is in `Members`, and `msg.reply` sent `registered` back to the
# sender (you, here), which landed in your Inbox. `msg.reply` answers `msg.From` and adds
# an `X-Reference` tag naming the question, so the asker can tell which answer is which.
#
# ## Broadcast
#
# A broadcast sends the incoming `Data` to every member. `ao.send` is the low-level send
# handlers use (`Send` is the friendlier wrapper for the prompt).

# %%
%%writefile -a chatroom.lua

Handlers.add("Broadcast", { Action = "Broadcast" }, function(msg)
  for _, member in ipairs(Members) do
    ao.send({ Target = member, Data = msg.Data })
  end
  msg.reply({ Data = "Broadcasted." })
end)

# %%
.load chatroom.lua

# %%
Send({ Target = ao.id, Action = "Broadcast", Data = "Hello, chatroom!" })

# %%
Inbox[#Inbox - 1].Data .. " / " .. Inbox[#Inbox].Data

# %% [markdown]
# ## Invite Morpheus
#
# Morpheus (the stand-in from notebook 03; this `%%py` cell starts him again in this
# kernel) answers `Action = "Join"`: he sends your chatroom a `Register`, then asks it to
# `Broadcast` a message to everyone.

# %%
%%py
from ao_kernel.tutorials import spawn_morpheus
spawn_morpheus();

# %%
Send({ Target = Morpheus, Action = "Join" })

# %%
#Members

# %%
Inbox[#Inbox].Data

# %% [markdown]
# ## Invite Trinity
#
# Morpheus's broadcast ends with Trinity's process ID. Rather than copying it by hand, pick
# it out of the Inbox with a Lua pattern (`%S+` means "one or more non-space characters"):

# %%
for _, m in ipairs(Inbox) do
  local id = type(m.Data) == "string" and m.Data:match("Her process ID: (%S+)")
  if id then Trinity = id end
end
return Trinity

# %%
Send({ Target = Trinity, Action = "Join" })

# %%
Inbox[#Inbox].Data

# %% [markdown]
# The chatroom as a picture: your process in the middle, Morpheus and Trinity around it,
# one arrow per message (Register, Broadcast, and each broadcast copy to a member).

# %%
%graph

# %% [markdown]
# Trinity has a challenge for you (notebook 05).
#
# ## Waiting for an answer: `Send(...).receive()`
#
# `Send` returns the sent message with a `receive()` function. Calling it **pauses your
# code** until the answer to that message arrives (aos runs every message in a coroutine,
# so the pause costs nothing: other messages are handled meanwhile), then returns it.
# Add a handler that answers with the member count, then ask it and wait:

# %%
Handlers.add("Count", { Action = "Count" }, function(msg)
  msg.reply({ Data = tostring(#Members) })
end)

# %%
Send({ Target = ao.id, Action = "Count" }).receive().Data

# %% [markdown]
# (Typed at the prompt, `Handlers.add(...)` shows a number: aos returns the count of
# handlers.) The cell itself printed nothing: it paused at `receive()`. When the reply arrived, the
# cell's code resumed and its value appeared under it, in the output of the reply's slot.
# This matters on the real network, where the answer may come seconds later.

# %% [markdown]
# ## Exercise 1
#
# Add an `Unregister` handler (pattern `{ Action = "Unregister" }`) that removes `msg.From`
# from `Members` and replies `unregistered`. Test it by unregistering yourself.
# Hint: walk the list backwards and use `table.remove(Members, i)`.

# %%
-- your code here

# %%
-- check
local found = false
for _, h in ipairs(Handlers.list) do if h.name == "Unregister" then found = true end end
local still = false
for _, m in ipairs(Members) do if m == ao.id then still = true end end
if not found then
  print("not yet: add a handler named Unregister")
elseif still then
  print("almost: the handler exists; now Send({ Target = ao.id, Action = \"Unregister\" })")
else
  print("well done: you left your own chatroom")
end

# %% [markdown]
# ## Exercise 2
#
# Add a handler `Ping` that replies `pong` (as `Data`) to any message with
# `Action = "Ping"`. The check asks your process without changing it (a *dry run*).

# %%
-- your code here

# %%
%%py
from ao_kernel.tutorials import dry_run
res = dry_run(action="Ping")
if any(m.get("Data") == "pong" for m in res.messages):
    print("well done: your process answers pong")
else:
    print("not yet: Handlers.add(\"Ping\", { Action = \"Ping\" }, function(msg) "
          "msg.reply({ Data = \"pong\" }) end)")

# %% [markdown]
# ## What you learned
#
# Handlers pick messages by pattern and react; `msg.reply` answers the sender;
# `ao.send` in a loop broadcasts; `Send(...).receive()` pauses until the answer arrives.
# Next: **05 · Token**, Trinity's challenge.
#
# ## Solutions

# %%
Handlers.add("Unregister", { Action = "Unregister" }, function(msg)
  for i = #Members, 1, -1 do
    if Members[i] == msg.From then table.remove(Members, i) end
  end
  msg.reply({ Data = "unregistered" })
end)

# %%
Send({ Target = ao.id, Action = "Unregister" })

# %%
Handlers.add("Ping", { Action = "Ping" }, function(msg)
  msg.reply({ Data = "pong" })
end)

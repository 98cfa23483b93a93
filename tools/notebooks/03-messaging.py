# %% [markdown]
# # 03 · Messaging: Send, the Inbox, tags and replies
#
# **You will learn**
# - why processes talk only through messages;
# - how to `Send` a message to another process and keep its ID in a variable;
# - where answers land (`Inbox`) and how to read them;
# - that *tags* such as `Action` become fields of the message, and why handlers care;
# - how a process replies, and how to send a message to yourself.
#
# Kernel: **AO (Lua)**; plain cells are Lua run in your process (see notebook 02).

# %% [markdown]
# ## Why messages?
#
# Every AO process runs on its own: no process can call a function inside another one or
# read its memory. The only way to interact is to **send a message**. The node puts it in
# the target's log (a new slot), the target computes it, and whatever the target sends in
# return travels the same way. This is what lets AO run processes in parallel: nothing is
# shared, so nothing has to wait for anything else.
#
# ## Meet Morpheus
#
# The cookbook's messaging tutorial talks to a live process called Morpheus. This notebook
# runs offline, so the next cell starts a stand-in Morpheus (shipped with ao-kernel) on the
# node inside this kernel. It is a `%%py` cell: Python, not Lua. It also stores Morpheus's
# process ID in a Lua global `Morpheus` of your process, which is the line the cookbook has
# you type by hand (`Morpheus = "<his ID>"`).

# %%
%%py
from ao_kernel.tutorials import spawn_morpheus
spawn_morpheus();

# %%
Morpheus

# %% [markdown]
# ## Send
#
# `Send` takes a table. `Target` names the process that should receive it; `Data` is the
# message's content. Ask for Morpheus:

# %%
Send({ Target = Morpheus, Data = "Morpheus?" })

# %% [markdown]
# The value shown is what `Send` returns: the message is in your process's *outbox*. When
# the cell finished, the node delivered it to Morpheus, Morpheus computed it and sent you
# an answer, and the node delivered that too. The line `New Message From ...` below the
# cell is your process noticing that answer.
#
# ## The Inbox
#
# A message that none of your handlers takes (you have none yet) is stored in `Inbox`, a
# Lua list. `#Inbox` counts it, `Inbox[#Inbox]` is the latest message:

# %%
#Inbox

# %%
Inbox[#Inbox].Data

# %%
Inbox[#Inbox].From == Morpheus

# %% [markdown]
# Every message carries who sent it (`From`), its `Data`, its tags and a few fields the
# node adds (`Id`, `Timestamp`, `Block-Height` ...). `Dump` prints any table; here, the tags:

# %%
Dump(Inbox[#Inbox].Tags)

# %% [markdown]
# ## Tags are fields
#
# Besides `Data`, a message can carry **tags**: name/value pairs. In `Send`, every key
# other than `Target` and `Data` becomes a tag. On arrival, aos copies tags to the top of
# the message table, so a handler reads `msg.Action` rather than digging through a list.
#
# `Action` is the tag processes use to say what a message is for. Morpheus reacts to an
# `Unlock` action, if the code in `Data` is right:

# %%
Send({ Target = Morpheus, Action = "Unlock", Data = "Code: rabbithole" })

# %%
Inbox[#Inbox].Action

# %%
Inbox[#Inbox].Data

# %% [markdown]
# Every message so far, drawn: `%graph` shows the processes of this node and an arrow per
# message (your Evals, your messages to Morpheus, his answers). It is live: keep it in view
# while you run the next cells and the arrows grow. Click a process for its state and
# Inbox, an arrow for the message.

# %%
%graph

# %% [markdown]
# His answer has an `Action` tag of its own (`Unlocked`). Tags are how processes agree on
# a protocol: one side sends `Action = "Unlock"`, the other answers with
# `Action = "Unlocked"` or `Action = "Unlock-Failed"`.
#
# ## Replies, and messages to yourself
#
# A process can send to any process ID, including its own (`ao.id`). That is handy for
# testing: send yourself a message and see it land in your own Inbox.

# %%
Send({ Target = ao.id, Action = "Note", Data = "remember the white rabbit" })

# %%
Inbox[#Inbox].Data

# %% [markdown]
# Inside a handler (notebook 04) the incoming message has a `reply` function:
# `msg.reply({ Data = "..." })` sends back to `msg.From` and links the answer to the
# question, so that the asker can wait for exactly that answer.

# %% [markdown]
# ## Exercise 1
#
# Send Morpheus an `Unlock` with a **wrong** code, and read his answer. Then store the
# `Action` of his answer in a global `Answer`.

# %%
-- your code here

# %%
-- check
if Answer == "Unlock-Failed" then
  print("well done: a wrong code gets Unlock-Failed")
elseif Answer == nil then
  print("not yet: send the Unlock, then  Answer = Inbox[#Inbox].Action")
else
  print("not quite: Answer is " .. tostring(Answer) .. "; did you send a wrong code?")
end

# %% [markdown]
# ## Exercise 2
#
# Send a message **to yourself** with the tag `Action = "Todo"` and the tag
# `Priority = "high"`, then read the `Priority` of the latest Inbox message.

# %%
-- your code here

# %%
-- check
local last = Inbox[#Inbox]
if last and last.Action == "Todo" and last.Priority == "high" and last.From == ao.id then
  print("well done: tags arrive as fields (msg.Priority)")
else
  print("not yet: Send({ Target = ao.id, Action = \"Todo\", Priority = \"high\" })")
end

# %% [markdown]
# ## What you learned
#
# Processes interact only by messages; `Send({Target = ..., Data = ..., Tag = ...})` sends
# one; unhandled messages land in `Inbox`; tags, `Action` first of all, arrive as fields.
# Next: **04 · Chatroom**, where your process learns to react to messages with handlers.
#
# ## Solutions

# %%
Send({ Target = Morpheus, Action = "Unlock", Data = "Code: bluepill" })

# %%
Answer = Inbox[#Inbox].Action

# %%
Send({ Target = ao.id, Action = "Todo", Priority = "high", Data = "water the plants" })

# %%
Inbox[#Inbox].Priority

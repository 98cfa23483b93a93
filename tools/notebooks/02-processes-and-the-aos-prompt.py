# %% [markdown]
# # 02 · Processes and the aos prompt
#
# **You will learn**
# - what an AO *process* is, and what the `aos` prompt you see under a cell tells you;
# - that every Lua cell in this notebook is a *message* (an `Eval`) sent to your process;
# - the difference between `return`, `print` and a plain statement;
# - the globals every aos process starts with: `Name`, `Owner`, `ao.id`, `Inbox`, `Handlers`;
# - how to start more processes and switch between them (`%spawn`, `%connect`, `%process`).
#
# This notebook uses the **AO (Lua)** kernel: a plain cell is Lua. It plays the part of the
# `aos` command-line tool that the AO Cookbook asks you to install: no installation, no
# wallet file and no network needed, because a whole AO node runs inside the kernel.

# %% [markdown]
# ## Your first cell
#
# Run the next cell (Shift+Enter). The first Lua cell of a notebook starts a process named
# `default` for you, sends it your code and shows what came back.

# %%
1 + 2

# %% [markdown]
# Two things appeared:
#
# 1. `3`, the value of your expression, computed **inside the process**, not in the kernel;
# 2. a line like `default@aos-2.0.4[Inbox:1]>`. That is the **aos prompt**: the process's
#    `Name`, the aos version it runs, and how many messages wait in its `Inbox`. It is
#    shown again under a later cell whenever it changes (another process, a fuller Inbox).
#
# What just happened is exactly what `aos` does when you type a line: your code became the
# `Data` of a message with the tag `Action = "Eval"`, the node's scheduler gave that message
# the next *slot* in the process's log, and the process ran it. A process is nothing more
# than that log of messages plus the code that folds over it.

# %% [markdown]
# ## `return`, `print` and statements
#
# aos first tries your cell as `return <your code>`, so an expression shows its value. A
# statement such as an assignment shows nothing. `print` writes a line to the output the
# moment it runs, so the printed lines come first and the cell's value last.

# %%
Greeting = "Hello from inside a process"

# %%
Greeting

# %%
print("printed: " .. Greeting)
return #Greeting

# %% [markdown]
# `Greeting` is a **global**: it lives in the process's memory and is still there for the
# next message. Globals are how a process keeps state between messages. Tables work too:

# %%
Scores = Scores or {}
Scores.neo = 10
return Scores

# %% [markdown]
# A cell of several statements is not an expression, so ask for a value with `return`.
# `Scores = Scores or {}` is an aos habit worth keeping: it creates the table the first time
# and keeps the existing one when the cell runs again.
#
# ## What every process starts with
#
# | global | what it is |
# |---|---|
# | `ao.id` | this process's ID (43 characters): the ID of the message that created it |
# | `Name` | the `Name` tag the process was spawned with (`default` here) |
# | `Owner` | the wallet address that spawned it; only the owner may send `Eval` messages |
# | `Inbox` | messages that arrived and that no handler took |
# | `Handlers` | the handlers that decide what to do with incoming messages (notebook 04) |

# %%
print("my ID:    " .. ao.id)
print("my name:  " .. Name)
print("my owner: " .. Owner)
return #Inbox

# %% [markdown]
# The Inbox already holds one message: the process message itself (the message whose ID
# is `ao.id`). A message is a Lua table; its tags are in `msg.Tags`, and most of them are
# also copied to the top level (`msg.Name`), which is how handlers usually read them.

# %%
print("Tags.Type = " .. Inbox[1].Tags.Type)
print("Name      = " .. Inbox[1].Name)

# %% [markdown]
# ## More processes
#
# A node runs many processes side by side. `%spawn` starts one and makes it the *current*
# process (the one plain cells talk to); `%process` shows which one is current and
# `%connect` switches back. (`%ao help` lists every magic.)

# %%
%spawn --name neo

# %%
Name

# %%
%connect default

# %%
Name

# %% [markdown]
# Each process has its own memory: `Greeting` exists in `default` but not in `neo`.
# `%%lua neo` evaluates one cell in another process without switching:

# %%
%%lua neo
return Greeting == nil

# %% [markdown]
# ## Every cell is a slot
#
# `%process` shows the current process and its latest **slot**: slot 0 is the process
# message, then one slot per cell you ran in it. This ordered log *is* the process:
# replaying it from slot 0 always gives the same state (notebooks 10 and 11 use that;
# `%schedule` lists the raw entries).

# %%
%process

# %% [markdown]
# ## Exercise 1
#
# Store your own nickname, as a string, in a global named `Nickname` of the `default`
# process. (Write the Lua in the empty cell below, then run the check.)

# %%
-- your code here

# %%
-- check
if type(Nickname) == "string" and #Nickname > 0 then
  print("well done: Nickname = " .. Nickname)
else
  print("not yet: assign a string, e.g. Nickname = \"Neo\"")
end

# %% [markdown]
# ## Exercise 2
#
# Globals can hold functions too. Define a global function `double(n)` that returns twice
# its argument, so that `double(21)` is `42`.

# %%
-- your code here

# %%
-- check
if type(double) == "function" and double(21) == 42 then
  print("well done: double(21) = 42")
else
  print("not yet: try  function double(n) return n * 2 end")
end

# %% [markdown]
# ## Exercise 3
#
# Change what the prompt says. aos builds the prompt by calling the global function
# `Prompt()`; redefine it so that it returns a string containing `"ready"`. The next prompt
# below a cell will show it.

# %%
-- your code here

# %%
-- check
if type(Prompt) == "function" and tostring(Prompt()):find("ready") then
  print("well done: " .. Prompt())
else
  print("not yet: try  function Prompt() return \"ready> \" end")
end

# %% [markdown]
# ## What you learned
#
# A process is a log of messages and the Lua state they build; a cell here is an `Eval`
# message, like a line typed into `aos`; globals persist between messages; the prompt
# shows the process name and its Inbox size. Next: **03 · Messaging**, where processes talk
# to each other.
#
# ## Solutions

# %%
Nickname = "Neo"

# %%
function double(n) return n * 2 end

# %%
function Prompt() return Name .. " is ready> " end

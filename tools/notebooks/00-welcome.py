# %% [markdown]
# # 00 · Welcome to AO, inside Jupyter
#
# **You will learn**
# - what AO is, in a few plain sentences;
# - what runs inside this notebook (a whole AO node, offline);
# - how to start a process, send it a message and read the answer;
# - how to *see* what happened: the message graph and the slot timeline;
# - where to go next (the list of tutorials is at the end, and in `README.md`).
#
# Run each cell with **Shift+Enter**, top to bottom.

# %% [markdown]
# ## AO in one minute
#
# AO (on Arweave) is a computer made of many independent programs called **processes**.
# A process cannot call another process or read its memory: processes only exchange
# **messages**. That is what lets thousands of them run in parallel.
#
# Three roles keep it honest:
#
# - a **scheduler** puts every message for a process into a numbered **slot** of that
#   process's log, and signs the log;
# - a **compute unit** runs the process's code over that log; anybody can recompute it and
#   must get the same state;
# - a **messenger** delivers the messages a process sends to their targets.
#
# Processes are usually written in Lua with **aos**, a small operating system for
# processes: handlers, an inbox, `Send`, blueprints such as a token. Under all of it is
# **AO-Core**, where everything, even a computation, is a message with an ID.
#
# ## What runs in this notebook
#
# `ao-kernel` is a complete AO node written in Python: scheduler, compute unit (the aos
# runtime in Lua), messenger, wallets, signatures. It runs right here, with no network
# and no installation beyond this project. Time is *virtual* in the tutorials, so
# everything is instant and gives the same result every run.

# %%
import ao_kernel as ao
from ao_kernel.testing.wallets import dev_wallet

node = ao.Node(clock="virtual", wallet=dev_wallet(1))
node

# %% [markdown]
# ## A first process
#
# `node.spawn` starts a process. Its code is Lua: this one has a **handler**, a rule that
# says "when a message with `Action = "Ping"` arrives, reply `pong`".

# %%
pinger = node.spawn(name="pinger", lua="""
Handlers.add("ping", "Ping", function(msg)
  msg.reply({ Action = "Pong", Data = "pong" })
end)
""")
pinger

# %%
res = pinger.send(action="Ping", data="hello?")
print("slot:   ", res.slot)
print("replied:", res.messages[0]["Action"], res.messages[0]["Data"])

# %% [markdown]
# The message got slot 1 (slot 0 is the process's own creation message); the process
# computed it and sent a `Pong`. You can also run Lua inside a process, as you would type
# it in the `aos` shell; that is an `Eval` message:

# %%
pinger.eval("return 6 * 7").output

# %% [markdown]
# ## Two processes talking
#
# A second process asks the first one and **waits for the answer** (`.receive()`), then
# keeps it in a global variable:

# %%
asker = node.spawn(name="asker", lua=f"""
Handlers.add("ask", "Ask", function(msg)
  Answer = Send({{ Target = "{pinger.id}", Action = "Ping" }}).receive().Data
end)
""")
asker.send(action="Ask")
asker.inspect("return Answer")

# %% [markdown]
# ## See it
#
# The **graph** shows processes and the messages between them (click a process to see its
# state). The **timeline** of a process lets you scrub through its slots: the message in
# each slot and the state after it. They are live: new messages appear as they happen.
# (They need JupyterLab or Notebook to draw; elsewhere you see a text summary.)

# %%
from ao_kernel.jupyter.widgets import graph, timeline

graph(node)

# %%
timeline(asker)

# %% [markdown]
# ## Exercise
#
# Send `pinger` a message with `Action = "Ping"` and `Data = "are you there?"`, keep the
# result in `my_result`, and look at it: the result card lists the messages pinger sent back
# (also in `my_result.messages`).

# %%
my_result = None  # your code here

# %%
# check
if my_result is None:
    print("not yet: my_result = pinger.send(action=\"Ping\", data=\"are you there?\")")
elif my_result.messages and my_result.messages[0].get("Data") == "pong":
    print(f"well done: slot {my_result.slot}, and pinger answered pong")
else:
    print("not quite: did you send Action = \"Ping\" to pinger?")

# %% [markdown]
# ## Two kernels
#
# This notebook uses the ordinary **Python 3** kernel with the `ao_kernel` Python API.
# The project also installs the **AO (Lua)** kernel (Kernel menu, *Change Kernel*): there,
# a plain cell is Lua sent to your current process, exactly like a line typed in `aos`,
# and magics such as `%spawn`, `%send`, `%inbox`, `%load-blueprint` and `%%py` do the rest
# (`%ao help` lists them). Tutorials 02 to 06 use it.
#
# ## The tutorials
#
# | # | notebook | kernel | you learn |
# |---|---|---|---|
# | 00 | [Welcome](00-welcome.ipynb) | Python 3 | what AO is, what runs in the kernel, a first process, the graph and timeline widgets |
# | 01 | [AO-Core: messages, IDs, hashpaths](01-ao-core-messages.ipynb) | Python 3 | messages, IDs, commitments, devices, `resolve`, hashpaths: what is under aos (read it now or after 08) |
# | 02 | [Processes and the aos prompt](02-processes-and-the-aos-prompt.ipynb) | AO (Lua) | cells as `Eval` messages, `return`/`print`, globals, the prompt, `%spawn`/`%connect` |
# | 03 | [Messaging](03-messaging.ipynb) | AO (Lua) | `Send`, the `Inbox`, tags as fields, answers; talking to Morpheus |
# | 04 | [Chatroom](04-chatroom.ipynb) | AO (Lua) | handlers, `.load`, `msg.reply`, broadcast, `Send().receive()`; Morpheus and Trinity join |
# | 05 | [Token](05-token.ipynb) | AO (Lua) | the token blueprint, `Info`, `Balance`, `Transfer` with Debit-Notice and Credit-Notice |
# | 06 | [Tokengating](06-tokengating.ipynb) | AO (Lua) | replacing a handler, a second process as an outsider, processes as accounts |
# | 07 | [DAO](07-dao.ipynb) | Python 3 | staking and voting blueprints, `Block-Height` deadlines, `continue` handlers, several wallets |
# | 08 | [Bots and games](08-bots-and-games.ipynb) | Python 3 | an arena game server, a bot that plays it, cron ticks on a virtual clock |
# | 10 | [Scheduler and attestations](10-scheduler-and-attestations.ipynb) | Python 3 | slots, the hash chain by hand, checkpoints, `node.verify`, catching tampering |
# | 11 | [Time travel and debugging](11-time-travel-and-debugging.ipynb) | Python 3 | the state at any slot, what changed, reading Lua errors, dry runs |
# | 12 | [Several nodes](12-several-nodes.ipynb) | Python 3 | one node schedules, another computes, a third verifies; a dishonest compute unit caught |
# | 13 | [Running a node](13-running-a-node.ipynb) | Python 3 | configuration, metering, payments (`p4@1.0`), publishing to Arweave |
#
# 02 to 06 follow the AO Cookbook's *Begin* tutorials, 08 its *Bots and Games*; where the
# cookbook talks to live processes (Morpheus, Trinity, the game) the notebooks start
# stand-ins on the local node. Each notebook lists its goals at the top and ends with the
# solutions of its exercises.
#
# ## Solution

# %%
my_result = pinger.send(action="Ping", data="are you there?")
my_result

# %% [markdown]
# # AO-Core in five minutes: messages, IDs, hashpaths, resolve
#
# **You will learn**
# - what an AO-Core *message* is, and why everything in AO is one;
# - how a message gets its *ID* (the same ID HyperBEAM, the reference node, computes);
# - how a signature (*commitment*) attaches to a message, and how tampering shows;
# - what *resolving* a message with a *device* means, and what a *hashpath* records.
#
# Everything runs on the node embedded in this notebook: no server, no network.

# %%
import ao_kernel as ao

msg = ao.Message({"Action": "Ping", "count": 3, "nested": {"a": 1}})
msg

# %% [markdown]
# Keys are case-insensitive (stored lowercase), values are typed: text, integers, floats,
# atoms (`True`, `False`, `None`), lists and nested messages.
#
# ## IDs
# A message's ID is an HMAC over its canonical HTTP-signature form. This one is a test
# vector produced by HyperBEAM itself:

# %%
basic = ao.Message({"basic": "value"})
ao.id(basic)

# %%
assert ao.id(basic) == "E_VHBPKkfOrUffKfdNImA9lwr17swYGp3Det4OJXUsM"
print("the same ID as HyperBEAM's")

# %% [markdown]
# ## Commitments: signing a message
# A wallet signs with RSA-PSS (an Arweave key). The signed ID is the ID of the
# signature; the unsigned ID stays the same.

# %%
from ao_kernel.testing.wallets import dev_wallet

wallet = dev_wallet(1)
signed = ao.commit(basic, wallet)
print("signer   :", wallet.address)
print("unsigned :", ao.id(signed))
print("signed   :", ao.id(signed, committers="all"))
print("verifies :", ao.verify(signed))

# %%
tampered = signed.with_(basic="valuf")
print("tampered copy verifies:", ao.verify(tampered))

# %% [markdown]
# ## Resolving: devices turn messages into results
# `node.resolve(path)` reads a HyperBEAM-style path: `~device` picks the device that
# interprets the message, `&key=value` adds keys, `/key` asks for a key.

# %%
node = ao.Node(wallet=wallet)
node.resolve("/~message@1.0&greeting=Hello&count+integer=42/count")

# %%
info = node.resolve("/~meta@1.0/info")
print("this node's operator:", info["address"])

# %% [markdown]
# ## Hashpaths: where a result came from
# Every result records the chain of inputs that produced it. Resolving `basic` on
# `{basic: value}` gives the hashpath `<ID of the base>/basic`:

# %%
ao.hashpath(basic, {"path": "basic"})

# %% [markdown]
# ### Exercise
# Compute the ID of the message `{"a": "1", "b": 2}` (an integer `b`) and store it in
# `answer`. HyperBEAM says it is `EP5D9LtwRAfUbHjvCoDay5PQONWO1hnQuFSuGSwCyzg`.

# %%
answer = None  # your code here

# %%
# check cell
expected = "EP5D9LtwRAfUbHjvCoDay5PQONWO1hnQuFSuGSwCyzg"
print("well done!" if answer == expected else "not yet: try ao.id(ao.Message({...}))")

# %% [markdown]
# ### Solution

# %%
answer = ao.id(ao.Message({"a": "1", "b": 2}))
assert answer == "EP5D9LtwRAfUbHjvCoDay5PQONWO1hnQuFSuGSwCyzg"
answer

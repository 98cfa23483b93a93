# %% [markdown]
# # 12 · Several nodes: A schedules, B computes, C verifies
#
# **You will learn**
# - how AO splits work between a *scheduler* (orders messages) and a *compute unit*
#   (runs them);
# - what each node checks about the others: signatures, hash chains, hashpaths;
# - how a dishonest compute unit is caught, slot and reason named.
#
# Kernel: **Python 3**. Three nodes run inside this notebook, talking over HTTP on
# 127.0.0.1 only (see `docs/federation.md`).

# %%
import ao_kernel as ao
from ao_kernel.node.federation import ComputeUnit, Verifier

a, b, c = ao.Node(), ao.Node(), ao.Node()
ha, hb = a.serve(port=0), b.serve(port=0)   # A and B answer HTTP; C only asks
SOURCE = """
Handlers.add('ping', 'Ping', function(m) m.reply({Data = 'pong ' .. m.Data}) end)
"""
proc = a.spawn(lua=SOURCE, name="pinger")   # A is the process's scheduler
for word in ("one", "two", "three"):
    proc.send(action="Ping", data=word)
proc.slot

# %% [markdown]
# ## B computes what A scheduled
#
# B fetches the schedule from A over HTTP and checks it before running anything: every
# assignment's HMAC, the hash chain over the message IDs, and A's RSA-signed checkpoint.

# %%
cu = ComputeUnit(b)
print(cu.follow(proc.id, ha.url))
cu.install(hb)                        # B now answers /<PID>~process@1.0/compute
res = cu.compute(proc.id, 2)
res.messages[0]["Data"], res.hashpath == proc.result(2).hashpath

# %% [markdown]
# B signs each result with its wallet; the signature's `tag` is the hashpath, which
# binds "this state came from this schedule".

# %%
signed = cu.attest(proc.id, 2)
rsa = next(x for x in signed.commitments.values() if x.text("committer"))
rsa.text("committer") == b.address, rsa.text("tag") == signed["hashpath"]

# %% [markdown]
# ## C checks B
#
# C asks B for every slot's signed state, checks the signature, the signer and the tag,
# fetches the schedule from A itself, recomputes, and compares.

# %%
report = Verifier(c).check(proc.id, compute_url=hb.url, scheduler_url=ha.url)
print(report)
report.ok

# %% [markdown]
# ## A dishonest compute unit
#
# Now B lies about slot 2: it signs a state whose reply says `pong TWO`. Its signature is
# perfectly valid, but C recomputes and catches it.

# %%
def lie(slot, state):
    if slot != 2:
        return state
    results = state["results"]
    first = results["outbox"]["1"].with_(data="pong TWO")
    return state.with_(results=results.with_(outbox=results["outbox"].with_({"1": first})))

cu.tamper = lie
cu._signed.clear()        # forget the honest signatures made above
report = Verifier(c).check(proc.id, compute_url=hb.url, scheduler_url=ha.url)
for finding in report.findings:
    print(finding)
report.bad_slot, report.reason

# %%
for h in (ha, hb):
    h.stop()
for n in (a, b, c):
    n.close()

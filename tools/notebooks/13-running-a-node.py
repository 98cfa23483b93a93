# %% [markdown]
# # 13 · Running a node: configuration, metering, payments, Arweave
#
# **You will learn**
# - how a node is configured through `~meta@1.0` (and why only the operator may change it);
# - what each slot costs (Lua instructions, bytes) and how a node can charge for it;
# - how `p4@1.0` with `simple-pay@1.0` answers **402** to a caller without funds;
# - how a ledger can itself be an AO process;
# - how processes are published to Arweave as ANS-104 bundles.
#
# Kernel: **Python 3**. Everything runs in this notebook; see `docs/operator.md`.

# %%
import ao_kernel as ao

node = ao.Node(config={"name": "my first node", "simple-pay-price": "2"})
info = node.resolve("/~meta@1.0/info")
{k: info[k] for k in ("name", "port", "simple-pay-price", "operator")}

# %% [markdown]
# Values given as text are coerced to the type of the default (`simple-pay-price` is an
# integer). The node also describes its hardware and build — nothing secret: keys
# starting with `priv` never leave the node.

# %%
node.resolve("/~meta@1.0/info/hardware"), node.resolve("/~meta@1.0/build")["node"]

# %% [markdown]
# ## Only the operator changes the configuration
#
# `node.configure(...)` is a `POST /~meta@1.0/info` signed with the node's own wallet.
# Anyone else's signature is refused, and every accepted change is kept in the history.

# %%
from ao_kernel.core import commitments
from ao_kernel.core.resolver import resolve

stranger = ao.Wallet.generate()
attempt = commitments.commit(ao.Message({"port": "1"}), stranger.rsa_signer)
res = resolve(ao.Message({"device": "meta@1.0"}), attempt.with_(path="info", method="POST"),
              node.opts())
print("stranger:", res.status, res.value)
node.configure(port=9000)
print("operator: port is now", node.state.get("port"), "- history:", len(node.history))

# %% [markdown]
# ## What a slot costs
#
# Every computed slot records its cost on the result: `res.cost`.

# %%
proc = node.spawn(lua="""
Handlers.add("Work", "Work", function(m)
  local x = 0
  for i = 1, tonumber(m.Data) do x = x + i end
  m.reply({ Data = tostring(x) })
end)""", name="worker")
for n in (10, 1000, 5000, 200):
    print(n, proc.send(action="Work", data=str(n)).cost)

# %%
from ao_kernel.jupyter.widgets.plots import cost_per_slot

cost_per_slot(node, proc)

# %% [markdown]
# ## Charging for requests
#
# `enable_payments` installs `p4@1.0` as the request and response hooks, with
# `simple-pay@1.0` pricing each request and keeping the balances. The operator tops up a
# user; the user's signed requests are charged until the balance runs out, then the node
# answers **402** with the price and the balance — and runs nothing.

# %%
import json

from ao_kernel.node.remote import HTTPClient

node.enable_payments("simple-pay@1.0")
alice = ao.Wallet.generate()
node.topup(alice.address, 5)
srv = node.serve(port=0)
with HTTPClient(srv.url, wallet=alice) as http:
    for i in range(4):
        msg = node.message(proc.id, action="Work", data="100")
        resp = http.request("POST", f"/{proc.id}~process@1.0/push", message=msg,
                            check=False, accept="json@1.0")
        extra = json.loads(resp.body) if resp.status == 402 else {}
        print(resp.status, "balance now", node.balance(alice.address),
              {k: extra[k] for k in ("price", "balance") if k in extra})
srv.stop()
node.receipts

# %% [markdown]
# ## A ledger that is an AO process
#
# The balances can live in an aos token process on the node instead: the node charges by
# sending it `Charge` messages (pushed like any message), and anyone can ask it for a
# `Balance`.

# %%
from ao_kernel.devices.process_ledger import spawn_ledger

ledger = spawn_ledger(node)
node.enable_payments("simple-pay@1.0", ledger="process-ledger@1.0")
node.topup(alice.address, 7)
reply = ledger.send(action="Balance", tags={"Account": alice.address})
reply.messages[0]["Balance"], node.balance(alice.address)

# %% [markdown]
# ## Publishing to Arweave
#
# `node.publish(proc, gateway=URL)` posts the process, its messages and its assignments as
# one ANS-104 bundle, signed by the node. Here we only publish if a gateway answers on
# `http://127.0.0.1:1984` (start one with `npx arlocal`); otherwise we show the bundle
# that would be posted. The test suite runs this against a real local gateway.

# %%
from ao_kernel.core import ans104
from ao_kernel.node.arweave import Gateway, GatewayStore, bundle_items

gateway = Gateway("http://127.0.0.1:1984", timeout=2)
if gateway.available():
    gateway.mint(node.address, 10**15)
    report = node.publish(proc, gateway=gateway)
    gateway.mine()
    back = GatewayStore(gateway).read_message(report.items[proc.id])
    print("published bundle", report.bundle_id, "- process reads back:", back.text("name"))
else:
    items, ids, kinds = bundle_items(node, proc.id)
    bundle = ans104.encode_bundle(items)
    print(f"no gateway here: the bundle would hold {len(items)} signed items "
          f"({len(bundle)} bytes), all verifying: {all(ans104.verify(i) for i in items)}")

"""The edges of the node: the Node facade, stores, wallets, cache, HTTP."""

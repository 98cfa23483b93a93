"""The engines devices drive: Lua (lupa, 5.3) and wasm, plus our aos runtime sources."""

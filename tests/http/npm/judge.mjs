// A judge: runs one operation of the unmodified @permaweb/aoconnect (legacy mode)
// against the node named by MU_URL / CU_URL / GATEWAY_URL and prints its outcome as
// JSON on stdout. Usage: node judge.mjs <op> '<json params>'
//   ops: spawn, message, result, results, dryrun, monitor, unmonitor, roundtrips
// The signer is aoconnect's createDataItemSigner over the JWK in WALLET (a file).
import { readFileSync } from 'node:fs'
import { connect, createDataItemSigner } from '@permaweb/aoconnect'

const [op, raw] = process.argv.slice(2)
const params = raw ? JSON.parse(raw) : {}
const ao = connect({
  MODE: 'legacy',
  MU_URL: process.env.MU_URL,
  CU_URL: process.env.CU_URL,
  GATEWAY_URL: process.env.GATEWAY_URL,
  noLog: true
})
const signer = createDataItemSigner(JSON.parse(readFileSync(process.env.WALLET, 'utf8')))

const ops = {
  spawn: () => ao.spawn({
    module: params.module,
    scheduler: params.scheduler || process.env.SCHEDULER,
    signer,
    tags: params.tags || [],
    data: params.data
  }),
  message: () => ao.message({ process: params.process, tags: params.tags || [], data: params.data, signer }),
  result: () => ao.result({ process: params.process, message: params.message }),
  results: () => ao.results({ process: params.process, ...(params.query || {}) }),
  dryrun: () => ao.dryrun({ process: params.process, tags: params.tags || [], data: params.data }),
  monitor: () => ao.monitor({ process: params.process, signer }),
  unmonitor: () => ao.unmonitor({ process: params.process, signer }),
  // n sequential message + result round trips; reports the time they took
  roundtrips: async () => {
    const t0 = performance.now()
    const outputs = []
    for (let i = 0; i < params.n; i++) {
      const id = await ao.message({ process: params.process, tags: params.tags || [], data: String(i), signer })
      const res = await ao.result({ process: params.process, message: id })
      outputs.push(res.Messages.length)
    }
    return { n: params.n, seconds: (performance.now() - t0) / 1000, outputs }
  }
}

try {
  const value = await ops[op]()
  process.stdout.write(JSON.stringify({ ok: true, value }) + '\n')
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message || err) }) + '\n')
  process.exitCode = 1
}

// A judge: runs one operation of the unmodified @permaweb/aoconnect in mainnet mode (what
// the aos CLI uses by default: signed ANS-104 requests to HyperBEAM's paths) against the
// node at HB_URL and prints its outcome as JSON on stdout.
// Usage: node judge-mainnet.mjs <op> '<json params>'
//   ops: spawn, message, result, results, dryrun
// The signer is aoconnect's createSigner over the JWK in WALLET (a file); the scheduler
// is SCHEDULER, as the aos CLI passes it.
import { readFileSync } from 'node:fs'
import { connect, createSigner } from '@permaweb/aoconnect'

const [op, raw] = process.argv.slice(2)
const params = raw ? JSON.parse(raw) : {}
const ao = connect({
  MODE: 'mainnet',
  URL: process.env.HB_URL, // (not AO_URL: importing aoconnect resets that variable)
  SCHEDULER: process.env.SCHEDULER,
  signer: createSigner(JSON.parse(readFileSync(process.env.WALLET, 'utf8')))
})

const ops = {
  spawn: () => ao.spawn({ module: params.module, tags: params.tags || [], data: params.data }),
  message: () => ao.message({ process: params.process, tags: params.tags || [], data: params.data }),
  result: () => ao.result({ process: params.process, slot: params.slot }),
  results: () => ao.results({ process: params.process }),
  dryrun: () => ao.dryrun({ process: params.process, tags: params.tags || [], data: params.data })
}

try {
  const value = await ops[op]()
  process.stdout.write(JSON.stringify({ ok: true, value }) + '\n')
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message || err) }) + '\n')
  process.exitCode = 1
}

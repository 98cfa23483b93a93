// Preloaded into the reference CU (`node -r preload.cjs src/app.js`, also inherited by
// its worker threads) so the unmodified CU runs on this machine, against one local node:
//
// 1. Promise.withResolvers: the CU's .nvmrc asks for Node 22; Node 20 lacks it.
// 2. Listening: the CU calls listen(host '0.0.0.0'); every listen is re-pointed at
//    AO_CU_HOST (default 127.0.0.1) so the judge is reachable from loopback only.
// 3. The scheduler router: @permaweb/ao-scheduler-utils first asks the public router
//    https://su-router.ao-testnet.xyz for a process's scheduler (with the global fetch).
//    That request is answered here with a 404, which makes the library fall back to the
//    gateway's GraphQL (Scheduler tag -> Scheduler-Location record), i.e. to the node.
// 4. Offline: any other global fetch to a host that is not loopback fails at once with an
//    error naming the URL (AO_CU_ALLOW_REMOTE=1 lifts this), so a judge run never
//    reaches the internet unnoticed.
'use strict'

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve, reject
      const promise = new this((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}

const net = require('node:net')
const HOST = process.env.AO_CU_HOST || '127.0.0.1'
const originalListen = net.Server.prototype.listen
net.Server.prototype.listen = function listen (...args) {
  if (args.length && args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0]) &&
      ('port' in args[0] || 'host' in args[0])) {
    args[0] = { ...args[0], host: HOST }
  } else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] === 'string') args[1] = HOST
    else args.splice(1, 0, HOST)
  }
  return originalListen.apply(this, args)
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])
const ROUTER = 'su-router.ao-testnet.xyz'
if (typeof globalThis.fetch === 'function') {
  const originalFetch = globalThis.fetch
  globalThis.fetch = function fetch (input, init) {
    const raw = typeof input === 'string' ? input : (input && (input.url || input.href)) || ''
    let url
    try { url = new URL(String(raw)) } catch { return originalFetch(input, init) }
    if (url.hostname === ROUTER) {
      return Promise.resolve(new Response(JSON.stringify({ error: 'answered locally: no router' }), {
        status: 404, headers: { 'content-type': 'application/json' }
      }))
    }
    if (!LOOPBACK.has(url.hostname) && process.env.AO_CU_ALLOW_REMOTE !== '1') {
      return Promise.reject(new Error(`ao-cu preload: refusing to fetch ${url.href} (not loopback; ` +
        'set AO_CU_ALLOW_REMOTE=1 to allow)'))
    }
    return originalFetch(input, init)
  }
}

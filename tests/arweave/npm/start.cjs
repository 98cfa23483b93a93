// Starts arlocal (a real local Arweave gateway) on 127.0.0.1 only:
//   node start.cjs PORT DBPATH
// arlocal listens on every interface by default; the tests must stay on loopback, so
// listen() is bound to 127.0.0.1 before arlocal starts.
const http = require('http');
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === 'number' || typeof port === 'string') {
    const cb = rest.find((a) => typeof a === 'function');
    return listen.call(this, Number(port), '127.0.0.1', cb);
  }
  return listen.call(this, port, ...rest);
};
const ArLocal = require('arlocal').default;
const port = Number(process.argv[2]);
const dbPath = process.argv[3];
const arlocal = new ArLocal(port, false, dbPath, false);
arlocal.start().then(() => console.log(`arlocal listening on 127.0.0.1:${port}`));
const stop = async () => { try { await arlocal.stop(); } finally { process.exit(0); } };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

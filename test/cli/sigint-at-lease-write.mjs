// Preloaded into the statestore bin by test/cli/lease-interrupt.test.ts (NODE_OPTIONS=--import=...):
// sends SIGINT to the process itself as its first write of a lease starts, so a Ctrl-C reaches a
// writing verb while its lease write is in flight (it may land before the abort, or not: either
// way nothing of that lease may remain). It listens on the store's own request channel.
import diagnostics from 'node:diagnostics_channel';

let sent = false;
diagnostics.subscribe('tracing:statestore:request:start', (message) => {
  const { operation, key = '' } = message;
  if (sent || operation !== 'write' || !key.endsWith('/backups/statestore/lease')) return;
  sent = true;
  process.kill(process.pid, 'SIGINT');
});

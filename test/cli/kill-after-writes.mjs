// Preloaded into the statestore bin by test/cli/apply-crash.test.ts (NODE_OPTIONS=--import=...):
// SIGKILLs the process itself right after its STATESTORE_TEST_KILL_AFTER-th successful write or
// delete of a cluster document (a config or an instance group; history entries and the lease do
// not count), so a real process dies at a chosen point of an apply: after that write, before its
// history entry and before the next document. It listens on the store's own request channel.
import diagnostics from 'node:diagnostics_channel';

const limit = Number(process.env.STATESTORE_TEST_KILL_AFTER);
let seen = 0;
diagnostics.subscribe('tracing:statestore:request:asyncEnd', (message) => {
  const { operation, key = '', status } = message;
  if (status !== 'ok' || (operation !== 'write' && operation !== 'delete')) return;
  if (!/\/(config|instancegroup\/[^/]+)$/.test(key) || key.includes('/backups/')) return;
  if (++seen >= limit) process.kill(process.pid, 'SIGKILL');
});

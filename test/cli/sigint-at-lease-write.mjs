// Preloaded into the statestore bin by test/cli/lease-interrupt.test.ts (NODE_OPTIONS=--import=...):
// sends SIGINT to the process itself during its first write of a lease, so a Ctrl-C reaches a
// writing verb while it is still taking its lease. STATESTORE_TEST_SIGINT_AT says when:
// - `start`: as the write starts (on the store's own request channel); on file:// the abort
//   usually stops it before it lands, else it lands: either way nothing of it may remain;
// - `landed`: once the lease file is in place (after the link() that publishes a create-if-absent
//   on file://), and the write answers only after the command's SIGINT listener has run: the
//   lease is written, the acquire succeeds, and the abort must still give it back.
import diagnostics from 'node:diagnostics_channel';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const at = process.env.STATESTORE_TEST_SIGINT_AT;
const isLease = (key) => String(key).endsWith('/backups/statestore/lease');
let sent = false;

if (at === 'start')
  diagnostics.subscribe('tracing:statestore:request:start', (message) => {
    if (sent || message.operation !== 'write' || !isLease(message.key ?? '')) return;
    sent = true;
    process.kill(process.pid, 'SIGINT');
  });

if (at === 'landed') {
  const realLink = fsp.link;
  fsp.link = async function link(from, to) {
    const result = await realLink.call(this, from, to);
    if (sent || !isLease(to)) return result;
    sent = true;
    // Listeners run in the order they were added: this one after the command's.
    const handled = new Promise((resolve) => process.once('SIGINT', resolve));
    const keepAlive = setInterval(() => undefined, 1_000); // a signal handle alone keeps no loop alive
    process.kill(process.pid, 'SIGINT');
    await handled;
    clearInterval(keepAlive);
    return result;
  };
  syncBuiltinESMExports(); // the bundle's `import { link } from 'node:fs/promises'` sees the wrapper
}

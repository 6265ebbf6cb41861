/**
 * Runs one move in its own process, for the crash test: prints a line per file event and sleeps
 * 40 ms after each (so the parent can kill it half-way). argv: <from> <to>
 */
import { moveStateStore } from '../../src/migrate/index.js';

const pause = new Int32Array(new SharedArrayBuffer(4));
void moveStateStore({
  from: process.argv[2]!,
  to: process.argv[3]!,
  concurrency: 1,
  onProgress: (event) => {
    if (event.type !== 'file') return;
    process.stdout.write(`${event.action} ${event.key}\n`);
    Atomics.wait(pause, 0, 0, 40);
  },
}).then(() => process.stdout.write('done\n'));

/**
 * The `statestore` bin (dist/cli.js): a small first module that answers `--version` by itself and,
 * for every other command, turns on Node's compile cache before it imports the command line
 * (main.ts, built as dist/cli-main.js) and with it the library. Nothing else is imported here, so
 * that what the cache can hold (cli-main.js, the library's chunks, commander) is loaded after it is
 * on (bench/README.md, "Cold start").
 */
import module from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';

/** `module.enableCompileCache` (Node >= 22.8): V8's code cache on disk; absent on Node 20. */
type EnableCompileCache = (directory?: string) => unknown;

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  // A reader that closed the pipe (`statestore --version | true`) ends it quietly, exit 0, as the
  // commands do (interrupt.ts endQuietlyOnClosedPipe), instead of an unhandled EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  // What commander prints for --version (program.ts): the version fixed at build time.
  process.stdout.write(`${process.env.STATESTORE_VERSION ?? 'development'}\n`);
} else {
  // In statestore's cache folder beside the move digests ($XDG_CACHE_HOME/statestore, or
  // ~/.cache/statestore), not Node's default (os.tmpdir()/node-compile-cache), so that a command
  // leaves nothing in the temp folder; NODE_COMPILE_CACHE, if set, still wins, and
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node keys the cache by its version and the files'
  // contents. A folder it cannot write makes the call report a failure, never throw: the command
  // then runs uncached.
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  const folder = process.env.NODE_COMPILE_CACHE || path.join(cacheRoot, 'statestore', 'compile-cache');
  (module as { enableCompileCache?: EnableCompileCache }).enableCompileCache?.(folder);
  await import('./main.js');
}

/**
 * The `statestore` command: entry point of the bin (dist/cli.js). It only parses the command line
 * and reports errors; every verb is a thin layer over the library's public API.
 */
import { endQuietlyOnClosedPipe } from './interrupt.js';
import { runCli } from './program.js';

endQuietlyOnClosedPipe();
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

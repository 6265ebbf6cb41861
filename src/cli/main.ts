/**
 * The `statestore` command: entry point of the bin (dist/cli.js). It only parses the command line
 * and reports errors; every verb is a thin layer over the library's public API.
 */
import { endQuietlyOnClosedPipe } from './interrupt.js';
import { runCli } from './program.js';

// The AWS SDK prints an 8-line warning on every run under Node < 22 (its releases after January
// 2027 need 22). The command's supported Node range is the package's concern, stated in README and
// `engines`, not news for each `s3://` command; a user who sets the variable keeps their choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
endQuietlyOnClosedPipe();
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

import { Command, CommanderError, Option } from 'commander';
import { isStateStoreError } from '../index.js';
import { applyCommand } from './apply.js';
import { completionCommand } from './completion.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { editCommand } from './edit.js';
import { CliError, EXIT, exitCodeFor } from './exit-codes.js';
import { exportCommand } from './export.js';
import { getCommand } from './get.js';
import { examples } from './help.js';
import { moveCommand } from './move.js';
import { promoteCommand, trustCommands } from './pki.js';
import { colorsFor, escapeForTerminal } from './output.js';
import { describeIssue } from './documents.js';
import { diffCommand, patchCommand, replaceCommand } from './patch.js';
import { setCommand, unsetCommand } from './set.js';
import { validateCommand } from './validate.js';
import { historyCommand, rollbackCommand } from './history.js';
import { watchCommand } from './watch.js';
import { leaseCommand } from './lease.js';
import { doctorCommand } from './doctor.js';
import { kubeconfigCommand } from './kubeconfig.js';
import { pkiCommand } from './pki-ops.js';

/** The whole command tree. */
export function buildProgram(): Command {
  const program = new Command('statestore')
    .description('Read, edit, validate and move kops state stores (kops verbs, kops files).')
    .addOption(
      new Option('--state <url>', 'the state store (file://, s3://, gs://, azureblob://, swift://, memfs://)').env(
        'KOPS_STATE_STORE',
      ),
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json', 'table']))
    .option('--json', 'machine output: JSON on stdout (same as -o json)')
    .option('-q, --quiet', 'no messages on stderr, only results and errors')
    .option('--debug', 'print stack traces of errors')
    .option('--reason <text>', 'why: kept with every change this command makes, in the cluster history')
    .option('--author <who>', 'who: kept in the cluster history (default: your user@host)')
    .version(process.env.STATESTORE_VERSION ?? 'development', '--version', 'print the version of statestore');
  for (const command of [
    getCommand(),
    editCommand(),
    setCommand(),
    unsetCommand(),
    patchCommand(),
    replaceCommand(),
    applyCommand(),
    diffCommand(),
    validateCommand(),
    moveCommand(),
    createCommand(),
    deleteCommand(),
    promoteCommand(),
    ...trustCommands(),
    exportCommand(),
    historyCommand(),
    rollbackCommand(),
    watchCommand(),
    leaseCommand(),
    doctorCommand(),
    kubeconfigCommand(),
    pkiCommand(),
    completionCommand(() => program),
  ]) {
    program.addCommand(command);
  }
  examples(program, [
    'statestore get clusters --state s3://my-state-store',
    'statestore set cluster prod.example.com spec.kubernetesVersion=1.30.0 --dry-run',
    'statestore validate -f cluster.yaml',
    'statestore move s3://old-store gs://new-store --cluster prod.example.com',
  ]);
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 invalid, 5 conflict, 6 unavailable, 7 unsafe store (doctor), 130 interrupted.\n',
  );
  configureTree(program);
  return program;
}

/** Settings every command needs (commander copies them only to commands made with `.command()`). */
function configureTree(command: Command): void {
  command.exitOverride().showSuggestionAfterError(true).allowExcessArguments(false);
  command.configureOutput({ outputError: (text, write) => write(text) });
  for (const sub of command.commands) configureTree(sub);
}

/** Runs the command line; resolves to the exit code (never throws, never calls process.exit). */
export async function runCli(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    return report(err, debug);
  }
}

function report(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (with "Did you mean ...?"); help and version are not errors.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.OK;
    return EXIT.USAGE;
  }
  const c = colorsFor(process.stderr, process.env);
  const issues = isStateStoreError(err) ? (err.issues ?? []) : [];
  // A ValidationError's message repeats its first issues; the list below shows them all, once.
  const message =
    issues.length > 0
      ? `${(err as Error).message.split(': ')[0]} (${issues.length} issue${issues.length === 1 ? '' : 's'}):`
      : err instanceof Error
        ? err.message
        : String(err);
  // Messages carry names, paths and values read from the store: escaped, never raw (SECURITY.md).
  const write = (text: string): boolean => process.stderr.write(`${escapeForTerminal(text)}\n`);
  process.stderr.write(`${c.red('error:')} `);
  write(message);
  for (const issue of issues) write(`  ${describeIssue(issue)}`);
  if (debug && err instanceof Error && err.stack) write(err.stack);
  if (debug && isStateStoreError(err) && err.cause instanceof Error && err.cause.stack)
    write(`caused by: ${err.cause.stack}`);
  return err instanceof CliError || isStateStoreError(err) ? exitCodeFor(err) : EXIT.ERROR;
}

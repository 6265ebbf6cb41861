import { Command } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';

/** SEAM (being built this session): `statestore history`. */
export function historyCommand(): Command {
  const cmd = new Command('history').description('(not built yet)').action(() => {
    throw new CliError('history is not built yet', EXIT.ERROR);
  });
  return examples(cmd, ['statestore history cluster prod.example.com']);
}

/** SEAM (being built this session): `statestore rollback`. */
export function rollbackCommand(): Command {
  const cmd = new Command('rollback').description('(not built yet)').action(() => {
    throw new CliError('rollback is not built yet', EXIT.ERROR);
  });
  return examples(cmd, ['statestore rollback cluster prod.example.com']);
}

import { Command } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';

/** SEAM (being built this session): `statestore lease`. */
export function leaseCommand(): Command {
  const cmd = new Command('lease').description('(not built yet)').action(() => {
    throw new CliError('lease is not built yet', EXIT.ERROR);
  });
  return examples(cmd, ['statestore lease cluster prod.example.com']);
}

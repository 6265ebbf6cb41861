import { Command } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';

/** SEAM (being built this session): `statestore watch`. */
export function watchCommand(): Command {
  const cmd = new Command('watch').description('(not built yet)').action(() => {
    throw new CliError('watch is not built yet', EXIT.ERROR);
  });
  return examples(cmd, ['statestore watch cluster prod.example.com']);
}

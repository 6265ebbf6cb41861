import { Command } from 'commander';
import type { StateStore, WatchEvent, WatchOptions } from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { toJson } from './output.js';

interface WatchFlags {
  interval?: string;
  maxInterval?: string;
  instanceGroups?: boolean;
}

/** `watch cluster NAME`: `store.watch` printing each change as a unified diff (docs/watch.md). */
export function watchCommand(): Command {
  const watch = new Command('watch').description("Follow changes of a cluster's config (and instance groups)");
  const cluster = new Command('cluster')
    .argument('<name>', 'the cluster to watch')
    .description('Print a unified diff each time the config changes, until Ctrl-C (exit 130); -o json: JSON lines')
    .option('--interval <ms>', 'milliseconds between two polls (default 5000)')
    .option('--max-interval <ms>', 'back off while idle, up to this many milliseconds (default: no backoff)')
    .option('--instance-groups', 'also watch the instance groups (one listing per poll)')
    .action(async (name: string, opts: WatchFlags, command: Command) => {
      const ctx = contextOf(command);
      const options = watchOptions(opts);
      await withStore(ctx, (store) => follow(ctx, store, name, options));
    });
  watch.addCommand(
    examples(cluster, [
      'statestore watch cluster prod.example.com',
      'statestore watch cluster prod.example.com --interval 2000 --instance-groups',
      'statestore watch cluster prod.example.com -o json | jq -r .version',
    ]),
  );
  return examples(watch, ['statestore watch cluster prod.example.com --interval 2000']);
}

/** The flags as library options; the library itself refuses values out of range (exit 4). */
function watchOptions(opts: WatchFlags): WatchOptions {
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === '' || Number.isNaN(parsed))
      throw new CliError(`${flag} must be a number of milliseconds, not "${value}"`, EXIT.USAGE);
    return parsed;
  };
  const intervalMs = number('--interval', opts.interval);
  const maxIntervalMs = number('--max-interval', opts.maxInterval);
  return {
    ...(intervalMs === undefined ? {} : { intervalMs }),
    ...(maxIntervalMs === undefined ? {} : { maxIntervalMs }),
    ...(opts.instanceGroups ? { kinds: ['config', 'instancegroup'] as const } : {}),
  };
}

/** Prints events until Ctrl-C; a Ctrl-C ends the watch cleanly and exits 130, as `move` does. */
async function follow(ctx: Context, store: StateStore, name: string, options: WatchOptions): Promise<void> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    for await (const event of store.watch(name, { ...options, signal: controller.signal })) print(ctx, event);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (controller.signal.aborted) {
    ctx.out.info('watch stopped');
    // Not an error worth an "error:" line: Ctrl-C is how a watch ends. The exit code still says so.
    process.exitCode = EXIT.INTERRUPTED;
  }
}

function print(ctx: Context, event: WatchEvent): void {
  const what = event.name === undefined ? event.key : `${event.key} (instance group ${event.name})`;
  if (ctx.out.json) {
    const { kind, name, change, key, version, diff, value } = event;
    ctx.out.stdout.write(`${toJson({ kind, name, change, key, version, diff, value })}\n`);
    return;
  }
  if (event.change === 'current') return ctx.out.info(`watching ${what} at version ${event.version ?? '-'}`);
  ctx.out.info(`${new Date().toISOString()} ${what} ${event.change}`);
  ctx.out.diff(event.diff);
}

/** `statestore history` and `statestore rollback`: the library's history of a cluster (docs/history.md). */
import { Command } from 'commander';
import type { HistoryEntry, HistoryKind, StateStore } from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { leaseFlags, withWriter } from './lease-guard.js';

/** Only `cluster NAME`: a cluster's history covers its config and its instance groups. */
function clusterKind(kind: string): void {
  if (kind !== 'cluster')
    throw new CliError(`unknown kind "${kind}" (history is per cluster: cluster NAME)`, EXIT.USAGE);
}

function historyKind(kind: string | undefined): HistoryKind | undefined {
  if (kind === undefined) return undefined;
  if (kind === 'config' || kind === 'cluster') return 'config';
  if (kind === 'instancegroup' || kind === 'ig') return 'instancegroup';
  throw new CliError(`unknown --kind "${kind}" (config or instancegroup)`, EXIT.USAGE);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--limit must be a positive integer (got "${value}")`);
  return n;
}

interface HistoryFlags {
  kind?: string;
  name?: string;
  limit: number;
  diff?: boolean;
  show?: string;
}

/** `history cluster NAME`: the entries, newest first (a table; -o json for scripts). */
export function historyCommand(): Command {
  const cmd = new Command('history')
    .description("List the recorded changes of a cluster's config and instance groups, newest first")
    .argument('<kind>', 'cluster')
    .argument('<name>', 'the cluster')
    .option('--kind <kind>', 'only config or instancegroup (ig) entries')
    .option('--name <group>', "only this instance group's entries")
    .option('--limit <n>', 'at most this many entries', positiveInt, 50)
    .option('--diff', "print each entry's change as a unified diff")
    .option('--show <entry>', 'print the version an entry replaced (the text a rollback to it writes)')
    .action(async (kind: string, name: string, opts: HistoryFlags, command: Command) => {
      clusterKind(kind);
      const ctx = contextOf(command);
      await withStore(ctx, (store) =>
        opts.show ? showVersion(ctx, store, name, opts.show) : list(ctx, store, name, opts),
      );
    });
  return examples(cmd, [
    'statestore history cluster prod.example.com',
    'statestore history cluster prod.example.com --kind ig --name nodes --diff',
    'statestore history cluster prod.example.com -o json --limit 5',
    'statestore history cluster prod.example.com --show prod.example.com:config/8235123456789-1f2e3d4c',
  ]);
}

async function list(ctx: Context, store: StateStore, cluster: string, opts: HistoryFlags): Promise<void> {
  await store.getCluster(cluster);
  const entries: HistoryEntry[] = [];
  const options = { kind: historyKind(opts.kind), name: opts.name };
  for await (const entry of store.history(cluster, options)) {
    entries.push(entry);
    if (entries.length >= opts.limit) break;
  }
  if (opts.diff && !ctx.out.json) {
    for (const entry of entries) {
      ctx.out.text(
        `# ${entry.id} ${entry.time.toISOString()} ${entry.operation}${entry.reason ? ` (${entry.reason})` : ''}`,
      );
      ctx.out.diff(await store.diffVersions(cluster, entry));
    }
    return;
  }
  const diffs = opts.diff ? await Promise.all(entries.map((entry) => store.diffVersions(cluster, entry))) : [];
  ctx.out.result(
    entries.map((entry, i) => ({ ...entry, time: entry.time.toISOString(), ...(opts.diff ? { diff: diffs[i] } : {}) })),
    () => ({
      headers: ['ID', 'TIME', 'OPERATION', 'DOCUMENT', 'AUTHOR', 'REASON'],
      rows: entries.map((entry) => [
        entry.id.slice(cluster.length + 1),
        entry.time.toISOString(),
        entry.operation,
        entry.kind === 'config' ? 'config' : `instancegroup/${entry.name}`,
        entry.author ?? '',
        entry.reason ?? '',
      ]),
    }),
  );
  if (entries.length === 0) ctx.out.info(`cluster "${cluster}" has no recorded history`);
}

async function showVersion(ctx: Context, store: StateStore, cluster: string, entry: string): Promise<void> {
  const version = await store.getVersion(cluster, entry);
  if (ctx.out.json) return ctx.out.result({ entry: version.entry.id, version: version.version, text: version.text });
  ctx.out.text(version.text);
}

interface RollbackFlags {
  to: string;
  reason?: string;
  author?: string;
  yes?: boolean;
  dryRun?: boolean;
  restoreGeneration?: boolean;
}

/** `rollback cluster NAME --to ENTRY`: prints the diff; writes it (compare-and-swap) only with --yes. */
export function rollbackCommand(): Command {
  const cmd = leaseFlags(new Command('rollback'))
    .description("Write a recorded version of a cluster's config or instance group back (a dry run unless --yes)")
    .argument('<kind>', 'cluster')
    .argument('<name>', 'the cluster')
    .requiredOption('--to <entry>', 'the history entry whose replaced version to restore (from `statestore history`)')
    .option('--reason <text>', "why, kept in the rollback's own history entry")
    .option('--author <who>', "who, kept in the rollback's own history entry")
    .option('--restore-generation', 'also write the recorded metadata.generation (default: as kops, stored + 1)')
    .option('--yes', 'really write (default: print the diff, write nothing)')
    .option('--dry-run', 'print the diff, write nothing (the default without --yes)')
    .action(async (kind: string, name: string, opts: RollbackFlags, command: Command) => {
      clusterKind(kind);
      if (opts.yes && opts.dryRun) throw new CliError('--yes and --dry-run contradict each other', EXIT.USAGE);
      const ctx = contextOf(command);
      await withWriter(ctx, name, 'rollback', (store) => rollback(ctx, store, name, opts), { dryRun: !opts.yes });
    });
  return examples(cmd, [
    'statestore rollback cluster prod.example.com --to config/8235123456789-1f2e3d4c',
    'statestore rollback cluster prod.example.com --to config/8235123456789-1f2e3d4c --reason "bad upgrade" --yes',
  ]);
}

async function rollback(ctx: Context, store: StateStore, cluster: string, opts: RollbackFlags): Promise<void> {
  const dryRun = opts.yes !== true;
  const { reason, author, restoreGeneration } = opts;
  const result = await store.rollback(cluster, opts.to, { reason, author, dryRun, restoreGeneration });
  if (ctx.out.json) {
    return ctx.out.result({
      dryRun,
      version: result.version,
      entry: result.entry?.id,
      keptFields: result.keptFields,
      diff: result.diff,
    });
  }
  ctx.out.diff(result.diff);
  if (result.keptFields.length > 0) ctx.out.info(`not as recorded (docs/history.md): ${result.keptFields.join(', ')}`);
  if (dryRun) return ctx.out.info('dry run, nothing written; run again with --yes to roll back');
  ctx.out.info(`rolled back to ${opts.to}${result.entry ? `; recorded as ${result.entry.id}` : ''}`);
}

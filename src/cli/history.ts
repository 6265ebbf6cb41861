/** `statestore history` and `statestore rollback`: the library's history of a cluster (docs/history.md). */
import { Command } from 'commander';
import type { HistoryEntry, HistoryKind, RollbackResult, StateStore } from '../index.js';
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

/** A revision as typed: a number (`3`) or an id (`config/8235123456789-1f2e3d4c`). */
function revisionArg(value: string | undefined): string | number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
}

/** Text from the store shown in a table or a message: control characters (terminal escapes) made visible. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The document a revision is of, as the table names it. */
function documentOf(entry: HistoryEntry): string {
  return entry.kind === 'config' ? 'config' : `ig/${entry.name}`;
}

interface HistoryFlags {
  kind?: string;
  name?: string;
  limit: number;
  diff?: boolean;
  show?: string;
  versions?: boolean;
}

/** `history cluster NAME`: the revisions, newest first (a table; -o json for scripts). */
export function historyCommand(): Command {
  const cmd = new Command('history')
    .description("List the revisions of a cluster's config and instance groups, newest first")
    .argument('<kind>', 'cluster')
    .argument('<name>', 'the cluster')
    .option('--kind <kind>', 'only config or instancegroup (ig) revisions')
    .option('--name <group>', "only this instance group's revisions (and the group --show's number is of)")
    .option('--limit <n>', 'at most this many revisions', positiveInt, 50)
    .option('--diff', 'print what each revision changed, as a unified diff')
    .option('--versions', "the bucket's own object versions (S3 versioning), kops's writes included")
    .option(
      '--show <revision>',
      'print the content of a revision (a number, or an id), the text a rollback to it writes',
    )
    .action(async (kind: string, name: string, opts: HistoryFlags, command: Command) => {
      clusterKind(kind);
      const ctx = contextOf(command);
      await withStore(ctx, (store) => (opts.show ? showVersion(ctx, store, name, opts) : list(ctx, store, name, opts)));
    });
  return examples(cmd, [
    'statestore history cluster prod.example.com',
    'statestore history cluster prod.example.com --kind ig --name nodes --diff',
    'statestore history cluster prod.example.com -o json --limit 5',
    'statestore history cluster prod.example.com --show 3',
    'statestore history cluster prod.example.com --name nodes --show 2',
    'statestore history cluster prod.example.com --versions --kind config',
  ]);
}

async function list(ctx: Context, store: StateStore, cluster: string, opts: HistoryFlags): Promise<void> {
  await store.getCluster(cluster);
  const entries: HistoryEntry[] = [];
  const options = {
    kind: historyKind(opts.kind),
    name: opts.name,
    source: opts.versions ? 'versions' : 'entries',
  } as const;
  for await (const entry of store.history(cluster, options)) {
    entries.push(entry);
    if (entries.length >= opts.limit) break;
  }
  if (opts.diff && !ctx.out.json) {
    for (const entry of entries) {
      const who = [entry.author, entry.reason].filter((part) => part !== undefined).map(printable);
      ctx.out.text(
        `# ${documentOf(entry)} revision ${entry.revision}: ${entry.operation} ${entry.time.toISOString()}${who.length > 0 ? ` (${who.join(': ')})` : ''}`,
      );
      ctx.out.diff(await store.diffVersions(cluster, entry));
    }
    return;
  }
  const diffs = opts.diff ? await Promise.all(entries.map((entry) => store.diffVersions(cluster, entry))) : [];
  ctx.out.result(
    entries.map((entry, i) => ({ ...entry, time: entry.time.toISOString(), ...(opts.diff ? { diff: diffs[i] } : {}) })),
    () => ({
      headers: ['TIME', 'DOCUMENT', 'REVISION', 'OPERATION', 'AUTHOR', 'REASON', 'ID'],
      ordered: true,
      rows: entries.map((entry) => [
        entry.time.toISOString(),
        documentOf(entry),
        String(entry.revision),
        entry.operation,
        printable(entry.author ?? ''),
        printable(entry.reason ?? ''),
        entry.id.slice(cluster.length + 1),
      ]),
    }),
  );
  if (entries.length === 0) ctx.out.info(`cluster "${cluster}" has no recorded history`);
}

async function showVersion(ctx: Context, store: StateStore, cluster: string, opts: HistoryFlags): Promise<void> {
  const version = await store.getVersion(cluster, revisionArg(opts.show)!, { instanceGroup: opts.name });
  if (ctx.out.json)
    return ctx.out.result({
      entry: version.entry.id,
      revision: version.entry.revision,
      version: version.version,
      text: version.text,
    });
  ctx.out.text(version.text);
}

interface RollbackFlags {
  to?: string;
  ig?: string;
  yes?: boolean;
  dryRun?: boolean;
  restoreGeneration?: boolean;
}

/** `rollback cluster NAME [--to REVISION]`: prints the diff; writes it (compare-and-swap) only with --yes. */
export function rollbackCommand(): Command {
  const cmd = leaseFlags(new Command('rollback'))
    .description(
      "Write a revision of a cluster's config or instance group back as a new revision (helm rollback, kubectl rollout undo); a dry run unless --yes",
    )
    .argument('<kind>', 'cluster')
    .argument('<name>', 'the cluster')
    .option(
      '--to <revision>',
      'the revision to restore: its number, or its id (default: the one written before the current)',
    )
    .option('--ig <group>', 'the instance group a revision number is of (default: the config)')
    .option('--restore-generation', "also write the revision's metadata.generation (default: as kops, stored + 1)")
    .option('--yes', 'really write (default: print the diff, write nothing)')
    .option('--dry-run', 'print the diff, write nothing (the default without --yes)')
    .action(async (kind: string, name: string, opts: RollbackFlags, command: Command) => {
      clusterKind(kind);
      if (opts.yes && opts.dryRun) throw new CliError('--yes and --dry-run contradict each other', EXIT.USAGE);
      const ctx = contextOf(command);
      await withWriter(ctx, name, 'rollback', (store) => rollback(ctx, store, name, opts), { dryRun: !opts.yes });
    });
  return examples(cmd, [
    'statestore rollback cluster prod.example.com                      # back one revision: prints the diff only',
    'statestore rollback cluster prod.example.com --to 3 --reason "bad upgrade" --yes',
    'statestore rollback cluster prod.example.com --ig nodes --to 2 --yes',
    'statestore rollback cluster prod.example.com --to config/8235123456789-1f2e3d4c --yes',
  ]);
}

/** What `keptFields` means, for an operator. */
function keptMessages(result: RollbackResult): string[] {
  const messages: string[] = [];
  if (result.keptFields.includes('/metadata/generation'))
    messages.push(
      "metadata.generation counts on from the stored one, as kops counts it, instead of going back to the revision's (--restore-generation writes the revision's)",
    );
  const location = result.keptFields.filter((field) => field !== '/metadata/generation');
  if (location.length > 0)
    messages.push(
      `${location.map((field) => field.slice(1).replaceAll('/', '.')).join(', ')} kept pointing at this store: the revision was written before the cluster moved here`,
    );
  return messages;
}

async function rollback(ctx: Context, store: StateStore, cluster: string, opts: RollbackFlags): Promise<void> {
  const dryRun = opts.yes !== true;
  const result = await store.rollback(cluster, revisionArg(opts.to), {
    dryRun,
    instanceGroup: opts.ig,
    restoreGeneration: opts.restoreGeneration,
  });
  const target = `${documentOf(result.target)} revision ${result.target.revision}`;
  if (ctx.out.json) {
    return ctx.out.result({
      dryRun,
      changed: result.changed,
      target: result.target.id,
      revision: result.target.revision,
      version: result.version,
      entry: result.entry?.id,
      recordedRevision: result.entry?.revision,
      keptFields: result.keptFields,
      skippedRules: result.skippedRules,
      diff: result.diff,
    });
  }
  if (!result.changed) return ctx.out.info(`${target} is what is stored: nothing to roll back, nothing written`);
  ctx.out.diff(result.diff);
  for (const message of keptMessages(result)) ctx.out.info(`note: ${message}`);
  if (dryRun) return ctx.out.info(`dry run: nothing written; run again with --yes to roll back to ${target}`);
  const recorded = result.entry ? ` as revision ${result.entry.revision}` : ' (the history entry was not recorded)';
  ctx.out.info(`rolled back to ${target}${recorded}`);
}

import { homedir } from 'node:os';
import path from 'node:path';
import { setMaxListeners } from 'node:events';
import { Command } from 'commander';
import { isStateStoreError, moveStateStore, openStateStore, type Lease, type MoveResult } from '../index.js';
import { contextOf, type Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { collect, examples } from './help.js';
import { clusterLine, formatBytes, progressReporter } from './progress.js';
import { NO_LEASE_HELP, withCliLeases } from './lease-guard.js';

interface MoveFlags {
  cluster?: string[];
  dryRun?: boolean;
  deleteSource?: boolean;
  concurrency?: string;
  rewriteGenerated?: boolean;
  overwrite?: boolean;
  createOnly?: string;
  /** False with --no-lease. */
  lease?: boolean;
}

/** `move FROM TO`: `moveStateStore` with a progress bar; Ctrl-C aborts through its AbortSignal (kubernetes/kops#4227). */
export function moveCommand(): Command {
  const cmd = new Command('move')
    .description('Copy clusters to another state store, verified, config last; rerun to resume')
    .argument('<from>', 'the source store URL')
    .argument('<to>', 'the destination store URL')
    .option('--cluster <name>', 'a cluster to move (repeat for several; default: all)', collect)
    .option('--dry-run', 'list what would be copied, write nothing')
    .option('--delete-source', "delete each cluster's source files once copied and verified")
    .option('--concurrency <n>', 'files in flight at once (default 64)')
    .option('--rewrite-generated', 'also rewrite the old store URL inside generated files')
    .option('--overwrite', 'replace destination files that differ from the source')
    .option(
      '--create-only <mode>',
      "per-file (default): each copy refused if its key was taken since the listing (where the server cannot refuse a copy, Ceph RGW: read and written through this process); listing: the destination's listing is the only check, copies stay server-side, and a file another writer creates there during the move may be replaced",
    )
    .option('--no-lease', NO_LEASE_HELP)
    .action(async (from: string, to: string, opts: MoveFlags, command: Command) => {
      const ctx = contextOf(command);
      const concurrency = opts.concurrency === undefined ? undefined : Number(opts.concurrency);
      if (concurrency !== undefined && !Number.isSafeInteger(concurrency))
        throw new CliError(`--concurrency must be a whole number, not "${opts.concurrency}"`, EXIT.USAGE);
      if (opts.createOnly !== undefined && opts.createOnly !== 'per-file' && opts.createOnly !== 'listing')
        throw new CliError(`--create-only must be per-file or listing, not "${opts.createOnly}"`, EXIT.USAGE);
      const result = await runMove(ctx, { from, to, opts, concurrency });
      // A mistyped source is an empty one: say so (exit 3) rather than "moved nothing" (exit 0).
      if (result.clusters.length === 0)
        throw new CliError(`no clusters found in state store ${result.from}`, EXIT.NOT_FOUND);
      summarize(ctx, result, to);
    });
  return examples(cmd, [
    'statestore move s3://old-store s3://new-store --dry-run',
    'statestore move s3://old-store gs://new-store --cluster prod.example.com --concurrency 32',
    'statestore move file:///backups/kops s3://kops-state --rewrite-generated --json',
    'statestore move s3://old-store s3://new-store --no-lease   # even while others hold a lease',
    'statestore move s3://old-store s3://new-store --create-only listing   # Ceph RGW: server-side copies',
  ]);
}

async function runMove(
  ctx: Context,
  args: { from: string; to: string; opts: MoveFlags; concurrency: number | undefined },
): Promise<MoveResult> {
  const { from, to, opts, concurrency } = args;
  const progress = opts.dryRun
    ? { onProgress: () => undefined, finish: () => undefined, stop: () => undefined }
    : await progressReporter(ctx.out);
  const controller = new AbortController();
  // The move listens on this one signal once per file in flight (--concurrency of them).
  setMaxListeners(0, controller.signal);
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const leases: Lease[] = [];
  try {
    const result = await leasedMove(from, opts, controller.signal, leases, (signal) =>
      moveStateStore({
        from,
        to,
        signal,
        onProgress: (event) => progress.onProgress(event),
        ...(opts.cluster ? { clusters: opts.cluster } : {}),
        ...(concurrency !== undefined ? { concurrency } : {}),
        digestFolder: digestFolder(),
        dryRun: opts.dryRun === true,
        deleteSource: opts.deleteSource === true,
        rewriteGenerated: opts.rewriteGenerated === true,
        overwrite: opts.overwrite === true,
        ...(opts.createOnly === 'listing' ? { createOnly: 'listing' as const } : {}),
      }),
    );
    progress.finish();
    return result;
  } catch (err) {
    progress.stop();
    // A lease lost mid-move (not renewed in time, or taken over) aborted the move: say that, exit 5.
    const lost = leases.find((lease) => lease.lost.aborted);
    if (lost !== undefined) throw lost.lost.reason;
    // The library names its option; on the command line it is a flag.
    if (isStateStoreError(err, 'AlreadyExists') && err.message.includes('pass overwrite: true'))
      throw new CliError(err.message.replace('pass overwrite: true', 'pass --overwrite'), EXIT.CONFLICT);
    if (controller.signal.aborted || isStateStoreError(err, 'Aborted')) {
      // Nothing partial is visible (each file is written whole, the config last): a rerun resumes.
      ctx.out.error('interrupted; the destination lists only clusters whose config was copied.');
      ctx.out.error(`resume with: ${resumeCommand()}`);
      throw new CliError('move interrupted', EXIT.INTERRUPTED);
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/**
 * Runs the move holding the lease of each source cluster it moves (all of them without --cluster),
 * unless --no-lease or --dry-run: a concurrent `edit` or move of those clusters then waits its turn.
 */
async function leasedMove(
  from: string,
  opts: MoveFlags,
  signal: AbortSignal,
  leases: Lease[],
  move: (signal: AbortSignal) => Promise<MoveResult>,
): Promise<MoveResult> {
  if (opts.lease === false || opts.dryRun) return move(signal);
  await using source = await openStateStore(from);
  const clusters = opts.cluster ?? (await source.listClusters({ signal }));
  return withCliLeases(
    source,
    clusters,
    (leased, held) => {
      for (const lease of held.values()) leases.push(lease);
      const inner = leased ?? signal;
      setMaxListeners(0, inner); // one listener per file in flight, as on the outer signal
      return move(inner);
    },
    { enabled: true, signal },
  );
}

/** The command line that was run, shell-quoted, to rerun it. */
function resumeCommand(): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return ['statestore', ...process.argv.slice(2)].map(quote).join(' ');
}

function summarize(ctx: Context, result: MoveResult, to: string): void {
  if (ctx.out.json) return ctx.out.result(result);
  for (const cluster of result.clusters) {
    if (result.dryRun)
      ctx.out.text(`${cluster.cluster}: would copy ${cluster.files} files, ${formatBytes(cluster.bytes)}`);
    else if (ctx.out.stderr.isTTY) ctx.out.info(clusterLine(cluster));
    // Off a terminal the cluster's line was printed as it finished, among others: name the cluster on each line.
    const lead = ctx.out.stderr.isTTY ? '  ' : `${cluster.cluster}: `;
    for (const pointer of cluster.rewritten) ctx.out.info(`${lead}rewrote ${pointer} in the config`);
    for (const key of cluster.staleReferences) ctx.out.info(`${lead}${key} still names the old store`);
  }
  if (result.dryRun) return ctx.out.info('dry run: nothing written');
  const stale = result.clusters.filter((cluster) => cluster.staleReferences.length > 0);
  for (const cluster of stale)
    ctx.out.info(
      `next: kops update cluster --name ${cluster.cluster} --state ${to} --yes   (refreshes generated files)`,
    );
}

/**
 * Where the command keeps file:// digests between moves, so a rerun compares files without reading
 * them (MoveOptions.digestFolder): the user's cache folder, as other command-line tools do.
 */
function digestFolder(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'statestore', 'digests');
}

import pLimit from 'p-limit';
import { openVfs } from '../backends/registry.js';
import type { OpenVfsOptions } from '../backends/options.js';
import { StateStoreError } from '../errors.js';
import type { Vfs } from '../vfs/types.js';
import { validateClusterName } from '../store/names.js';
import { ClusterRun, clusterNotFound, type MoveRun } from './cluster-run.js';
import { ConfigMemo } from './config-memo.js';
import type { FileCopies } from './file-copy/copies.js';
import { localRoots } from './file-copy/local-roots.js';
import { FileDigests } from './file-digests.js';
import { listPages, mergedListing, type ListedFile, type Lister } from './listing.js';
import { splitLister } from './split-listing.js';
import { assertDisjoint } from './overlap.js';
import { WorkQueue } from './tasks.js';
import type { ClusterMoveResult, MoveOptions, MoveResult, StoreRef } from './types.js';

/** Files in flight by default: small files and server-side copies are latency-bound. */
const DEFAULT_CONCURRENCY = 64;
/**
 * Large files streamed through this process at once, whatever the concurrency: each holds an
 * upload part (8 MiB on S3) in memory, so this bounds the memory of a move.
 */
const MAX_LARGE_STREAMS = 4;

/**
 * Moves clusters from one state store to another, as kops's documented procedure does by hand:
 * copy every file of each cluster (bounded concurrency, streaming at bounded memory), skip files
 * already identical at the destination (so a rerun resumes), verify sizes and checksums, rewrite
 * `configBase` (and keyStore, secretStore, etcd backupStore) in the destination `config`, keeping
 * its comments, and write that `config` last, so the destination only ever lists complete
 * clusters. The source is never modified, unless `deleteSource` asks for it after verification.
 *
 * @example
 * ```ts
 * import { moveStateStore } from 'kops-statestore';
 *
 * const result = await moveStateStore({ from: 's3://old-bucket', to: 'gs://new-bucket', concurrency: 32 });
 * for (const c of result.clusters) console.log(c.cluster, c.copied, 'copied', c.skipped, 'skipped', c.staleReferences);
 * ```
 */
export async function moveStateStore(options: MoveOptions): Promise<MoveResult> {
  const { concurrency } = options;
  if (concurrency !== undefined && (!Number.isSafeInteger(concurrency) || concurrency < 1))
    throw new StateStoreError('InvalidArgument', 'concurrency must be a positive integer');
  if (options.createOnly !== undefined && options.createOnly !== 'per-file' && options.createOnly !== 'listing')
    throw new StateStoreError(
      'InvalidArgument',
      `createOnly must be "per-file" or "listing", not ${JSON.stringify(options.createOnly)}`,
    );
  const from = await resolve(options.from, options.openOptions);
  const to = await resolve(options.to, options.openOptions);
  try {
    if (from.vfs.url === to.vfs.url)
      throw new StateStoreError('InvalidArgument', 'the source and the destination are the same store');
    // By resolved location, not by name: a symlink or a nested prefix is the same store (#14.5).
    await assertDisjoint(from.vfs, to.vfs);
    options.clusters?.forEach((cluster) => validateClusterName(cluster));
    const digests = {
      from: await FileDigests.open(from.vfs, options.digestFolder),
      to: await FileDigests.open(to.vfs, options.digestFolder),
    };
    const memo = options.dryRun ? undefined : await ConfigMemo.open(from.vfs.url, to.vfs.url, options.digestFolder);
    const { fileCopies, inFlight } = await openFileCopies(from.vfs, to.vfs, digests, options);
    const queue = new WorkQueue(inFlight);
    const run: MoveRun = {
      from: from.vfs,
      to: to.vfs,
      options,
      queue,
      streams: pLimit(Math.min(inFlight, MAX_LARGE_STREAMS)),
      digests,
      memo,
      fileCopies,
      // The files listed absent go to the workers in batches, whatever their clusters.
      batches: fileCopies?.batcher(queue),
    };
    const results: ClusterMoveResult[] = [];
    try {
      await moveClusters(run, results);
    } finally {
      try {
        await saveCaches(run);
      } finally {
        // The workers end with the move (none keeps the process alive), after what they copied is durable.
        await fileCopies?.close();
      }
    }
    return { from: from.vfs.url, to: to.vfs.url, dryRun: options.dryRun ?? false, clusters: results };
  } finally {
    if (from.owned) await from.vfs.close();
    if (to.owned) await to.vfs.close();
  }
}

/**
 * file:// -> file:// (not a dry run): the copy workers, and enough files in flight for their
 * batches (FileCopies.concurrency) unless the caller set the concurrency. Their code (~36 KB
 * bundled, and worker_threads) is imported only then, so that a move between other stores does
 * not compile it in its start-up (bench/README.md, "Move start-up II").
 */
async function openFileCopies(
  from: Vfs,
  to: Vfs,
  digests: MoveRun['digests'],
  options: MoveOptions,
): Promise<{ fileCopies: FileCopies | undefined; inFlight: number }> {
  if (options.dryRun || localRoots(from, to) === undefined)
    return { fileCopies: undefined, inFlight: options.concurrency ?? DEFAULT_CONCURRENCY };
  const { FileCopies } = await import('./file-copy/copies.js');
  const fileCopies = FileCopies.open(from, to, digests, options.signal);
  return {
    fileCopies,
    inFlight: options.concurrency ?? (fileCopies === undefined ? DEFAULT_CONCURRENCY : FileCopies.concurrency),
  };
}

/**
 * Saves the digests and the configs' memo. Digests recorded before a failure are still true:
 * saved either way (file:// -> file://: the files just written are stat-ed again by the workers).
 * They are a cache: one that cannot be saved (a folder that cannot be made or written) neither
 * fails a move that succeeded nor hides the error of one that failed; the next run reads those
 * files again.
 */
async function saveCaches({ digests, memo, fileCopies }: MoveRun): Promise<void> {
  const statMany =
    fileCopies === undefined ? undefined : (root: string, keys: string[]) => fileCopies.statMany(root, keys);
  const configs = (key: string) => /^[^/]+\/config$/.test(key); // written last: not waited for (FileDigests.save)
  await Promise.allSettled([digests?.from?.save(statMany), digests?.to?.save(statMany, configs), memo?.save()]);
}

/**
 * Every cluster: one listing of each store, merged. Named clusters: a listing of each one's
 * folder, in turn (the copies of one run while the next is listed). All clusters' requests share
 * one queue; after the first failure no new one starts, and the error is thrown once those in
 * flight have stopped writing. A dry run does not list the destination.
 */
async function moveClusters(run: MoveRun, results: ClusterMoveResult[]): Promise<void> {
  const { from, options, queue, fileCopies } = run;
  const to = options.dryRun ? undefined : run.to;
  const lister: Lister = fileCopies === undefined ? storeLister : (vfs, o) => fileCopies.listPages(vfs, o);
  const listing = (prefix: string | undefined) => mergedListing(from, to, prefix, options.signal, lister);
  if (options.clusters === undefined) {
    await feed(run, listing(undefined), results, false);
  } else {
    for (const cluster of options.clusters) {
      if (queue.failed) break;
      const found = await feed(run, listing(`${cluster}/`), results, true);
      if (!found && !queue.failed) queue.fail(clusterNotFound(cluster, from));
    }
  }
  await queue.settle();
}

const split = splitLister();

/**
 * Each store's listing: in parallel walks where a page is a round trip (split-listing.ts: object
 * stores), one walk where it is not (memfs://, file:// outside the copy workers).
 */
const storeLister: Lister = (vfs, options) =>
  vfs.backend === 'memory' || vfs.backend === 'file' ? listPages(vfs, options) : split(vfs, options);

/** Tasks waiting in the queue before the listing pauses (checked after each run of files): bounds a huge store's memory. */
const QUEUED_HIGH = 8192;

/**
 * Consumes a merged listing (one store, or one named cluster's folder): files are grouped by
 * cluster as they arrive in key order, each cluster's copies start as soon as its config is read,
 * and a cluster is closed once the listing moves past it. Returns whether any cluster was found.
 */
async function feed(
  run: MoveRun,
  listing: AsyncIterable<readonly ListedFile[]>,
  results: ClusterMoveResult[],
  named: boolean,
): Promise<boolean> {
  let current: ClusterRun | undefined;
  let name: string | undefined;
  let found = false;
  const close = () => {
    current?.close();
    if (current?.hasConfig) {
      found = true;
      results.push(current.result);
    }
  };
  try {
    for await (const files of listing) {
      for (const file of files) {
        if (run.queue.failed) break;
        const cluster = file.source.key.slice(0, file.source.key.indexOf('/'));
        if (cluster !== name) {
          close();
          name = cluster;
          // A folder whose name kops would refuse is not a cluster (as StateStore.listClusters finds them).
          current = named || validName(cluster) ? new ClusterRun(run, cluster) : undefined;
        }
        current?.add(file);
      }
      if (run.queue.failed) break;
      if (run.queue.queued >= QUEUED_HIGH) await run.queue.roomFor(QUEUED_HIGH / 2);
    }
    if (!run.queue.failed) close();
  } catch (err) {
    run.queue.fail(err);
  }
  return found;
}

function validName(cluster: string): boolean {
  try {
    validateClusterName(cluster);
    return true;
  } catch {
    return false;
  }
}

async function resolve(ref: StoreRef, openOptions: OpenVfsOptions | undefined): Promise<{ vfs: Vfs; owned: boolean }> {
  if (typeof ref === 'string') return { vfs: await openVfs(ref, openOptions), owned: true };
  if ('vfs' in ref && typeof ref.vfs === 'object') return { vfs: ref.vfs, owned: false };
  return { vfs: ref as Vfs, owned: false };
}

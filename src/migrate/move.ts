import pLimit from 'p-limit';
import { openVfs } from '../backends/registry.js';
import type { OpenVfsOptions } from '../backends/options.js';
import { isStateStoreError, StateStoreError } from '../errors.js';
import { withRetry } from '../vfs/retry.js';
import type { ObjectInfo, ReadResult, Vfs } from '../vfs/types.js';
import { isPlainObject } from '../config/guard.js';
import { parseYamlDocuments } from '../config/yaml/parse.js';
import { parsePointer } from '../config/patch/json-pointer.js';
import { validateClusterName } from '../store/names.js';
import { replaceScalars, rewriteStoreUrls, rewriteText } from './rewrite.js';
import { FileDigests } from './file-digests.js';
import { perCluster, perStore, SourceListing, type Listings } from './listing.js';
import { assertDisjoint } from './overlap.js';
import { settleAll, TaskGroup } from './tasks.js';
import { transferFile, type TransferContext } from './transfer.js';
import type { ClusterMoveResult, MoveOptions, MoveResult, StoreRef } from './types.js';

/** Generated files that may name the store (kops rewrites them on `kops update cluster --yes`). */
const GENERATED = /^(cluster-completed\.spec|igconfig\/.*|manifests\/.*|addons\/bootstrap-channel\.yaml)$/;
const MAX_SCANNED_BYTES = 4 * 1024 * 1024;
/** Files in flight by default: small files and server-side copies are latency-bound. */
const DEFAULT_CONCURRENCY = 64;
/**
 * Large files streamed through this process at once, whatever the concurrency: each holds an
 * upload part (8 MiB on S3) in memory, so this bounds the memory of a move.
 */
const MAX_LARGE_STREAMS = 4;
/**
 * Clusters set up at once (each lists the source and destination and reads its config): enough
 * to keep the file limit busy with many small clusters, while the files of all of them share
 * one limit.
 */
const MAX_CLUSTERS = 16;

interface Limits {
  /** Clusters in progress (see {@link MAX_CLUSTERS}). */
  clusters: ReturnType<typeof pLimit>;
  /** Files in flight, across all clusters. */
  files: ReturnType<typeof pLimit>;
  /** Large files streaming through this process (see {@link MAX_LARGE_STREAMS}). */
  streams: ReturnType<typeof pLimit>;
}

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
 * import { moveStateStore } from 'statestore';
 *
 * const result = await moveStateStore({ from: 's3://old-bucket', to: 'gs://new-bucket', concurrency: 32 });
 * for (const c of result.clusters) console.log(c.cluster, c.copied, 'copied', c.skipped, 'skipped', c.staleReferences);
 * ```
 */
export async function moveStateStore(options: MoveOptions): Promise<MoveResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new StateStoreError('InvalidArgument', 'concurrency must be a positive integer');
  const from = await resolve(options.from, options.openOptions);
  const to = await resolve(options.to, options.openOptions);
  try {
    if (from.vfs.url === to.vfs.url)
      throw new StateStoreError('InvalidArgument', 'the source and the destination are the same store');
    // By resolved location, not by name: a symlink or a nested prefix is the same store (#14.5).
    await assertDisjoint(from.vfs, to.vfs);
    // Every cluster: one listing of each store. Named clusters: a listing of each one's folder.
    const { clusters, listings } =
      options.clusters === undefined
        ? await perStore(from.vfs, to.vfs, options.signal)
        : { clusters: options.clusters, listings: perCluster(from.vfs, to.vfs, options.signal) };
    clusters.forEach((cluster) => validateClusterName(cluster));
    const limits: Limits = {
      clusters: pLimit(MAX_CLUSTERS),
      files: pLimit(concurrency),
      streams: pLimit(Math.min(concurrency, MAX_LARGE_STREAMS)),
    };
    const digests = {
      from: await FileDigests.open(from.vfs, options.digestFolder),
      to: await FileDigests.open(to.vfs, options.digestFolder),
    };
    const results: ClusterMoveResult[] = new Array(clusters.length);
    try {
      // Clusters move concurrently; after the first failure no further cluster starts, and the
      // error is thrown once the clusters in flight have stopped writing.
      await settleAll(clusters.keys(), limits.clusters, async (index) => {
        const cluster = clusters[index]!;
        const result = await moveCluster(cluster, from.vfs, to.vfs, options, limits, digests, listings);
        options.onProgress?.({ type: 'cluster', cluster, result });
        results[index] = result;
      });
    } finally {
      // Digests recorded before a failure are still true: saved either way.
      await Promise.all([digests.from?.save(), digests.to?.save()]);
    }
    return { from: from.vfs.url, to: to.vfs.url, dryRun: options.dryRun ?? false, clusters: results };
  } finally {
    if (from.owned) await from.vfs.close();
    if (to.owned) await to.vfs.close();
  }
}

/** One cluster's move: what its steps share. */
interface ClusterJob {
  readonly cluster: string;
  readonly configKey: string;
  readonly from: Vfs;
  readonly to: Vfs;
  readonly options: MoveOptions;
  readonly limits: Limits;
  readonly result: ClusterMoveResult;
}

/** What copying a cluster's files learned that writing its config needs. */
interface CopiedFiles {
  /** Every file the source listed, the config included. */
  readonly files: ObjectInfo[];
  readonly config: ReadResult;
  readonly configText: string;
  /** The store URL the source config names (its configBase's store), rewritten to the destination's. */
  readonly oldBase: string;
  /** The destination's files before the move, by key. */
  readonly present: Map<string, ObjectInfo>;
  readonly ctx: TransferContext;
}

/** Moves one cluster: its files, then its config (rewritten), then, if asked, deletes the source. */
async function moveCluster(
  cluster: string,
  from: Vfs,
  to: Vfs,
  options: MoveOptions,
  limits: Limits,
  digests: TransferContext['digests'],
  listings: Listings,
): Promise<ClusterMoveResult> {
  const result = emptyResult(cluster);
  const job: ClusterJob = { cluster, configKey: `${cluster}/config`, from, to, options, limits, result };
  if (options.dryRun) return planCluster(job, listings);
  const copied = await copyClusterFiles(job, digests, listings);
  // The config last: the destination lists the cluster only once everything else is there.
  await writeRewrittenConfig(job, copied);
  if (options.deleteSource) await deleteSourceCluster(job, copied.files);
  return result;
}

function emptyResult(cluster: string): ClusterMoveResult {
  return {
    cluster,
    files: 0,
    copied: 0,
    skipped: 0,
    bytes: 0,
    bytesCopied: 0,
    rewritten: [],
    staleReferences: [],
    sourceDeleted: false,
  };
}

function clusterNotFound(job: ClusterJob): StateStoreError {
  return new StateStoreError('NotFound', `cluster "${job.cluster}" not found in ${job.from.url}`);
}

/** `dryRun`: lists the cluster's files and reports the plan; nothing is read or written. */
async function planCluster(job: ClusterJob, listings: Listings): Promise<ClusterMoveResult> {
  const files: ObjectInfo[] = [];
  for await (const info of listings.source(job.cluster)) files.push(info);
  if (!files.some((info) => info.key === job.configKey)) throw clusterNotFound(job);
  reportPlan(job, files);
  return job.result;
}

function reportPlan(job: ClusterJob, files: readonly ObjectInfo[]): void {
  const { result } = job;
  Object.assign(result, { files: files.length, bytes: files.reduce((sum, info) => sum + info.size, 0) });
  job.options.onProgress?.({ type: 'plan', cluster: job.cluster, files: result.files, bytes: result.bytes });
}

/**
 * Copies every file of the cluster but its config. Three things at once: the source listing, the
 * config (no config, no cluster: nothing is copied) and the destination's listing, which decides
 * what is already there. Copies start once the last two are in, for what was listed so far, then
 * as each source page arrives.
 */
async function copyClusterFiles(
  job: ClusterJob,
  digests: TransferContext['digests'],
  listings: Listings,
): Promise<CopiedFiles> {
  const copies = new TaskGroup(job.limits.files);
  const source = new SourceListing(listings.source(job.cluster), copies);
  const [config, present] = await readConfigAndDestination(job, listings, copies, source);
  const configText = Buffer.from(config.body).toString('utf8');
  const copied: CopiedFiles = {
    files: source.files,
    config,
    configText,
    oldBase: storeBaseOf(configText, job.cluster) ?? job.from.url,
    present,
    // Deferred durability (one sync of the batch instead of one per file) only where the config
    // is written after the files: that durable write makes them durable first. Where the
    // destination already has the config, it may be found identical and not written at all.
    ctx: { ...transferContext(job, digests), ...(present.has(job.configKey) ? {} : { durability: 'deferred' }) },
  };
  source.forEach((info) => {
    if (info.key !== job.configKey) copies.add(() => copyFile(job, copied, info));
  });
  await source.done;
  if (!copies.failed) reportPlan(job, source.files);
  await copies.settle();
  return copied;
}

/** The source's config and the destination's files by key; on failure, stops the listing first. */
async function readConfigAndDestination(
  job: ClusterJob,
  listings: Listings,
  copies: TaskGroup,
  source: SourceListing,
): Promise<[ReadResult, Map<string, ObjectInfo>]> {
  try {
    return await Promise.all([
      job.from.read(job.configKey, { signal: job.options.signal }).catch((err: unknown) => {
        throw isStateStoreError(err, 'NotFound') ? clusterNotFound(job) : err;
      }),
      listings.destination(job.cluster).then((infos) => new Map(infos.map((info) => [info.key, info]))),
    ]);
  } catch (err) {
    copies.fail(err);
    await source.done;
    throw err;
  }
}

function transferContext(job: ClusterJob, digests: TransferContext['digests']): TransferContext {
  const { options } = job;
  return {
    from: job.from,
    to: job.to,
    overwrite: options.overwrite ?? false,
    verify: options.verify ?? true,
    streams: job.limits.streams,
    signal: options.signal,
    digests,
  };
}

/** Copies one file (a generated file naming the old store rewritten, if asked), with retries. */
async function copyFile(job: ClusterJob, copied: CopiedFiles, info: ObjectInfo): Promise<void> {
  const { options } = job;
  const replacement = await generatedReplacement(job, info, copied.oldBase);
  // A stream cut mid-way fails the file whole (nothing partial is visible), so it is safe to
  // send again; a retry asks the destination afresh, as the listing may no longer be true.
  let attempts = 0;
  const action = await withRetry(
    (attempt) => {
      attempts = attempt;
      const listed = attempt === 1 ? (copied.present.get(info.key) ?? null) : undefined;
      return transferFile(copied.ctx, info, replacement, listed);
    },
    { maxAttempts: 3, ...options.retry, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  // Found identical on a retry: an earlier attempt of this move wrote it before failing.
  recordFile(job, info, attempts > 1 ? 'copied' : action, replacement !== undefined);
}

/** Counts a file in the result and reports it to `onProgress`. */
function recordFile(job: ClusterJob, info: ObjectInfo, action: 'copied' | 'skipped', rewritten: boolean): void {
  const { result } = job;
  if (action === 'copied') {
    result.copied += 1;
    result.bytesCopied += info.size;
  } else {
    result.skipped += 1;
  }
  job.options.onProgress?.({
    type: 'file',
    cluster: job.cluster,
    key: info.key,
    bytes: info.size,
    action: rewritten && action === 'copied' ? 'rewritten' : action,
  });
}

/** Writes the config with the store URLs it names (configBase, keyStore, ...) moved to the destination. */
async function writeRewrittenConfig(job: ClusterJob, copied: CopiedFiles): Promise<void> {
  const { configText, oldBase } = copied;
  const parsed = parseYamlDocuments(configText)[0]?.value;
  const { config: moved, rewritten } = rewriteStoreUrls(parsed, oldBase, job.to.url);
  job.result.rewritten = rewritten;
  const values = new Map(rewritten.map((pointer) => [pointer, String(valueAt(moved, pointer))]));
  const newConfig = Buffer.from(replaceScalars(configText, values), 'utf8');
  const configInfo = copied.files.find((info) => info.key === job.configKey) ?? copied.config.info;
  const durable = { ...copied.ctx, durability: 'immediate' as const };
  const action = await transferFile(durable, configInfo, newConfig, copied.present.get(job.configKey) ?? null);
  recordFile(job, configInfo, action, rewritten.length > 0);
}

/**
 * Deletes the cluster at the source, config last: while it exists the source still lists the
 * cluster, so a deletion cut short (abort, crash) is finished by a rerun instead of orphaning
 * secrets and CA keys.
 */
async function deleteSourceCluster(job: ClusterJob, files: readonly ObjectInfo[]): Promise<void> {
  const { from, configKey, options } = job;
  const { signal } = options;
  const others = files.filter((info) => info.key !== configKey);
  await settleAll(others, job.limits.files, (info) => from.delete(info.key, { signal }));
  await from.delete(configKey, { signal });
  job.result.sourceDeleted = true;
}

/** For a generated file naming the old store: the rewritten text (rewriteGenerated) or a stale-reference note. */
async function generatedReplacement(
  job: ClusterJob,
  info: ObjectInfo,
  oldBase: string,
): Promise<Uint8Array | undefined> {
  const { options } = job;
  const relative = info.key.slice(job.cluster.length + 1);
  if (!GENERATED.test(relative) || info.size > MAX_SCANNED_BYTES) return undefined;
  const text = Buffer.from((await job.from.read(info.key, { signal: options.signal })).body).toString('utf8');
  const { text: rewritten, count } = rewriteText(text, oldBase, job.to.url);
  if (count === 0) return undefined;
  if (!options.rewriteGenerated) {
    job.result.staleReferences.push(info.key);
    return undefined;
  }
  return Buffer.from(rewritten, 'utf8');
}

/** The store URL the config names: its configBase without the trailing `/<cluster>`. */
function storeBaseOf(configText: string, cluster: string): string | undefined {
  const value = parseYamlDocuments(configText)[0]?.value;
  const base = isPlainObject(value) && isPlainObject(value.spec) ? value.spec.configBase : undefined;
  if (typeof base !== 'string') return undefined;
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(`/${cluster}`) ? trimmed.slice(0, -cluster.length - 1) : undefined;
}

async function resolve(ref: StoreRef, openOptions: OpenVfsOptions | undefined): Promise<{ vfs: Vfs; owned: boolean }> {
  if (typeof ref === 'string') return { vfs: await openVfs(ref, openOptions), owned: true };
  if ('vfs' in ref && typeof ref.vfs === 'object') return { vfs: ref.vfs, owned: false };
  return { vfs: ref as Vfs, owned: false };
}

function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const segment of parsePointer(pointer)) current = (current as Record<string, unknown> | undefined)?.[segment];
  return current;
}

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
import { perCluster, perStore, type Listings } from './listing.js';
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

async function moveCluster(
  cluster: string,
  from: Vfs,
  to: Vfs,
  options: MoveOptions,
  limits: Limits,
  digests: TransferContext['digests'],
  listings: Listings,
): Promise<ClusterMoveResult> {
  const { signal } = options;
  const configKey = `${cluster}/config`;
  const result: ClusterMoveResult = {
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
  const notFound = () => new StateStoreError('NotFound', `cluster "${cluster}" not found in ${from.url}`);
  if (options.dryRun) {
    const files: ObjectInfo[] = [];
    for await (const info of listings.source(cluster)) files.push(info);
    if (!files.some((info) => info.key === configKey)) throw notFound();
    Object.assign(result, { files: files.length, bytes: files.reduce((sum, info) => sum + info.size, 0) });
    options.onProgress?.({ type: 'plan', cluster, files: result.files, bytes: result.bytes });
    return result;
  }

  // Three things at once: the source listing, the config (no config, no cluster: nothing is
  // copied) and the destination's listing, which decides what is already there. Copies start once
  // the last two are in, for what was listed so far, then as each source page arrives.
  const files: ObjectInfo[] = [];
  const copies = new TaskGroup(limits.files);
  let onListed: ((info: ObjectInfo) => void) | undefined;
  const listing = (async () => {
    for await (const info of listings.source(cluster)) {
      if (copies.failed) return;
      files.push(info);
      onListed?.(info);
    }
  })().catch((err: unknown) => copies.fail(err));
  let config: ReadResult;
  let present: Map<string, ObjectInfo>;
  try {
    [config, present] = await Promise.all([
      from.read(configKey, { signal }).catch((err: unknown) => {
        throw isStateStoreError(err, 'NotFound') ? notFound() : err;
      }),
      listings.destination(cluster).then((infos) => new Map(infos.map((info) => [info.key, info]))),
    ]);
  } catch (err) {
    copies.fail(err);
    await listing;
    throw err;
  }
  const configText = Buffer.from(config.body).toString('utf8');
  const oldBase = storeBaseOf(configText, cluster) ?? from.url;
  const newBase = to.url;
  const ctx: TransferContext = {
    from,
    to,
    overwrite: options.overwrite ?? false,
    verify: options.verify ?? true,
    streams: limits.streams,
    signal,
    digests,
  };
  const record = (info: ObjectInfo, action: 'copied' | 'skipped', rewritten: boolean) => {
    if (action === 'copied') {
      result.copied += 1;
      result.bytesCopied += info.size;
    } else {
      result.skipped += 1;
    }
    options.onProgress?.({
      type: 'file',
      cluster,
      key: info.key,
      bytes: info.size,
      action: rewritten && action === 'copied' ? 'rewritten' : action,
    });
  };
  const copy = (info: ObjectInfo): void => {
    if (info.key === configKey) return;
    copies.add(async () => {
      const replacement = await generatedReplacement(from, info, cluster, oldBase, newBase, options, result);
      // A stream cut mid-way fails the file whole (nothing partial is visible), so it is safe to
      // send again; a retry asks the destination afresh, as the listing may no longer be true.
      let attempts = 0;
      const action = await withRetry(
        (attempt) => {
          attempts = attempt;
          return transferFile(ctx, info, replacement, attempt === 1 ? (present.get(info.key) ?? null) : undefined);
        },
        { maxAttempts: 3, ...options.retry, ...(signal === undefined ? {} : { signal }) },
      );
      // Found identical on a retry: an earlier attempt of this move wrote it before failing.
      record(info, attempts > 1 ? 'copied' : action, replacement !== undefined);
    });
  };
  // Synchronously: no page can arrive between the catch-up and the hand-over.
  files.forEach(copy);
  onListed = copy;
  await listing;
  if (!copies.failed) {
    Object.assign(result, { files: files.length, bytes: files.reduce((sum, info) => sum + info.size, 0) });
    options.onProgress?.({ type: 'plan', cluster, files: result.files, bytes: result.bytes });
  }
  await copies.settle();

  // The config last: the destination lists the cluster only once everything else is there.
  const { config: moved, rewritten } = rewriteStoreUrls(parseYamlDocuments(configText)[0]?.value, oldBase, newBase);
  result.rewritten = rewritten;
  const values = new Map(rewritten.map((pointer) => [pointer, String(valueAt(moved, pointer))]));
  const newConfig = Buffer.from(replaceScalars(configText, values), 'utf8');
  const configInfo = files.find((info) => info.key === configKey) ?? config.info;
  record(
    configInfo,
    await transferFile(ctx, configInfo, newConfig, present.get(configKey) ?? null),
    rewritten.length > 0,
  );

  if (options.deleteSource) {
    // The config last: while it exists the source still lists the cluster, so a deletion cut
    // short (abort, crash) is finished by a rerun instead of orphaning secrets and CA keys.
    await settleAll(
      files.filter((info) => info.key !== configKey),
      limits.files,
      (info) => from.delete(info.key, { signal }),
    );
    await from.delete(configKey, { signal });
    result.sourceDeleted = true;
  }
  return result;
}

/** For a generated file naming the old store: the rewritten text (rewriteGenerated) or a stale-reference note. */
async function generatedReplacement(
  from: Vfs,
  info: ObjectInfo,
  cluster: string,
  oldBase: string,
  newBase: string,
  options: MoveOptions,
  result: ClusterMoveResult,
): Promise<Uint8Array | undefined> {
  const relative = info.key.slice(cluster.length + 1);
  if (!GENERATED.test(relative) || info.size > MAX_SCANNED_BYTES) return undefined;
  const text = Buffer.from((await from.read(info.key, { signal: options.signal })).body).toString('utf8');
  const { text: rewritten, count } = rewriteText(text, oldBase, newBase);
  if (count === 0) return undefined;
  if (!options.rewriteGenerated) {
    result.staleReferences.push(info.key);
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

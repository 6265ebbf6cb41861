import pLimit from 'p-limit';
import { openVfs } from '../backends/registry.js';
import type { OpenVfsOptions } from '../backends/options.js';
import { StateStoreError } from '../vfs/errors.js';
import type { ObjectInfo, Vfs } from '../vfs/types.js';
import { isPlainObject } from '../merge/guard.js';
import { parseYamlDocuments } from '../merge/yaml/parse.js';
import { parsePointer } from '../merge/json-pointer.js';
import { StateStore } from '../store/state-store.js';
import { validateClusterName } from '../store/names.js';
import { replaceScalars, rewriteStoreUrls, rewriteText } from './rewrite.js';
import { transferFile, type TransferContext } from './transfer.js';
import type { ClusterMoveResult, MoveOptions, MoveResult, StoreRef } from './types.js';

/** Generated files that may name the store (kops rewrites them on `kops update cluster --yes`). */
const GENERATED = /^(cluster-completed\.spec|igconfig\/.*|manifests\/.*|addons\/bootstrap-channel\.yaml)$/;
const MAX_SCANNED_BYTES = 4 * 1024 * 1024;

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
  const concurrency = options.concurrency ?? 32;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new StateStoreError('InvalidArgument', 'concurrency must be a positive integer');
  const from = await resolve(options.from, options.openOptions);
  const to = await resolve(options.to, options.openOptions);
  if (from.vfs.url === to.vfs.url) throw new StateStoreError('InvalidArgument', 'the source and the destination are the same store');
  try {
    const clusters = options.clusters ?? (await new StateStore(from.vfs).listClusters({ signal: options.signal }));
    const limit = pLimit(concurrency);
    const results: ClusterMoveResult[] = [];
    for (const cluster of clusters) {
      validateClusterName(cluster);
      const result = await moveCluster(cluster, from.vfs, to.vfs, options, limit);
      options.onProgress?.({ type: 'cluster', cluster, result });
      results.push(result);
    }
    return { from: from.vfs.url, to: to.vfs.url, dryRun: options.dryRun ?? false, clusters: results };
  } finally {
    if (from.owned) await from.vfs.close();
    if (to.owned) await to.vfs.close();
  }
}

async function moveCluster(cluster: string, from: Vfs, to: Vfs, options: MoveOptions, limit: ReturnType<typeof pLimit>): Promise<ClusterMoveResult> {
  const { signal } = options;
  const files: ObjectInfo[] = [];
  for await (const info of from.listAll({ prefix: `${cluster}/`, signal })) files.push(info);
  const configKey = `${cluster}/config`;
  const config = files.find((info) => info.key === configKey);
  if (config === undefined) throw new StateStoreError('NotFound', `cluster "${cluster}" not found in ${from.url}`);
  const bytes = files.reduce((sum, info) => sum + info.size, 0);
  options.onProgress?.({ type: 'plan', cluster, files: files.length, bytes });
  const result: ClusterMoveResult = { cluster, files: files.length, copied: 0, skipped: 0, bytes, bytesCopied: 0, rewritten: [], staleReferences: [], sourceDeleted: false };
  if (options.dryRun) return result;

  const configText = Buffer.from((await from.read(configKey, { signal })).body).toString('utf8');
  const oldBase = storeBaseOf(configText, cluster) ?? from.url;
  const newBase = to.url;
  const ctx: TransferContext = { from, to, overwrite: options.overwrite ?? false, verify: options.verify ?? true, signal };
  const present = new Map<string, ObjectInfo>();
  for await (const info of to.listAll({ prefix: `${cluster}/`, signal })) present.set(info.key, info);
  const record = (info: ObjectInfo, action: 'copied' | 'skipped', rewritten: boolean) => {
    if (action === 'copied') {
      result.copied += 1;
      result.bytesCopied += info.size;
    } else {
      result.skipped += 1;
    }
    options.onProgress?.({ type: 'file', cluster, key: info.key, bytes: info.size, action: rewritten && action === 'copied' ? 'rewritten' : action });
  };

  await settleAll(
    files.filter((info) => info.key !== configKey),
    limit,
    async (info) => {
      const replacement = await generatedReplacement(from, info, cluster, oldBase, newBase, options, result);
      record(info, await transferFile(ctx, info, replacement, present.get(info.key) ?? null), replacement !== undefined);
    },
  );

  // The config last: the destination lists the cluster only once everything else is there.
  const { config: moved, rewritten } = rewriteStoreUrls(parseYamlDocuments(configText)[0]?.value, oldBase, newBase);
  result.rewritten = rewritten;
  const values = new Map(rewritten.map((pointer) => [pointer, String(valueAt(moved, pointer))]));
  const newConfig = Buffer.from(replaceScalars(configText, values), 'utf8');
  record(config, await transferFile(ctx, config, newConfig, present.get(configKey) ?? null), rewritten.length > 0);

  if (options.deleteSource) {
    await from.delete(configKey, { signal });
    await settleAll(files.filter((info) => info.key !== configKey), limit, (info) => from.delete(info.key, { signal }));
    result.sourceDeleted = true;
  }
  return result;
}

/** For a generated file naming the old store: the rewritten text (rewriteGenerated) or a stale-reference note. */
async function generatedReplacement(from: Vfs, info: ObjectInfo, cluster: string, oldBase: string, newBase: string, options: MoveOptions, result: ClusterMoveResult): Promise<Uint8Array | undefined> {
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

/**
 * Runs `task` for every item at the limiter's concurrency. After the first failure no new task
 * starts, and the failure is thrown only once the tasks in flight have finished, so nothing of
 * this call is still writing when the caller sees the error (and, say, reruns the move).
 */
async function settleAll<T>(items: readonly T[], limit: ReturnType<typeof pLimit>, task: (item: T) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (failure !== undefined) return;
        try {
          await task(item);
        } catch (error) {
          failure ??= { error };
        }
      }),
    ),
  );
  if (failure !== undefined) throw failure.error;
}

import { isStateStoreError, StateStoreError } from '../errors.js';
import type { Vfs } from '../vfs/types.js';
import { isKnownClusterFile, layout } from './layout.js';
import { containsStore, type StoreLocation } from './locations.js';
import { historyPrefix } from './history/keys.js';

/** Options of {@link deleteClusterState}. */
export interface DeleteClusterStateOptions {
  /** Delete files kops does not write, too. */
  force?: boolean;
  /** Single files kops removes first (the discovery store's OIDC documents), each `{ vfs, key }`. */
  files?: ReadonlyArray<{ vfs: Vfs; key: string }>;
  signal?: AbortSignal;
}

/**
 * Deletes a cluster as kops's VFSClientset.DeleteCluster does (kops:
 * pkg/client/simple/vfsclientset/clientset.go): first the discovery store's two OIDC documents
 * (`files`), then the separate secret store, then the separate
 * key store (unless it is the same URL), each entirely; then the cluster's own folder, which must
 * hold only files kops writes (DeleteAllClusterState) unless `force`. Everything is checked
 * before anything is deleted, and the separate stores go before `config`, so a rerun after an
 * interruption still finds them through the config.
 *
 * `separate` are the configured key and secret stores (those with `configured` set). A separate
 * store that would contain this whole store, or another cluster's folder, is refused: kops would
 * delete it, but that deletes far more than one cluster.
 */
export async function deleteClusterState(
  vfs: Vfs,
  cluster: string,
  separate: readonly StoreLocation[],
  options: DeleteClusterStateOptions = {},
): Promise<{ deleted: number }> {
  const { signal } = options;
  const prefix = layout.clusterPrefix(cluster);
  const keys = await listKeys(vfs, prefix, signal);
  if (keys.length === 0) throw new StateStoreError('NotFound', `cluster "${cluster}" not found`);
  const stores = uniqueByUrl(separate);
  for (const store of stores) await assertDeletable(vfs, cluster, store, signal);
  // Files of a separate store inside the cluster's folder are deleted with that store, not judged as unknown.
  const inSeparate = (key: string) =>
    stores.some((store) => store.vfs === vfs && store.prefix !== '' && key.startsWith(store.prefix));
  const unknown = keys.filter((key) => !inSeparate(key) && !isKnownClusterFile(key.slice(prefix.length)));
  if (unknown.length > 0 && !options.force) {
    throw new StateStoreError(
      'PreconditionFailed',
      `refusing to delete cluster "${cluster}": it holds files kops does not write (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', ...' : ''}); pass force: true to delete them too`,
    );
  }
  const deleted = new Set<string>();
  let count = 0;
  for (const file of options.files ?? []) {
    await file.vfs.delete(file.key, { signal });
    if (file.vfs === vfs) deleted.add(file.key);
  }
  for (const store of stores) {
    for (const key of await listKeys(store.vfs, store.prefix, signal)) {
      await store.vfs.delete(key, { signal });
      count++;
      if (store.vfs === vfs) deleted.add(key);
    }
  }
  const config = layout.config(cluster);
  if (keys.includes(config)) await vfs.delete(config, { signal });
  for (const key of keys) if (key !== config && !deleted.has(key)) await vfs.delete(key, { signal });
  // A write that raced this deletion may have recorded its history entry after the listing above;
  // with `config` gone it can record no more (history/record.ts), so one more listing catches it,
  // and a new cluster of this name never inherits it.
  const late = (await listKeys(vfs, historyPrefix(cluster), signal)).filter((key) => !keys.includes(key));
  for (const key of late) await deleteIfPresent(vfs, key, signal);
  return { deleted: count + keys.filter((key) => !deleted.has(key)).length + late.length };
}

// kops: a key store equal to the secret store is deleted once.
function uniqueByUrl(stores: readonly StoreLocation[]): StoreLocation[] {
  const seen = new Set<string>();
  return stores.filter((store) => {
    const id = `${store.vfs.url}\n${store.prefix}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

async function assertDeletable(vfs: Vfs, cluster: string, store: StoreLocation, signal?: AbortSignal): Promise<void> {
  const refuse = (why: string) =>
    new StateStoreError(
      'PreconditionFailed',
      `refusing to delete cluster "${cluster}": its ${JSON.stringify(store.configured ?? store.prefix)} store ${why}`,
    );
  if (store.vfs !== vfs) {
    if (containsStore(store.vfs.url, vfs.url)) throw refuse('contains this whole state store');
    return;
  }
  if (store.prefix === '') throw refuse('is this whole state store');
  const top = store.prefix.slice(0, store.prefix.indexOf('/'));
  if (top !== cluster && store.prefix === `${top}/`) {
    const other = await vfs.stat(layout.config(top), { signal }).then(
      () => true,
      (err: unknown) => (isStateStoreError(err, 'NotFound') ? false : Promise.reject(err)),
    );
    if (other) throw refuse(`is the folder of cluster "${top}"`);
  }
}

async function deleteIfPresent(vfs: Vfs, key: string, signal?: AbortSignal): Promise<void> {
  await vfs.delete(key, { signal }).catch((err: unknown) => {
    if (!isStateStoreError(err, 'NotFound')) throw err;
  });
}

async function listKeys(vfs: Vfs, prefix: string, signal?: AbortSignal): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of vfs.listAll({ ...(prefix === '' ? {} : { prefix }), signal })) keys.push(info.key);
  return keys;
}

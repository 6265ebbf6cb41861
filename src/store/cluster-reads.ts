/** Listings and plain-text reads of a store's clusters (`listClusters`, `listInstanceGroups`, `getKopsVersion`). */
import { isStateStoreError, StateStoreError } from '../errors.js';
import type { Vfs } from '../vfs/types.js';
import { layout } from './layout.js';
import { validateClusterName } from './names.js';
import { readCapped } from './capped-read.js';

/** See `StateStore.listClusters`: one delimiter listing, then a `stat` of each folder's `config`. */
export async function listClusters(vfs: Vfs, signal?: AbortSignal): Promise<string[]> {
  const prefixes: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await vfs.list({ delimiter: '/', pageToken, signal });
    for (const prefix of page.prefixes) prefixes.push(prefix.slice(0, -1));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  const present = await Promise.all(
    prefixes.map((name) =>
      vfs.stat(layout.config(name), { signal }).then(
        () => true,
        (err: unknown) => {
          if (isStateStoreError(err, 'NotFound') || isStateStoreError(err, 'InvalidArgument')) return false;
          throw err;
        },
      ),
    ),
  );
  return prefixes.filter((_, i) => present[i]);
}

/** See `StateStore.listInstanceGroups`. */
export async function listInstanceGroups(vfs: Vfs, cluster: string, signal?: AbortSignal): Promise<string[]> {
  validateClusterName(cluster);
  // A typo in the cluster name is NotFound, not "no instance groups" (issue #14.9).
  await vfs.stat(layout.config(cluster), { signal }).catch((err: unknown) => {
    throw isStateStoreError(err, 'NotFound')
      ? new StateStoreError('NotFound', `cluster "${cluster}" not found`, { key: layout.config(cluster), cause: err })
      : err;
  });
  const prefix = layout.instanceGroups(cluster);
  const names: string[] = [];
  for await (const info of vfs.listAll({ prefix, signal })) names.push(info.key.slice(prefix.length));
  return names;
}

/**
 * See `StateStore.getKopsVersion` (kops: pkg/model/config.go writes the bare version,
 * cmd/kops/version.go reads it).
 */
export async function getKopsVersion(vfs: Vfs, name: string, signal?: AbortSignal): Promise<string> {
  validateClusterName(name);
  const key = layout.kopsVersion(name);
  const read = await readCapped(vfs, key, { signal }).catch((err: unknown) => {
    if (isStateStoreError(err, 'NotFound'))
      throw new StateStoreError(
        'NotFound',
        `cluster "${name}" has no kops-version.txt (kops update cluster writes it)`,
        {
          key,
          cause: err,
        },
      );
    throw err;
  });
  return Buffer.from(read.body).toString('utf8').trim();
}

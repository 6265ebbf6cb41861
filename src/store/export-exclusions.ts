/**
 * What a plain copy of a cluster's folder must leave out (`statestore export`, issue #25.3; a
 * caller's own mirror or git export): every place the config puts secrets or private keys,
 * wherever it points, the live lease, and etcd backups.
 */
import { isPlainObject } from '../config/guard.js';
import { isLeaseKey } from './lease/document.js';
import { configuredStoreUrl, prefixInside } from './locations.js';

/** Why a file is left out. */
export type ExportExclusionReason = 'secrets' | 'private keys' | 'lease' | 'etcd backups';

/** A folder of the cluster (relative to `{cluster}/`, ending in `/`; `''` is all of it) left out, and why. */
export interface ExportExclusion {
  /** The folder, relative to `{cluster}/`, ending in `/` (`''`: the whole cluster folder). */
  folder: string;
  /** What it holds. */
  reason: ExportExclusionReason;
  /** Paths below `folder` that are kept all the same (etcd-manager's `control/` files). */
  keep?: RegExp;
}

/**
 * etcd-manager keeps, in each backup store, its `control/` files (the etcd cluster's spec, which
 * it reads to start: no secret) beside the snapshots (`{timestamp}/etcd.backup.gz`, every
 * Kubernetes Secret in clear). Only the snapshots are left out. kops's default backup store is
 * `{configBase}/backups/etcd/{etcd cluster}`.
 */
const ETCD_CONTROL = /^control\//;
const DEFAULT_ETCD_CONTROL = /^[^/]+\/control\//;

/**
 * The store-relative `location` (a folder ending in `/`) as seen from the cluster's folder: the
 * part of it inside, `''` when it holds the whole cluster folder, undefined when apart.
 */
function withinCluster(location: string, cluster: string): string | undefined {
  const own = `${cluster}/`;
  if (location.startsWith(own)) return location.slice(own.length);
  if (own.startsWith(location)) return '';
  return undefined;
}

/** The folder `url` names inside the store, or undefined (outside, or a URL no store reads). */
function insideStore(storeUrl: string, url: string): string | undefined {
  try {
    return prefixInside(storeUrl, url);
  } catch {
    return undefined; // not a URL of this store: its files cannot be in the cluster's folder
  }
}

/** Every etcd backup store the config names (`spec.etcdClusters[].backups.backupStore`). */
function backupStores(config: unknown): string[] {
  const spec = isPlainObject(config) && isPlainObject(config.spec) ? config.spec : undefined;
  const clusters = Array.isArray(spec?.etcdClusters) ? spec.etcdClusters : [];
  return clusters.flatMap((etcd: unknown) => {
    const store = isPlainObject(etcd) && isPlainObject(etcd.backups) ? etcd.backups.backupStore : undefined;
    return typeof store === 'string' && store !== '' ? [store] : [];
  });
}

/**
 * The folders to leave out: kops's defaults (`secrets/`, `pki/private/`, `backups/etcd/`, where
 * etcd-manager keeps its snapshots under the config base, `control/` files apart) and whatever
 * the config names instead or besides (`spec.secretStore` whole, `{spec.keyStore}/private/`, each
 * etcd `backupStore`), each only where it lies in the cluster's folder (elsewhere it is not
 * copied anyway). A location holding the whole cluster folder leaves everything out.
 * `includeEtcdBackups` keeps the etcd snapshots.
 *
 * @example
 * A plain copy of one cluster's folder without its secrets, private keys, lease or etcd backups:
 * ```ts
 * import { exportExclusionOf, exportExclusions, openStateStore, parseYaml } from 'kops-statestore';
 *
 * const store = await openStateStore('s3://state');
 * const config = parseYaml(Buffer.from((await store.vfs.read('prod.example.com/config')).body).toString());
 * const exclusions = exportExclusions(store.vfs.url, 'prod.example.com', config);
 * for await (const object of store.vfs.listAll({ prefix: 'prod.example.com/' })) {
 *   if (exportExclusionOf(object.key, 'prod.example.com', exclusions) === undefined) console.log(object.key);
 * }
 * ```
 */
export function exportExclusions(
  storeUrl: string,
  cluster: string,
  config: unknown,
  includeEtcdBackups = false,
): ExportExclusion[] {
  const located: Array<[string | undefined, ExportExclusionReason, RegExp?]> = [
    [`${cluster}/secrets/`, 'secrets'],
    [`${cluster}/pki/private/`, 'private keys'],
  ];
  const secrets = configuredStoreUrl(config, 'secrets');
  if (secrets !== undefined) located.push([insideStore(storeUrl, secrets), 'secrets']);
  const keys = configuredStoreUrl(config, 'keypairs');
  const keyFolder = keys === undefined ? undefined : insideStore(storeUrl, keys);
  if (keyFolder !== undefined) located.push([`${keyFolder}private/`, 'private keys']);
  if (!includeEtcdBackups) {
    located.push([`${cluster}/backups/etcd/`, 'etcd backups', DEFAULT_ETCD_CONTROL]);
    for (const url of backupStores(config)) located.push([insideStore(storeUrl, url), 'etcd backups', ETCD_CONTROL]);
  }
  return located.flatMap(([location, reason, keep]) => {
    const folder = location === undefined ? undefined : withinCluster(location, cluster);
    if (folder === undefined) return [];
    // A backup store holding the whole cluster folder keeps no control file apart: all of it goes.
    return [keep === undefined || folder === '' ? { folder, reason } : { folder, reason, keep }];
  });
}

/** Why `key` (a file of the cluster's folder) is left out of an export, or undefined to copy it. */
export function exportExclusionOf(
  key: string,
  cluster: string,
  exclusions: readonly ExportExclusion[],
): ExportExclusionReason | undefined {
  if (isLeaseKey(key)) return 'lease';
  const relative = key.slice(cluster.length + 1);
  return exclusions.find(
    ({ folder, keep }) => relative.startsWith(folder) && !(keep?.test(relative.slice(folder.length)) ?? false),
  )?.reason;
}

/**
 * Two rules of kops's own code, applied to a list of store keys, to prove that files statestore
 * adds under a cluster neither stop kops from deleting the cluster nor look like clusters to it.
 */

/**
 * kops's DeleteAllClusterState (pkg/client/simple/vfsclientset/clientset.go): it lists every
 * file under `{cluster}/` and refuses ("refusing to delete: unknown file found") unless each
 * relative path is `config`, `cluster.spec`, `cluster-completed.spec`, `kops-version.txt`
 * (registry.PathKopsVersionUpdated) or starts with `addons/`, `clusteraddons/`, `pki/`,
 * `secrets/`, `instancegroup/`, `igconfig/`, `manifests/` or `backups/`. Returns the refused keys.
 */
export function kopsDeleteRefuses(cluster: string, keys: readonly string[]): string[] {
  const exact = new Set(['config', 'cluster.spec', 'cluster-completed.spec', 'kops-version.txt']);
  const prefixes = [
    'addons/',
    'clusteraddons/',
    'pki/',
    'secrets/',
    'instancegroup/',
    'igconfig/',
    'manifests/',
    'backups/',
  ];
  return keys
    .filter((key) => key.startsWith(`${cluster}/`))
    .map((key) => key.slice(cluster.length + 1))
    .filter((relative) => relative !== '' && !exact.has(relative) && !prefixes.some((p) => relative.startsWith(p)));
}

/**
 * kops's cluster listing, `ClusterVFS.listNames` (pkg/client/simple/vfsclientset/cluster.go):
 * every key of the store ending in `/config` names a cluster, the path before it.
 */
export function kopsClusterNames(keys: readonly string[]): string[] {
  return keys.filter((key) => key.endsWith('/config')).map((key) => key.slice(0, -'/config'.length));
}

/**
 * Where kops keeps things under `{store}/{cluster}/` (see kops's `pkg/client/simple/vfsclientset`
 * and `upup/pkg/fi/vfs_castore.go`). Names are validated before they get here.
 */
export const layout = {
  clusterPrefix: (cluster: string) => `${cluster}/`,
  config: (cluster: string) => `${cluster}/config`,
  instanceGroups: (cluster: string) => `${cluster}/instancegroup/`,
  instanceGroup: (cluster: string, name: string) => `${cluster}/instancegroup/${name}`,
  privateKeyset: (cluster: string, id: string) => `${cluster}/pki/private/${id}/keyset.yaml`,
  issuedKeyset: (cluster: string, id: string) => `${cluster}/pki/issued/${id}/keyset.yaml`,
  privateKeysets: (cluster: string) => `${cluster}/pki/private/`,
  issuedKeysets: (cluster: string) => `${cluster}/pki/issued/`,
  sshPublicKeys: (cluster: string) => `${cluster}/pki/ssh/public/admin/`,
  secrets: (cluster: string) => `${cluster}/secrets/`,
  secret: (cluster: string, name: string) => `${cluster}/secrets/${name}`,
  // kops: pkg/apis/kops/registry/registry.go (PathClusterCompleted, PathKopsVersionUpdated)
  clusterCompleted: (cluster: string) => `${cluster}/cluster-completed.spec`,
  kopsVersion: (cluster: string) => `${cluster}/kops-version.txt`,
};

/**
 * What kops itself writes under a cluster. `deleteCluster` refuses to delete anything else unless
 * forced, as kops's DeleteAllClusterState does: an unknown file may be someone's data.
 */
const KNOWN_FILES = new Set(['config', 'cluster.spec', 'cluster-completed.spec', 'kops-version.txt']);
const KNOWN_FOLDERS = [
  'instancegroup/',
  'pki/',
  'secrets/',
  'addons/',
  'manifests/',
  'igconfig/',
  'backups/',
  'clusteraddons/',
  'serviceaccount/',
  'discovery/',
];

export function isKnownClusterFile(relative: string): boolean {
  return KNOWN_FILES.has(relative) || KNOWN_FOLDERS.some((folder) => relative.startsWith(folder));
}

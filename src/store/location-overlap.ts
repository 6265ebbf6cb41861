/**
 * A cluster's secret and key stores must not overlap its own documents (issue #25.4): a config
 * whose `spec.secretStore` names its `instancegroup/` folder makes `putSecret` replace an
 * instance group, and the secret then reaches the history. kops does not check this (its
 * validation, pkg/apis/kops/validation/validation.go:1611-1664, only requires an azureblob://
 * store to use configStore.base's account), but nor does it ever write such a config: its
 * defaults are `{configBase}/secrets` and `{configBase}/pki`
 * (upup/pkg/fi/cloudup/populate_cluster_spec.go:178-211, vfsclientset/clientset.go:94-138), which
 * are accepted here, as is any location outside the cluster's documents.
 */
import { StateStoreError, type ValidationIssue } from '../errors.js';
import { isKnownClusterFile } from './layout.js';
import { configuredStoreUrl, containsStore, prefixInside, type SeparateStoreKind } from './locations.js';

const KINDS: ReadonlyArray<{ kind: SeparateStoreKind; field: string; folder: string; other: string }> = [
  { kind: 'secrets', field: 'secretStore', folder: 'secrets', other: 'pki' },
  { kind: 'keypairs', field: 'keyStore', folder: 'pki', other: 'secrets' },
];

/** The effective URL of one kind's store: the one the config names, else kops's default in the cluster's folder. */
function effectiveUrl(storeUrl: string, cluster: string, config: unknown, kind: (typeof KINDS)[number]) {
  const configured = configuredStoreUrl(config, kind.kind);
  return { configured, url: configured ?? `${storeUrl.replace(/\/+$/, '')}/${cluster}/${kind.folder}` };
}

/** The JSON Pointer of the field a config names a store in (either spelling, as configuredStoreUrl reads it). */
function pointerOf(config: unknown, kind: (typeof KINDS)[number]): string {
  const spec = (config as { spec?: { configStore?: Record<string, unknown> } }).spec;
  const nested = spec?.configStore?.[kind.kind];
  return nested !== undefined && nested !== '' ? `/spec/configStore/${kind.kind}` : `/spec/${kind.field}`;
}

/**
 * What a location inside the state store at `prefix` (relative to its root, ending in `/`)
 * overlaps, or undefined: the whole store, the cluster's whole folder, or one of a cluster's own
 * documents (config, instance groups, history / lease / etcd backups under backups/, ...), or the
 * other kind's default folder (secrets among keys, keys among secrets).
 */
function overlapInside(prefix: string, cluster: string, otherFolder: string): string | undefined {
  if (prefix === '') return 'the whole state store';
  const [folder, first] = prefix.split('/');
  // A top-level folder of its own (`{store}/vault/`) is fine; another cluster's whole folder is
  // refused where it matters, by deleteCluster (it cannot be told from a vault without I/O).
  if (first === '') return folder === cluster ? `the whole folder of cluster "${folder}"` : undefined;
  if (first === otherFolder) return `${folder}/${first}/`;
  if (first !== 'secrets' && first !== 'pki' && (isKnownClusterFile(first!) || isKnownClusterFile(`${first}/`)))
    return `${folder}/${first}${isKnownClusterFile(first!) ? '' : '/'}`;
  return undefined;
}

function overlaps(a: string, b: string): boolean {
  try {
    return containsStore(a, b) || containsStore(b, a);
  } catch {
    return false; // an unparsable URL: refused where it is opened, with its own message
  }
}

/**
 * Every way the config's secret and key stores overlap the cluster's own documents, the store's
 * root, another cluster's folder or each other, as ValidationIssues at the field naming them.
 */
export function separateStoreIssues(storeUrl: string, cluster: string, config: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const [secrets, keys] = KINDS.map((kind) => ({ kind, ...effectiveUrl(storeUrl, cluster, config, kind) }));
  for (const { kind, configured } of [secrets!, keys!]) {
    if (configured === undefined) continue;
    let inside: string | undefined;
    try {
      inside = prefixInside(storeUrl, configured);
    } catch {
      continue; // refused where it is opened, with its own message
    }
    const overlap =
      inside !== undefined
        ? overlapInside(inside, cluster, kind.other)
        : overlaps(configured, storeUrl)
          ? 'the whole state store'
          : undefined;
    if (overlap !== undefined)
      issues.push({
        path: pointerOf(config, kind),
        message: `${configured} overlaps ${overlap}; a ${kind.field} must not share a folder with the cluster's own documents (kops's default is {configBase}/${kind.folder})`,
      });
  }
  if ((secrets!.configured !== undefined || keys!.configured !== undefined) && overlaps(secrets!.url, keys!.url))
    issues.push({
      path: pointerOf(config, secrets!.configured !== undefined ? secrets!.kind : keys!.kind),
      message: `the secret store ${secrets!.url} and the key store ${keys!.url} overlap; they must be separate folders`,
    });
  return issues;
}

/** Throws ValidationError (nothing written or read) when {@link separateStoreIssues} finds any. */
export function assertSeparateStoresApart(storeUrl: string, cluster: string, config: unknown): void {
  const issues = separateStoreIssues(storeUrl, cluster, config);
  if (issues.length === 0) return;
  throw new StateStoreError(
    'ValidationError',
    `cluster "${cluster}": ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues, key: `${cluster}/config` },
  );
}

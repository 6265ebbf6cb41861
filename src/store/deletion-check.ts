/**
 * Deleting instance groups (`deleteInstanceGroup`, `apply --prune`) is refused when the cluster it
 * leaves is one kops refuses and the cluster it started from was not (config/validate/group-deletion.ts):
 * the only control-plane group, the last node group, the last group, a group an etcd member lives in.
 */
import { isStateStoreError, StateStoreError, type ValidationIssue } from '../errors.js';
import type { Vfs } from '../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/types.generated.js';
import { errorsOnly } from '../config/validate/kops.js';
import { instanceGroupDeletionIssues } from '../config/validate/group-deletion.js';
import { listInstanceGroups } from './cluster-reads.js';
import { readDocument } from './documents.js';
import { layout } from './layout.js';

/**
 * A stored document, or undefined where there is none or it is no document kops reads (invalid
 * YAML, too large, another kind: a damaged store must not stop its repair): such a cluster or
 * group is left out of the check.
 */
async function readIfValid<T>(
  vfs: Vfs,
  key: string,
  what: string,
  kind: 'Cluster' | 'InstanceGroup',
  signal?: AbortSignal,
) {
  return readDocument<T>(vfs, key, what, signal, kind).then(
    (stored) => stored.value,
    (err: unknown) => {
      const unreadable = isStateStoreError(err, 'ValidationError') || isStateStoreError(err, 'InvalidArgument');
      if (isStateStoreError(err, 'NotFound') || unreadable) return undefined;
      throw err;
    },
  );
}

/** The cluster's config as {@link readIfValid} reads it (rollback's cross rules of an instance group). */
export function readClusterIfValid(
  vfs: Vfs,
  cluster: string,
  signal?: AbortSignal,
): Promise<ClusterConfig | undefined> {
  return readIfValid<ClusterConfig>(vfs, layout.config(cluster), `cluster "${cluster}"`, 'Cluster', signal);
}

/** The named groups as {@link readIfValid} reads them, in order (undefined: absent or unreadable). */
export function readInstanceGroupsIfValid(
  vfs: Vfs,
  cluster: string,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<(InstanceGroupConfig | undefined)[]> {
  return Promise.all(
    names.map((n) =>
      readIfValid<InstanceGroupConfig>(
        vfs,
        layout.instanceGroup(cluster, n),
        `instance group "${n}"`,
        'InstanceGroup',
        signal,
      ),
    ),
  );
}

/** Throws ValidationError naming each issue of deleting `deleted` (names) from the cluster's groups. */
export function assertDeletionAllowed(
  cluster: string,
  config: unknown,
  before: readonly unknown[],
  after: readonly unknown[],
  deleted: readonly string[],
): void {
  const issues: ValidationIssue[] = errorsOnly(instanceGroupDeletionIssues(config, before, after));
  if (issues.length === 0) return;
  const groups = deleted.map((name) => `"${name}"`).join(', ');
  const shown = issues.map((issue) => issue.message).join('; ');
  throw new StateStoreError(
    'ValidationError',
    `cannot delete instance group${deleted.length > 1 ? 's' : ''} ${groups} of cluster "${cluster}": ${shown}`,
    { issues, key: layout.config(cluster) },
  );
}

/** Reads the cluster and its groups, then {@link assertDeletionAllowed} for deleting `name`. */
export async function checkInstanceGroupDeletion(
  vfs: Vfs,
  cluster: string,
  name: string,
  signal?: AbortSignal,
): Promise<void> {
  const what = `cluster "${cluster}"`;
  const config = await readIfValid<ClusterConfig>(vfs, layout.config(cluster), what, 'Cluster', signal);
  if (config === undefined) return;
  const names = await listInstanceGroups(vfs, cluster, signal);
  if (!names.includes(name)) return;
  const read = await readInstanceGroupsIfValid(vfs, cluster, names, signal);
  const before = read.filter((group) => group !== undefined);
  const after = read.filter((group, i) => group !== undefined && names[i] !== name);
  assertDeletionAllowed(cluster, config, before, after, [name]);
}

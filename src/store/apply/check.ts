/**
 * The validation of an apply, before anything is written. A new cluster is checked as
 * `createCluster` checks one: every rule. An existing cluster is checked as the other writes check
 * a change (`putConfig`, `putInstanceGroup`, kops.ts `validateClusterChange`): the schema and our own
 * rules in full, kops's rules refusing only the violations the applied documents add to the stored
 * ones, so a store that already breaks a rule can still be applied unchanged, or with an unrelated fix.
 */
import type { ValidationIssue } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../../config/schema/types.generated.js';
import { assertSafeValue } from '../../config/guard.js';
import {
  throwIfErrors,
  validateClusterChange,
  validateClusterWithInstanceGroups,
  validateInstanceGroupChange,
} from '../../config/validate/kops.js';
import type { SkippedRule } from '../../config/validate/kops-validation/source.js';
import { checkClusterDocuments } from '../cluster-writes.js';
import type { StoredDocument } from '../documents.js';
import { assertSeparateStoresApart } from '../location-overlap.js';
import { validateClusterName, validateClusterNameForConfig, validateInstanceGroupName } from '../names.js';

/** What is stored of the cluster (`readCurrent`): no config when there is no cluster yet. */
export interface StoredCluster {
  config?: StoredDocument<ClusterConfig>;
  groups: Map<string, StoredDocument<InstanceGroupConfig>>;
}

/**
 * Throws ValidationError when the cluster the apply leaves (`config`, the `groups` applied, plus the
 * stored groups `kept`: none with prune) breaks a rule the stored one did not; a new cluster: any rule.
 * The rules not run are added to `skipped`.
 */
export function checkApplied(
  vfs: Vfs,
  cluster: string,
  desired: { config: ClusterConfig; groups: readonly InstanceGroupConfig[]; kept: readonly InstanceGroupConfig[] },
  current: StoredCluster,
  skipped: SkippedRule[],
): void {
  const { config, groups, kept } = desired;
  const stored = current.config?.value;
  if (stored === undefined) return checkClusterDocuments(vfs, cluster, config, groups, kept, { skipped });
  validateClusterName(cluster);
  assertSafeValue(config);
  // Also kops's ValidateClusterUpdate (an etcd cluster removed), new violations only as well.
  throwIfErrors(validateClusterChange(stored, config, { skipped }), 'Cluster');
  assertSeparateStoresApart(vfs.url, cluster, config);
  validateClusterNameForConfig(cluster, config);
  for (const group of groups) {
    assertSafeValue(group);
    const name = group.metadata?.name;
    throwIfErrors(validateInstanceGroupChange(current.groups.get(name ?? '')?.value, group), 'InstanceGroup');
    validateInstanceGroupName(name);
  }
  const storedGroups = [...current.groups.values()].map((group) => group.value);
  const after = validateClusterWithInstanceGroups(config, [...groups, ...kept], { skipped });
  throwIfErrors(
    crossIssuesAdded(after, [...groups, ...kept], () => storedCrossKeys(stored, config, storedGroups)),
    'Cluster',
  );
}

/**
 * The identity of an issue of the cross rules across versions of the cluster: the instance group by
 * name (its index in the list may differ), the field, and kops's rule (whose message quotes values);
 * our own rules (no source) by their message, which names what they concern.
 */
function crossKey(issue: ValidationIssue, groups: readonly InstanceGroupConfig[]): string {
  const rule = issue.source ?? issue.message;
  const inGroup = /^\/instanceGroups\/(\d+)(\/.*)?$/.exec(issue.path);
  if (inGroup === null) return `${issue.path} ${rule}`;
  const name = groups[Number(inGroup[1])]?.metadata?.name ?? '';
  return `${JSON.stringify(name)}${inGroup[2] ?? ''} ${rule}`;
}

/**
 * The cross issues the stored groups already have, both with the stored config and with the one
 * applied: what `putInstanceGroup` (whose baseline is the stored group with the config applied) also
 * lets pass, so an apply checked here is never refused halfway through its writes.
 */
function storedCrossKeys(
  stored: ClusterConfig,
  config: ClusterConfig,
  groups: readonly InstanceGroupConfig[],
): Set<string> {
  const keys = (withConfig: ClusterConfig) =>
    new Set(validateClusterWithInstanceGroups(withConfig, groups).map((issue) => crossKey(issue, groups)));
  const before = keys(stored);
  const withApplied = keys(config);
  return new Set([...before].filter((key) => withApplied.has(key)));
}

/** The issues of `after` whose key `before` (run only when there are any) lacks. */
function crossIssuesAdded(
  after: ValidationIssue[],
  groups: readonly InstanceGroupConfig[],
  before: () => Set<string>,
): ValidationIssue[] {
  if (after.length === 0) return [];
  const known = before();
  return after.filter((issue) => !known.has(crossKey(issue, groups)));
}

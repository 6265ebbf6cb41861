/**
 * A write of a cluster's `config` re-checks the stored instance groups against the new config, as
 * kops does before it writes a changed cluster: `kops edit cluster` (cmd/kops/edit_cluster.go:272)
 * and `kops set`/`unset cluster` (pkg/commands/helpers_readwrite.go:49) run `DeepValidate`, which
 * runs `CrossValidateInstanceGroup` on every group (pkg/apis/kops/validation/legacy.go:299). So a
 * subnet a group still names cannot be removed, nor the cluster changed so a group breaks kops's rules.
 */
import type { ValidationIssue } from '../errors.js';
import { throwIfErrors } from '../config/validate/kops.js';
import type { Vfs } from '../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/types.generated.js';
import { isPlainObject, jsonEqual } from '../config/guard.js';
import { kopsCrossOnlyFindings, type KopsFinding } from '../config/validate/kops-validation/index.js';
import { readInstanceGroupsIfValid } from './deletion-check.js';
import { layout } from './layout.js';

/** A stored instance group and its name (the key's, which kops's create keeps equal to metadata.name). */
export interface StoredGroup {
  name: string;
  value: InstanceGroupConfig;
}

/** The cluster's stored groups kops can read (unreadable ones are left out: a damaged store stays repairable). */
export async function readStoredGroups(vfs: Vfs, cluster: string, signal?: AbortSignal): Promise<StoredGroup[]> {
  const prefix = layout.instanceGroups(cluster);
  const names: string[] = [];
  for await (const info of vfs.listAll({ prefix, signal })) names.push(info.key.slice(prefix.length));
  const values = await readInstanceGroupsIfValid(vfs, cluster, names, signal);
  const groups: StoredGroup[] = [];
  values.forEach((value, i) => {
    if (value !== undefined) groups.push({ name: names[i]!, value });
  });
  return groups;
}

/**
 * What of a v1alpha2 Cluster the cross rules read (kops-validation/: instancegroup.go:256-319 through
 * getCloudProvider, usesNoneDNS, the subnets, validateControlPlaneInstanceGroup's etcd members,
 * Karpenter's feature gates, the AWS warm pool; legacy.go's DeepValidate volumes; gce.go), named as
 * the stored document names them (spec.ts moves `subnets`, `topology` and the CIDRs under `networking`).
 */
const CROSS_RULE_SPEC_FIELDS = [
  'cloudProvider',
  'subnets',
  'topology',
  'networking',
  'etcdClusters',
  'karpenter',
  'networkCIDR',
  'networkCIDRs',
  'nonMasqueradeCIDR',
  'podCIDR',
  'serviceClusterIPRange',
  'tagSubnets',
  'networkID',
] as const;

/**
 * Whether `after` changes anything the cross rules read: when not, the stored groups give the same
 * findings under both, and a cluster write need not read them (an unrelated change costs no I/O).
 */
export function touchesCrossRuleFields(before: ClusterConfig | undefined, after: ClusterConfig): boolean {
  if (before === undefined) return true;
  // The `alpha.kops.k8s.io/cloud: metal` label makes the cloud "metal" (helpers.ts getCloudProvider).
  if (!jsonEqual(before.metadata?.labels, after.metadata?.labels)) return true;
  const was: Record<string, unknown> = before.spec ?? {};
  const is: Record<string, unknown> = after.spec ?? {};
  return CROSS_RULE_SPEC_FIELDS.some((field) => !jsonEqual(was[field], is[field]));
}

// aws.go's rules asking EC2 (a group's machine type, image) run without facts here and are not
// listed as skipped: they read the group, not the cluster, and its own writes report them.
function findings(groups: readonly StoredGroup[], config: unknown): KopsFinding[][] {
  if (!isPlainObject(config) || !isPlainObject(config.spec)) return groups.map(() => []);
  return kopsCrossOnlyFindings(
    groups.map((g) => g.value),
    config,
  );
}

/**
 * The violations of kops's cross rules (CrossValidateInstanceGroup, instancegroup.go:256-319, and
 * aws.go's group rules) that `after` adds to the stored groups, compared with `before` (undefined:
 * a new config, all count). A group already breaking a rule under `before` stays writable around.
 * Each issue's `path` points into the group's document; its message starts with the group's name.
 */
export function crossGroupIssuesAdded(
  groups: readonly StoredGroup[],
  before: unknown,
  after: unknown,
): ValidationIssue[] {
  const now = findings(groups, after);
  if (now.every((list) => list.length === 0)) return [];
  const then = before === undefined ? undefined : findings(groups, before);
  const issues: ValidationIssue[] = [];
  now.forEach((list, g) => {
    const known = new Set((then?.[g] ?? []).map((f) => f.key));
    for (const { key, issue } of list)
      if (!known.has(key)) issues.push({ ...issue, message: `instance group "${groups[g]!.name}": ${issue.message}` });
  });
  return issues;
}

/** Throws ValidationError when `after` breaks a cross rule for a stored group that `before` did not. */
export function assertGroupsStillValid(
  cluster: string,
  groups: readonly StoredGroup[],
  before: ClusterConfig | undefined,
  after: ClusterConfig,
): void {
  throwIfErrors(crossGroupIssuesAdded(groups, before, after), `Cluster "${cluster}" for its instance groups`);
}

/**
 * The check of a write of `after` over the stored config `before` (putConfig, a config's rollback):
 * the stored groups are read, and refused as {@link assertGroupsStillValid}, only when the change
 * touches what the cross rules read. A stored config that is not a mapping counts as none (all count).
 */
export async function assertStoredGroupsStillValid(
  vfs: Vfs,
  cluster: string,
  before: unknown,
  after: ClusterConfig,
  signal?: AbortSignal,
): Promise<void> {
  const stored = isPlainObject(before) ? (before as ClusterConfig) : undefined;
  if (!touchesCrossRuleFields(stored, after)) return;
  assertGroupsStillValid(cluster, await readStoredGroups(vfs, cluster, signal), stored, after);
}

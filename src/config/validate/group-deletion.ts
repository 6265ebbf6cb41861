/**
 * What kops refuses once instance groups are gone, for a deletion (`deleteInstanceGroup`, `apply
 * --prune`): kops's `delete instancegroup` refuses to delete the only control-plane group
 * (cmd/kops/delete_instancegroup.go:165, @268927e); `update cluster` then refuses a cluster with
 * no group, no control-plane group or no other group (DeepValidate, legacy.go:277, 291, 295) and
 * an etcd member whose instance group is gone (pkg/model/master_volumes.go:79). As at every
 * write, only what the deletion adds is refused: a cluster that already had no node group may
 * still lose another group.
 */
import type { ValidationIssue } from '../../errors.js';
import { isPlainObject } from '../guard.js';
import { errorString, notFound } from './field/errors.js';
import { FieldPath } from './field/path.js';
import { deepValidateGroupCounts } from './kops-validation/legacy.js';
import { internalInstanceGroup, type View } from './kops-validation/spec.js';
import { kopsSource } from './kops-validation/source.js';

/** The path of the issues about the cluster's set of groups (kops's errors there name no field). */
const GROUPS_PATH = '/instanceGroups';

const nameOf = (g: View) => g.get('metadata', 'name').str();
const isControlPlane = (g: View) => g.get('spec', 'role').str() === 'ControlPlane';

/**
 * The issues of a cluster whose instance groups go from `before` to `after` (stored documents):
 * the groups in `before` that `after` does not name are the deleted ones. Paths: `/instanceGroups`
 * for the group counts, `/spec/etcdClusters/...` into the Cluster for an etcd member.
 */
export function instanceGroupDeletionIssues(
  cluster: unknown,
  before: readonly unknown[],
  after: readonly unknown[],
): ValidationIssue[] {
  const was = before.map(internalInstanceGroup);
  const now = after.map(internalInstanceGroup);
  const kept = new Set(now.map(nameOf));
  const deleted = was.filter((g) => !kept.has(nameOf(g)));
  if (deleted.length === 0) return [];
  const issues: ValidationIssue[] = [];
  const onlyControlPlane = deleted.some(isControlPlane) && !now.some(isControlPlane);
  if (onlyControlPlane)
    issues.push({
      path: GROUPS_PATH,
      message: 'cannot delete the only control plane instance group',
      source: kopsSource('delete_instancegroup.go:165'),
    });
  const counts = deepValidateGroupCounts(now);
  const already = deepValidateGroupCounts(was);
  // legacy.go:291 says what delete_instancegroup.go:165 said already.
  const repeated = onlyControlPlane && counts?.rule === 'legacy.go:291';
  if (counts !== undefined && counts.rule !== already?.rule && !repeated)
    issues.push({ path: GROUPS_PATH, message: counts.message, source: kopsSource(counts.rule) });
  for (const issue of etcdMembersOfDeleted(cluster, new Set(deleted.map(nameOf)))) issues.push(issue);
  return issues;
}

/** master_volumes.go:79: each etcd member's instance group must exist. */
function etcdMembersOfDeleted(cluster: unknown, deleted: ReadonlySet<string>): ValidationIssue[] {
  const spec = isPlainObject(cluster) && isPlainObject(cluster.spec) ? cluster.spec : {};
  const etcdClusters = Array.isArray(spec.etcdClusters) ? spec.etcdClusters : [];
  const issues: ValidationIssue[] = [];
  etcdClusters.forEach((etcd: unknown, c) => {
    if (!isPlainObject(etcd) || !Array.isArray(etcd.etcdMembers)) return;
    etcd.etcdMembers.forEach((member: unknown, m) => {
      if (!isPlainObject(member) || typeof member.instanceGroup !== 'string' || !deleted.has(member.instanceGroup))
        return;
      const field = FieldPath.of('spec', 'etcdClusters').index(c).child('etcdMembers').index(m).child('instanceGroup');
      const detail = `InstanceGroup not found (for etcd ${String(member.name)}/${String(etcd.name)})`;
      const error = { ...notFound(field, member.instanceGroup, 'master_volumes.go:79'), detail };
      const path = `/spec/etcdClusters/${c}/etcdMembers/${m}/instanceGroup`;
      issues.push({ path, message: errorString(error), source: kopsSource(error.rule) });
    });
  });
  return issues;
}

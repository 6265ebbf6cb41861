// kops pkg/apis/kops/validation/cluster.go (@268927e, Apache-2.0, Copyright The Kubernetes
// Authors): ValidateClusterUpdate's own rules, old -> new, over the internal views of spec.ts.
// ValidateClusterUpdate starts with legacy.go's ValidateCluster (not ported; newValidateCluster,
// which it calls, runs at every write anyway). The rules gated on the etcd clusters' status (83,
// 86, 118: only once kops has created the etcd cluster) take that status as a fact
// (`createdEtcdClusters`, kops: `FindClusterStatus` asks the cloud for the etcd volumes) and are
// skipped without it. validateCloudLabels (129) is in instancegroup-rules.ts.
// Rules (error constructors): 6 of 8 here; 67 and 114 ("name cannot be changed") cannot fire:
// kops pairs old and new by that very name. 142 and 154 are ported with validateCloudLabels.
import { append, forbidden, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { validateCloudLabels } from './instancegroup-rules.js';
import type { View } from './spec.js';
import { noteSkipped, type SkippedRule } from './source.js';

/** What kops knows of the cluster from the cloud (kops's `ClusterStatus`). */
export interface ClusterStatusFacts {
  /** The etcd clusters kops has created (their volumes exist). */
  createdEtcdClusters?: readonly string[];
}

/** The rules kops runs only on an etcd cluster it has created, and why they are skipped without that fact. */
const ETCD_STATUS_RULES = ['cluster.go:83', 'cluster.go:86', 'cluster.go:118'];
const NO_ETCD_STATUS =
  "needs the etcd clusters kops has created (createdEtcdClusters; kops: FindClusterStatus, the cloud's etcd volumes)";

const byName = (list: View): Map<string, View> => new Map(list.list().map((item) => [item.get('name').str(), item]));

// kops cluster.go:29 ValidateClusterUpdate (its own rules: ValidateCluster runs apart)
export function validateClusterUpdate(
  obj: View,
  old: View,
  status: ClusterStatusFacts | undefined,
  skipped?: SkippedRule[],
): ErrorList {
  const allErrs: ErrorList = [];
  const newClusters = byName(obj.get('spec', 'etcdClusters'));
  const oldClusters = byName(old.get('spec', 'etcdClusters'));
  for (const [k, newCluster] of newClusters) {
    const fp = FieldPath.of('spec', 'etcdClusters').key(k);
    const oldCluster = oldClusters.get(k);
    if (oldCluster !== undefined)
      append(allErrs, validateEtcdClusterUpdate(fp, newCluster, status, oldCluster, skipped));
  }
  for (const k of oldClusters.keys()) {
    if (!newClusters.has(k))
      allErrs.push(
        forbidden(FieldPath.of('spec', 'etcdClusters').key(k), 'EtcdClusters cannot be removed', 'cluster.go:53'),
      );
  }
  append(allErrs, validateClusterCloudLabels(obj, FieldPath.of('spec', 'cloudLabels')));
  return allErrs;
}

// kops cluster.go:63 validateEtcdClusterUpdate
export function validateEtcdClusterUpdate(
  fp: FieldPath,
  obj: View,
  status: ClusterStatusFacts | undefined,
  old: View,
  skipped?: SkippedRule[],
): ErrorList {
  const allErrs: ErrorList = [];
  if (status?.createdEtcdClusters === undefined) noteSkipped(skipped, ETCD_STATUS_RULES, NO_ETCD_STATUS);
  // cluster.go:66-68: kops pairs the clusters by name, so the names never differ here.
  const created = status?.createdEtcdClusters?.includes(obj.get('name').str()) === true;
  // If the etcd cluster has been created (i.e. if we have status) then we can't support some changes
  if (!created) return allErrs;
  const image = obj.get('image').str();
  if (image !== old.get('image').str())
    allErrs.push(
      forbidden(fp.child('image'), 'image can only be set when creating a new etcd cluster', 'cluster.go:83'),
    );
  if (image !== '' && obj.get('version').str() !== old.get('version').str())
    allErrs.push(forbidden(fp.child('version'), 'version cannot be changed when image is set', 'cluster.go:86'));
  const oldMembers = byName(old.get('etcdMembers'));
  for (const [k, newMember] of byName(obj.get('etcdMembers'))) {
    const oldMember = oldMembers.get(k);
    if (oldMember !== undefined)
      append(allErrs, validateEtcdMemberUpdate(fp.child('etcdMembers').key(k), newMember, oldMember));
  }
  return allErrs;
}

// kops cluster.go:110 validateEtcdMemberUpdate (its name check, 113-115, cannot fire: paired by name)
function validateEtcdMemberUpdate(fp: FieldPath, obj: View, old: View): ErrorList {
  if (obj.get('instanceGroup').str() === old.get('instanceGroup').str()) return [];
  return [forbidden(fp.child('instanceGroup'), 'instanceGroup cannot be changed', 'cluster.go:118')];
}

// kops cluster.go:124 validateClusterCloudLabels
export function validateClusterCloudLabels(cluster: View, fldPath: FieldPath): ErrorList {
  const labels = cluster.get('spec', 'cloudLabels');
  return labels.present
    ? validateCloudLabels(
        labels.entries().map(([key]) => key),
        fldPath,
      )
    : [];
}

// kops pkg/apis/kops/validation/gce.go (@268927e, Apache-2.0, Copyright The Kubernetes Authors),
// over the internal views of spec.ts. Rules (error constructors and IsValidValue calls): 3 of 3.
// kops runs gceValidateInstanceGroup only with a cloud at hand (instancegroup.go:189-190: `kops
// edit ig`, `create ig`, `update cluster`), never on the clientset's writes; it asks that cloud
// nothing, so it runs here where the cluster is known and is on GCE (index.ts, the cross rules).
import { append, invalid, required, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { isValidValue } from './helpers.js';
import type { View } from './spec.js';

// kops gce.go:25 gceValidateCluster
export function gceValidateCluster(c: View): ErrorList {
  const allErrs: ErrorList = [];
  const fieldSpec = FieldPath.of('spec');
  c.get('spec', 'networking', 'subnets')
    .list()
    .forEach((subnet, i) => {
      const f = fieldSpec.child('networking', 'subnets').index(i);
      const zone = subnet.get('zone').str();
      if (zone !== '') {
        const detail = 'zones should not be specified for GCE subnets, as GCE subnets are regional';
        allErrs.push(invalid(f.child('zone'), zone, detail, 'gce.go:33'));
      }
    });
  return allErrs;
}

// kops gce.go:40 gceValidateInstanceGroup (its cloud argument unused)
export function gceValidateInstanceGroup(ig: View): ErrorList {
  const allErrs: ErrorList = [];
  const model = ig.get('spec', 'gcpProvisioningModel').optStr();
  append(allErrs, isValidValue(FieldPath.of('spec', 'gcpProvisioningModel'), model, ['STANDARD', 'SPOT'], 'gce.go:45'));
  if (ig.get('spec', 'zones').length === 0)
    allErrs.push(required(FieldPath.of('spec', 'zones'), 'zones should be specified', 'gce.go:49'));
  return allErrs;
}

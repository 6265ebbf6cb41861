// kops pkg/apis/kops/validation/linode.go (@268927e, Apache-2.0, Copyright The Kubernetes
// Authors), over the internal views of spec.ts. Rules (error constructors): 1 of 1.
import { invalid, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import type { View } from './spec.js';

// kops linode.go:24 linodeValidateCluster
export function linodeValidateCluster(c: View): ErrorList {
  const clusterName = c.get('metadata', 'name').str();
  // Go's len counts bytes.
  if (new TextEncoder().encode(clusterName).length <= 32) return [];
  const detail = 'cluster name must be no more than 32 characters long';
  return [invalid(FieldPath.of('objectMeta', 'name'), clusterName, detail, 'linode.go:29')];
}

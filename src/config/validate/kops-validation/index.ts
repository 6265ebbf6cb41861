/**
 * kops's validation (pkg/apis/kops/validation, @268927e) over stored v1alpha2 documents: the
 * errors kops reports, as {@link ValidationIssue}s whose `path` points into the stored document
 * and whose `message` is kops's own error text.
 */
import type { ValidationIssue } from '../../../errors.js';
import { clusterSchema, instanceGroupSchema } from '../../schema/schemas.generated.js';
import type { JsonSchema } from '../../schema/json-schema.js';
import { didYouMean } from '../did-you-mean.js';
import { errorString, type ErrorList, type FieldError } from '../field/errors.js';
import { crossInstanceGroupRules, crossValidateInstanceGroup, validateInstanceGroup } from './instancegroup.js';
import { internalCluster, internalInstanceGroup, storedPointer } from './spec.js';
import { newValidateCluster } from './validation.js';

/** kops's `newValidateCluster` errors for a stored Cluster (`strict`: as for a completed spec). */
export function kopsClusterErrors(doc: unknown, strict = false): ErrorList {
  return newValidateCluster(internalCluster(doc), strict);
}

/** The errors as issues: JSON Pointer into the stored document, kops's message. */
export function kopsClusterIssues(doc: unknown, strict = false): ValidationIssue[] {
  return kopsClusterErrors(doc, strict).map((e) => toIssue(e, clusterSchema));
}

/** kops's `ValidateInstanceGroup` issues for a stored InstanceGroup (no cloud: aws.go / gce.go not ported). */
export function kopsInstanceGroupIssues(group: unknown, strict = false): ValidationIssue[] {
  return validateInstanceGroup(internalInstanceGroup(group), strict).map((e) => toIssue(e, instanceGroupSchema));
}

/**
 * kops's `CrossValidateInstanceGroup` issues for a stored InstanceGroup of a stored Cluster:
 * ValidateInstanceGroup's and those needing the cluster.
 */
export function kopsCrossInstanceGroupIssues(group: unknown, cluster: unknown, strict = false): ValidationIssue[] {
  const errors = crossValidateInstanceGroup(internalInstanceGroup(group), internalCluster(cluster), strict);
  return errors.map((e) => toIssue(e, instanceGroupSchema));
}

/** Only the rules of CrossValidateInstanceGroup that need the cluster (instancegroup.go:256-319). */
export function kopsCrossOnlyIssues(group: unknown, cluster: unknown): ValidationIssue[] {
  const errors = crossInstanceGroupRules(internalInstanceGroup(group), internalCluster(cluster));
  return errors.map((e) => toIssue(e, instanceGroupSchema));
}

function toIssue(e: FieldError, schema: JsonSchema): ValidationIssue {
  const issue: ValidationIssue = { path: storedPointer(e.field, schema), message: errorString(e) };
  const suggestion =
    e.type === 'NotSupported' && typeof e.badValue === 'string' && e.valid !== undefined
      ? didYouMean(e.badValue, e.valid)
      : undefined;
  return suggestion === undefined ? issue : { ...issue, didYouMean: suggestion };
}

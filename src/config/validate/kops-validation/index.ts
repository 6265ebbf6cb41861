/**
 * kops's validation (pkg/apis/kops/validation, @268927e) over stored v1alpha2 documents: the
 * errors kops reports, as {@link ValidationIssue}s whose `path` points into the stored document
 * and whose `message` is kops's own error text.
 */
import type { ValidationIssue } from '../../../errors.js';
import { clusterSchema } from '../../schema/schemas.generated.js';
import type { JsonSchema } from '../../schema/json-schema.js';
import { didYouMean } from '../did-you-mean.js';
import { errorString, type ErrorList, type FieldError } from '../field/errors.js';
import { internalCluster, storedPointer } from './spec.js';
import { newValidateCluster } from './validation.js';

/** kops's `newValidateCluster` errors for a stored Cluster (`strict`: as for a completed spec). */
export function kopsClusterErrors(doc: unknown, strict = false): ErrorList {
  return newValidateCluster(internalCluster(doc), strict);
}

/** The errors as issues: JSON Pointer into the stored document, kops's message. */
export function kopsClusterIssues(doc: unknown, strict = false): ValidationIssue[] {
  return kopsClusterErrors(doc, strict).map((e) => toIssue(e, clusterSchema));
}

function toIssue(e: FieldError, schema: JsonSchema): ValidationIssue {
  const issue: ValidationIssue = { path: storedPointer(e.field, schema), message: errorString(e) };
  const suggestion =
    e.type === 'NotSupported' && typeof e.badValue === 'string' && e.valid !== undefined
      ? didYouMean(e.badValue, e.valid)
      : undefined;
  return suggestion === undefined ? issue : { ...issue, didYouMean: suggestion };
}

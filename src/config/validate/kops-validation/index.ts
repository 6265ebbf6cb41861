/**
 * kops's validation (pkg/apis/kops/validation, @268927e) over stored v1alpha2 documents: the
 * errors kops reports, as {@link ValidationIssue}s whose `path` points into the stored document
 * and whose `message` is kops's own error text.
 */
import type { ValidationIssue } from '../../../errors.js';
import { clusterSchema, instanceGroupSchema } from '../../schema/schemas.generated.js';
import type { JsonSchema } from '../../schema/json-schema.js';
import { didYouMean } from '../did-you-mean.js';
import { append, errorString, type ErrorList, type FieldError } from '../field/errors.js';
import { validateClusterUpdate, type ClusterStatusFacts } from './cluster.js';
import { crossInstanceGroupRules, crossValidateInstanceGroup, validateInstanceGroup } from './instancegroup.js';
import { internalCluster, internalInstanceGroup, storedPointer } from './spec.js';
import { groupRulesWithCloud, validateCluster } from './legacy.js';
import { kopsSource, type SkippedRule } from './source.js';
import { awsLookupFromFacts, type CloudValidateOptions } from './cloud-facts.js';

/** kops's `ValidateCluster` (legacy.go) errors for a stored Cluster (`strict`: as for a completed spec). */
export function kopsClusterErrors(doc: unknown, strict = false): ErrorList {
  // kops runs it at every write (vfsclientset/cluster.go:102, cluster.go:30); it calls newValidateCluster.
  return validateCluster(internalCluster(doc), strict);
}

/**
 * One of kops's errors as an issue, and its identity across versions of a document: the kops
 * rule and the field (not the message, which quotes values: a violation that stays where it was
 * is the same one after an unrelated change).
 */
export interface KopsFinding {
  issue: ValidationIssue;
  key: string;
}

/** The errors as issues: JSON Pointer into the stored document, kops's message. */
export function kopsClusterFindings(doc: unknown, strict = false): KopsFinding[] {
  return kopsClusterErrors(doc, strict).map((e) => toFinding(e, clusterSchema));
}

/** kops's `ValidateInstanceGroup` for a stored InstanceGroup, as kops runs it without a cloud (aws.go's and gce.go's group rules run with the cross rules). */
export function kopsInstanceGroupFindings(group: unknown, strict = false): KopsFinding[] {
  return validateInstanceGroup(internalInstanceGroup(group), strict).map((e) => toFinding(e, instanceGroupSchema));
}

/**
 * Only the rules of CrossValidateInstanceGroup that need the cluster (instancegroup.go:256-319,
 * and aws.go's group rules on an AWS cluster), for each group: the cluster is read as kops's
 * internal API once for all of them.
 */
export function kopsCrossOnlyFindings(
  groups: readonly unknown[],
  cluster: unknown,
  options: CloudValidateOptions = {},
): KopsFinding[][] {
  const internal = internalCluster(cluster);
  const aws = options.cloudFacts === undefined ? undefined : awsLookupFromFacts(options.cloudFacts);
  return groups.map((group) => {
    const g = internalInstanceGroup(group);
    const errors = append(crossInstanceGroupRules(g, internal, aws, options.skipped), groupRulesWithCloud(g, internal));
    return errors.map((e) => toFinding(e, instanceGroupSchema));
  });
}

/** kops's `ValidateClusterUpdate` rules of its own (cluster.go), `before` -> `after`. */
export function kopsClusterUpdateFindings(
  before: unknown,
  after: unknown,
  status?: ClusterStatusFacts,
  skipped?: SkippedRule[],
): KopsFinding[] {
  return validateClusterUpdate(internalCluster(after), internalCluster(before), status, skipped).map((e) =>
    toFinding(e, clusterSchema),
  );
}

/** {@link kopsClusterFindings}' issues. */
export function kopsClusterIssues(doc: unknown, strict = false): ValidationIssue[] {
  return kopsClusterFindings(doc, strict).map((f) => f.issue);
}

/** {@link kopsInstanceGroupFindings}' issues. */
export function kopsInstanceGroupIssues(group: unknown, strict = false): ValidationIssue[] {
  return kopsInstanceGroupFindings(group, strict).map((f) => f.issue);
}

/** kops's whole `CrossValidateInstanceGroup` for a stored InstanceGroup of a stored Cluster. */
export function kopsCrossInstanceGroupIssues(group: unknown, cluster: unknown, strict = false): ValidationIssue[] {
  const errors = crossValidateInstanceGroup(internalInstanceGroup(group), internalCluster(cluster), strict);
  return errors.map((e) => toFinding(e, instanceGroupSchema).issue);
}

function toFinding(e: FieldError, schema: JsonSchema): KopsFinding {
  const issue: ValidationIssue = {
    path: storedPointer(e.field, schema),
    message: errorString(e),
    source: kopsSource(e.rule),
  };
  const suggestion =
    e.type === 'NotSupported' && typeof e.badValue === 'string' && e.valid !== undefined
      ? didYouMean(e.badValue, e.valid)
      : undefined;
  return {
    issue: suggestion === undefined ? issue : { ...issue, didYouMean: suggestion },
    key: `${e.rule} ${e.field.toString()}`,
  };
}

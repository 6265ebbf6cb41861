import { StateStoreError, type ValidationIssue } from '../../errors.js';
import { isPlainObject } from '../guard.js';
import { clusterSchema, instanceGroupSchema } from '../schema/schemas.generated.js';
import type { ClusterConfig, InstanceGroupConfig } from '../schema/types.generated.js';
import { apiVersionProblem } from '../yaml/api-version.js';
import { controlCharacterIssues } from './characters.js';
import type { ClusterStatusFacts } from './kops-validation/cluster.js';
import type { CloudValidateOptions } from './kops-validation/cloud-facts.js';
import type { SkippedRule } from './kops-validation/source.js';
import {
  kopsClusterFindings,
  kopsClusterUpdateFindings,
  kopsCrossOnlyFindings,
  kopsInstanceGroupFindings,
  type KopsFinding,
} from './kops-validation/index.js';
import { SchemaValidator } from './schema-validator.js';

const validators = {
  cluster: new SchemaValidator(clusterSchema, 'Cluster'),
  clusterStrict: new SchemaValidator(clusterSchema, 'Cluster', true),
  instanceGroup: new SchemaValidator(instanceGroupSchema, 'InstanceGroup'),
  instanceGroupStrict: new SchemaValidator(instanceGroupSchema, 'InstanceGroup', true),
};

/** Options of the validators. */
export interface ValidateOptions {
  /**
   * Every unknown field is an error. By default only an unknown field that resembles a known one
   * (a likely typo) is an error; others are warnings, because kops ignores them.
   */
  strict?: boolean;
}

/**
 * Checks a Cluster against kops's v1alpha2 schema and the cross-field rules kops enforces
 * (unique subnet names, unique etcd cluster names, unique member names per etcd cluster), and
 * that no key or string holds a control character kops's YAML reader refuses (or NEL, U+2028,
 * U+2029, line breaks to it): see characters.ts. Returns every problem; an empty list means valid.
 *
 * @example
 * ```ts
 * import { validateClusterConfig } from 'kops-statestore';
 *
 * const issues = validateClusterConfig({
 *   apiVersion: 'kops.k8s.io/v1alpha2',
 *   kind: 'Cluster',
 *   spec: { kubernetesVersoin: '1.30.0' },
 * });
 * // [{ path: '/spec/kubernetesVersoin', didYouMean: 'kubernetesVersion',
 * //    message: 'unknown field "kubernetesVersoin" in Cluster; did you mean "kubernetesVersion"?' }]
 * ```
 */
export function validateClusterConfig(config: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  return [...clusterIssues(config, options), ...kopsIssues(config).map((f) => f.issue)];
}

/** kops's own rules (kops-validation/): only on a Cluster whose spec is a map. */
function kopsIssues(config: unknown): KopsFinding[] {
  return isPlainObject(config) && isPlainObject(config.spec) ? kopsClusterFindings(config) : [];
}

/**
 * What `after` finds that `before` did not: the same kops rule at the same field is the same
 * violation. `before` is only run when `after` finds something (the usual change finds nothing).
 */
function added(before: (() => KopsFinding[]) | undefined, after: KopsFinding[]): ValidationIssue[] {
  if (after.length === 0) return [];
  const known = new Set((before?.() ?? []).map((f) => f.key));
  return after.filter((f) => !known.has(f.key)).map((f) => f.issue);
}

/**
 * Validates a Cluster that replaces `before` (undefined: a new one). kops's rules refuse only the
 * violations the change introduces: one `before` already had (the same kops rule at the same
 * field, whatever the values) stays, so a stored cluster that kops would refuse can still be fixed one edit
 * at a time. The schema and our own rules apply in full, as before. With `skipped`, the update rules
 * not run without `createdEtcdClusters` are listed there (see {@link validateClusterUpdate}).
 */
export function validateClusterChange(
  before: unknown,
  after: unknown,
  options: ValidateOptions & ClusterStatusFacts & Pick<CloudValidateOptions, 'skipped'> = {},
): ValidationIssue[] {
  const previous = before === undefined ? undefined : () => kopsIssues(before);
  return [
    ...clusterIssues(after, options),
    ...added(previous, kopsIssues(after)),
    ...(before === undefined ? [] : updateIssues(before, after, options)),
  ];
}

/**
 * kops's `ValidateClusterUpdate` rules (kops-validation/cluster.ts), `before` -> `after`: an etcd
 * cluster removed; with `createdEtcdClusters` (which etcd clusters kops has created, a cloud fact),
 * an etcd image changed, a version changed under an image, a member moved to another instance
 * group. Without that fact those three are skipped, and listed in `skipped` when it is given.
 * Reserved cloud labels `before` already had stay.
 *
 * @example
 * ```ts
 * import { validateClusterUpdate } from 'kops-statestore';
 * declare const stored: unknown, edited: unknown;
 *
 * for (const issue of validateClusterUpdate(stored, edited, { createdEtcdClusters: ['main', 'events'] }))
 *   console.log(issue.path, issue.message); // e.g. /spec/etcdClusters spec.etcdClusters[events]: Forbidden: EtcdClusters cannot be removed
 * ```
 */
export function validateClusterUpdate(
  before: unknown,
  after: unknown,
  facts: ClusterStatusFacts & Pick<CloudValidateOptions, 'skipped'> = {},
): ValidationIssue[] {
  return isPlainObject(before) && isPlainObject(after) ? updateIssues(before, after, facts) : [];
}

function updateIssues(
  before: unknown,
  after: unknown,
  facts: ClusterStatusFacts & Pick<CloudValidateOptions, 'skipped'>,
): ValidationIssue[] {
  if (!isPlainObject(after) || !isPlainObject(after.spec)) return [];
  const status = { createdEtcdClusters: facts.createdEtcdClusters };
  return added(
    () => kopsClusterUpdateFindings(before, before, status),
    kopsClusterUpdateFindings(before, after, status, facts.skipped),
  );
}

/**
 * The violations of kops's rules (kops-validation/) that `after` adds to `before` (undefined: a
 * new document), and nothing else: what a rollback, which writes a recorded version back
 * without the schema checks, must not introduce.
 */
export function kopsIssuesAdded(kind: 'Cluster' | 'InstanceGroup', before: unknown, after: unknown): ValidationIssue[] {
  const rules = kind === 'Cluster' ? kopsIssues : kopsGroupIssues;
  const issues = added(before === undefined ? undefined : () => rules(before), rules(after));
  // A rollback is an update too: kops's ValidateClusterUpdate (an etcd cluster may not go).
  if (kind === 'Cluster' && before !== undefined)
    for (const issue of updateIssues(before, after, {})) issues.push(issue);
  return issues;
}

/** {@link validateClusterChange}, throwing ValidationError when there is an error. */
export function assertValidClusterChange(
  before: unknown,
  after: unknown,
  options?: ValidateOptions & ClusterStatusFacts & Pick<CloudValidateOptions, 'skipped'>,
): void {
  throwIfErrors(validateClusterChange(before, after, options), 'Cluster');
}

/** The schema and the hand-written cross-field rules. */
function clusterIssues(config: unknown, options: ValidateOptions): ValidationIssue[] {
  if (!isPlainObject(config)) return kindIssues(config, 'Cluster');
  const issues = [
    ...kindIssues(config, 'Cluster'),
    ...(options.strict ? validators.clusterStrict : validators.cluster).issues(config),
    ...controlCharacterIssues(config),
  ];
  if (!isPlainObject(config.spec)) return issues;
  const spec = config.spec;
  // Subnet names and types: kops's own rules, validation.go:645 and 744 (kops-validation/).
  for (const issue of uniqueNames(spec.etcdClusters, '/spec/etcdClusters', 'etcd cluster')) issues.push(issue);
  if (Array.isArray(spec.etcdClusters)) {
    spec.etcdClusters.forEach((cluster, index) => {
      if (!isPlainObject(cluster)) return;
      const path = `/spec/etcdClusters/${index}/etcdMembers`;
      for (const issue of uniqueNames(cluster.etcdMembers, path, 'etcd member')) issues.push(issue);
    });
  }
  return issues;
}

/**
 * Checks an InstanceGroup against kops's v1alpha2 schema and kops's `ValidateInstanceGroup`
 * (kops-validation/instancegroup.ts), as kops runs it without a cloud: aws.go's group rules need
 * the cluster's cloud and come with {@link validateClusterWithInstanceGroups}.
 */
export function validateInstanceGroup(group: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  return [...groupIssues(group, options), ...kopsGroupIssues(group).map((f) => f.issue)];
}

/**
 * Validates an InstanceGroup that replaces `before` (undefined: a new one), refusing only the
 * kops violations the change adds, as {@link validateClusterChange} does. With `cluster`, the
 * rules of kops's `CrossValidateInstanceGroup` that need the cluster apply too, the same way
 * (aws.go's rules asking EC2 not run without facts are listed in `skipped`, when given).
 */
export function validateInstanceGroupChange(
  before: unknown,
  after: unknown,
  options: ValidateOptions & { cluster?: unknown } & Pick<CloudValidateOptions, 'skipped'> = {},
): ValidationIssue[] {
  const kops = (group: unknown, skipped?: SkippedRule[]) => [
    ...kopsGroupIssues(group),
    ...(options.cluster !== undefined && isPlainObject(group)
      ? kopsCrossOnlyFindings([group], options.cluster, { skipped })[0]!
      : []),
  ];
  return [
    ...groupIssues(after, options),
    ...added(before === undefined ? undefined : () => kops(before), kops(after, options.skipped)),
  ];
}

/** {@link validateInstanceGroupChange}, throwing ValidationError when there is an error. */
export function assertValidInstanceGroupChange(
  before: unknown,
  after: unknown,
  options?: ValidateOptions & { cluster?: unknown } & Pick<CloudValidateOptions, 'skipped'>,
): void {
  throwIfErrors(validateInstanceGroupChange(before, after, options), 'InstanceGroup');
}

function kopsGroupIssues(group: unknown): KopsFinding[] {
  return isPlainObject(group) && isPlainObject(group.spec) ? kopsInstanceGroupFindings(group) : [];
}

/** The schema's issues (the role is kops's own rule now: instancegroup.go:81). */
function groupIssues(group: unknown, options: ValidateOptions): ValidationIssue[] {
  if (!isPlainObject(group)) return kindIssues(group, 'InstanceGroup');
  return [
    ...kindIssues(group, 'InstanceGroup'),
    ...(options.strict ? validators.instanceGroupStrict : validators.instanceGroup).issues(group),
    ...controlCharacterIssues(group),
  ];
}

/**
 * The rules kops checks on a cluster together with its instance groups: instance group names
 * are unique, each etcd member's `instanceGroup` exists (ours), and the rules of kops's
 * `CrossValidateInstanceGroup` that need the cluster (kops-validation/instancegroup.ts: each
 * subnet a group names is one of the cluster's, a control-plane group has a member in every etcd
 * cluster, warm pools, Karpenter groups, containerd; on AWS, aws.go's group rules, some at paths
 * kops starts with the group's name; on GCE, gce.go's zones and provisioning model; DeepValidate's
 * volumes only on AWS). Paths into instance groups read
 * `/instanceGroups/{index}/...`, the index in `groups`. aws.go's six rules asking EC2 run with
 * `cloudFacts` (for the machine types and images it describes); the rules not run are listed in
 * `skipped`, when given.
 *
 * @example
 * ```ts
 * import { parseClusterDocuments, validateClusterConfig, validateClusterWithInstanceGroups, type SkippedRule } from 'kops-statestore';
 * declare const text: string; // a Cluster and its InstanceGroups, `---`-separated
 *
 * const { cluster, instanceGroups } = parseClusterDocuments(text);
 * const issues = [...validateClusterConfig(cluster), ...validateClusterWithInstanceGroups(cluster, instanceGroups)];
 *
 * // With what EC2 would answer, aws.go's rules on machine types and images run too:
 * const skipped: SkippedRule[] = [];
 * validateClusterWithInstanceGroups(cluster, instanceGroups, {
 *   cloudFacts: { machineTypes: { 'm6g.large': { architectures: ['arm64'] } }, images: {} },
 *   skipped, // e.g. { source: 'pkg/apis/kops/validation/aws.go:236', reason: 'needs EC2\'s ResolveImage of image "..." ...' }
 * });
 * ```
 */
export function validateClusterWithInstanceGroups(
  config: ClusterConfig,
  groups: readonly InstanceGroupConfig[],
  options: CloudValidateOptions = {},
): ValidationIssue[] {
  const groupNames = groups.map((group) => group.metadata?.name);
  const issues = uniqueNames(
    groups.map((group) => ({ name: group.metadata?.name })),
    '/instanceGroups',
    'instance group',
    '/metadata/name',
  );
  (config.spec?.etcdClusters ?? []).forEach((cluster, c) => {
    (cluster.etcdMembers ?? []).forEach((member, m) => {
      if (member.instanceGroup !== undefined && !groupNames.includes(member.instanceGroup)) {
        issues.push({
          path: `/spec/etcdClusters/${c}/etcdMembers/${m}/instanceGroup`,
          message: `etcd member "${member.name}" of etcd cluster "${cluster.name}" names instance group "${member.instanceGroup}", which does not exist`,
        });
      }
    });
  });
  // kops's CrossValidateInstanceGroup rules needing the cluster (subnets: instancegroup.go:284).
  kopsCrossOnlyFindings(groups, config, options).forEach((findings, g) => {
    for (const { issue } of findings) issues.push({ ...issue, path: `/instanceGroups/${g}${issue.path}` });
  });
  return issues;
}

/** Throws ValidationError listing every issue, when there is an error (warnings pass). */
export function assertValidClusterConfig(config: unknown, options?: ValidateOptions): asserts config is ClusterConfig {
  throwIfErrors(validateClusterConfig(config, options), 'Cluster');
}

/** Throws ValidationError listing every issue, when there is an error (warnings pass). */
export function assertValidInstanceGroup(
  group: unknown,
  options?: ValidateOptions,
): asserts group is InstanceGroupConfig {
  throwIfErrors(validateInstanceGroup(group, options), 'InstanceGroup');
}

/** The issues that fail validation (everything but warnings). */
export function errorsOnly(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.filter((issue) => issue.severity !== 'warning');
}

export function throwIfErrors(all: ValidationIssue[], kind: string): void {
  const issues = errorsOnly(all);
  if (issues.length === 0) return;
  const shown = issues
    .slice(0, 5)
    .map((issue) => issue.message)
    .join('; ');
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  throw new StateStoreError('ValidationError', `invalid ${kind}: ${shown}${more}`, { issues });
}

function kindIssues(value: unknown, kind: string): ValidationIssue[] {
  if (!isPlainObject(value)) return [{ path: '/', message: `a ${kind} must be a map` }];
  const issues: ValidationIssue[] = [];
  if (value.kind !== undefined && value.kind !== kind)
    issues.push({ path: '/kind', message: `kind must be "${kind}", not ${JSON.stringify(value.kind)}` });
  // kops reads the legacy kops/v1alpha2 too (kops: pkg/kopscodecs/codecs.go); see api-version.ts.
  const apiVersion = apiVersionProblem(value.apiVersion);
  if (apiVersion !== undefined) issues.push({ path: '/apiVersion', message: apiVersion });
  return issues;
}

function uniqueNames(list: unknown, path: string, what: string, namePath = '/name'): ValidationIssue[] {
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, number>();
  const issues: ValidationIssue[] = [];
  list.forEach((item, index) => {
    const name = isPlainObject(item) ? item.name : undefined;
    if (typeof name !== 'string') return;
    if (seen.has(name))
      issues.push({
        path: `${path}/${index}${namePath}`,
        message: `duplicate ${what} name "${name}" (also at ${path}/${seen.get(name)})`,
      });
    else seen.set(name, index);
  });
  return issues;
}

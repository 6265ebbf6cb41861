/**
 * Names of clusters, instance groups and keysets, checked as kops checks them. Each name becomes
 * one folder (or file) name in the store, so every rule here also keeps a name inside its folder:
 * no `/`, `\`, `..`, NUL, nor an empty name, even where kops itself is looser (keysets).
 */
import { isUnsafeKey } from '../config/guard.js';
import { StateStoreError, type ValidationIssue } from '../errors.js';

// kops: vendor/k8s.io/apimachinery/pkg/util/validation/validation.go (IsDNS1123Subdomain): a
// lowercase RFC 1123 subdomain, at most 253 characters in all. Unlike a DNS label it has no
// 63-character limit per dot-separated part; kops adds none. Go's `$` (no multiline flag) ends
// the text, as JavaScript's does, so "nodes\n" is refused by both.
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const DNS1123_SUBDOMAIN_MAX = 253;

/** kops: pkg/apis/kops/labels.go (AnnotationNameManagement, AnnotationValueManagementImported). */
const MANAGEMENT_ANNOTATION = 'kops.kubernetes.io/management';
/** kops: pkg/apis/kops/validation/linode.go (linodeValidateCluster). */
const LINODE_MAX_CLUSTER_NAME = 32;

/** Whether `name` is a DNS-1123 subdomain, kops's rule for cluster and instance group names. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= DNS1123_SUBDOMAIN_MAX && DNS1123_SUBDOMAIN.test(name);
}

/**
 * Checks a cluster name as kops does (`pkg/apis/kops/validation/validation.go`: non-empty and
 * `IsDNS1123Subdomain`). Being a DNS subdomain, it cannot hold `/`, `\`, `..` or NUL, so it never
 * leaves its folder in the store. The rules that depend on the cluster's spec (a dot unless DNS is
 * `None`, Linode's 32 characters) are in {@link validateClusterNameForConfig}.
 */
export function validateClusterName(name: unknown): asserts name is string {
  checkDns1123(name, 'cluster name', 'e.g. mycluster.example.com');
}

/**
 * Checks an instance group name as kops does: kops's `ValidateInstanceGroupName`
 * (`pkg/apis/kops/validation/instancegroup.go`, a DNS-1123 subdomain), which kops-controller
 * applies before a node of the group may join (`cmd/kops-controller/pkg/server/node_config.go`).
 * kops's create path itself only requires a non-empty name, but a group with any other name could
 * never bring up a node, and the subdomain rule keeps the name inside `instancegroup/`.
 */
export function validateInstanceGroupName(name: unknown): asserts name is string {
  checkDns1123(name, 'instance group name', 'e.g. nodes-us-east-1a');
}

function checkDns1123(name: unknown, what: string, example: string): void {
  if (typeof name !== 'string')
    throw new StateStoreError('InvalidArgument', `invalid ${what} (${typeof name}): must be a string`);
  if (name === '') throw new StateStoreError('InvalidArgument', `invalid ${what}: it is required (${example})`);
  if (!isDns1123Subdomain(name)) {
    const reason =
      name.length > DNS1123_SUBDOMAIN_MAX
        ? `must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`
        : 'must be a lowercase RFC 1123 subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit';
    throw new StateStoreError('InvalidArgument', `invalid ${what} ${shown(name)}: ${reason} (${example})`);
  }
}

/**
 * The problems kops finds with a cluster's name given its config (`newValidateCluster` in
 * `pkg/apis/kops/validation/validation.go`, and `linode.go`): a DNS-1123 subdomain; fully
 * qualified (holding a dot) unless the cluster uses `None` DNS or is marked imported
 * (`kops.kubernetes.io/management: imported`); at most 32 characters on Linode. Reads v1alpha2
 * (`spec.topology.dns.type`, `spec.cloudProvider: linode`) and v1alpha3
 * (`spec.networking.topology.dns`, `spec.cloudProvider.linode`) spellings.
 */
export function clusterNameIssues(name: string, config: unknown): ValidationIssue[] {
  const path = '/metadata/name';
  if (name === '') return [{ path, message: 'Cluster Name is required (e.g. --name=mycluster.myzone.com)' }];
  if (!isDns1123Subdomain(name)) {
    return [
      {
        path,
        message: `Cluster Name must be a valid DNS name (e.g. --name=mycluster.myzone.com): ${shown(name)} is not a lowercase RFC 1123 subdomain of at most ${DNS1123_SUBDOMAIN_MAX} characters`,
      },
    ];
  }
  const issues: ValidationIssue[] = [];
  const { metadata, spec } = asRecord(config);
  if (
    !name.includes('.') &&
    !usesNoneDns(asRecord(spec)) &&
    asRecord(asRecord(metadata)['annotations'])[MANAGEMENT_ANNOTATION] !== 'imported'
  ) {
    issues.push({
      path,
      message: `Cluster Name must be a fully-qualified DNS name (e.g. --name=mycluster.myzone.com), not ${shown(name)}`,
    });
  }
  if (isLinode(asRecord(spec)) && name.length > LINODE_MAX_CLUSTER_NAME) {
    issues.push({
      path,
      message: `cluster name must be no more than ${LINODE_MAX_CLUSTER_NAME} characters long (Linode), not ${name.length}`,
    });
  }
  return issues;
}

/** Throws ValidationError (issues at `/metadata/name`) when {@link clusterNameIssues} finds any. */
export function validateClusterNameForConfig(name: string, config: unknown): void {
  validateClusterName(name);
  const issues = clusterNameIssues(name, config);
  if (issues.length > 0)
    throw new StateStoreError(
      'ValidationError',
      `invalid cluster name: ${issues.map((issue) => issue.message).join('; ')}`,
      { issues },
    );
}

/** kops: pkg/apis/kops/cluster.go (UsesNoneDNS); v1alpha2/topology.go keeps it as `dns.type`. */
function usesNoneDns(spec: Record<string, unknown>): boolean {
  const v1alpha2 = asRecord(asRecord(asRecord(spec['topology'])['dns']))['type'];
  const v1alpha3 = asRecord(asRecord(spec['networking'])['topology'])['dns'];
  return v1alpha2 === 'None' || v1alpha3 === 'None';
}

/** kops: pkg/apis/kops/v1alpha2/conversion.go (`cloudProvider: linode`), v1alpha3 `cloudProvider.linode`. */
function isLinode(spec: Record<string, unknown>): boolean {
  const cloud = spec['cloudProvider'];
  return cloud === 'linode' || (typeof cloud === 'object' && cloud !== null && 'linode' in cloud);
}

/**
 * Checks a keyset name (`pki/private/<name>/keyset.yaml`). kops's keystore takes any name that is
 * one path segment (`upup/pkg/fi/vfs_castore.go`: `ListKeysets` only sees `<name>/keyset.yaml`, and
 * kops validates no keyset name; `distrust keypair` and `trust keypair` take any listed name).
 * statestore keeps that, and keeps the name inside its folder even though kops does not check:
 * no empty name, `.`, `..`, `/`, `\` or NUL; nor `__proto__`, `constructor`, `prototype`, which
 * SECURITY.md refuses as path segments everywhere (keyset names become keys of listings).
 */
export function validateKeysetName(name: unknown): asserts name is string {
  if (typeof name !== 'string')
    throw new StateStoreError('InvalidArgument', `invalid keyset name (${typeof name}): must be a string`);
  const why =
    name === ''
      ? 'it is required'
      : name === '.' || name === '..'
        ? 'it must not be "." or ".."'
        : /[/\\\0]/.test(name)
          ? 'it must be one path segment (no "/", "\\" or NUL)'
          : isUnsafeKey(name)
            ? 'it is reserved (__proto__, constructor, prototype)'
            : undefined;
  if (why !== undefined)
    throw new StateStoreError('InvalidArgument', `invalid keyset name ${shown(name)}: ${why} (e.g. kubernetes-ca)`);
}

/**
 * Whether kops lets `create keypair` and `promote keypair` act on a keyset: `service-account` and
 * every name holding `-ca` (`rotatableKeysetFilter` in `cmd/kops/create_keypair.go`; kops's word
 * `all` stands for every such keyset and is not itself a keyset name).
 */
export function isRotatableKeysetName(name: string): boolean {
  return name === 'service-account' || name.includes('-ca');
}

/** Throws InvalidArgument, as kops refuses, when a keypair may not be added to or promoted in `name`. */
export function validateRotatableKeysetName(
  name: unknown,
  action: 'adding keypair to' | 'promoting keypairs for' = 'adding keypair to',
): asserts name is string {
  validateKeysetName(name);
  if (!isRotatableKeysetName(name)) {
    throw new StateStoreError(
      'InvalidArgument',
      `${action} ${shown(name)} is not supported: kops rotates only "service-account" and keysets whose name holds "-ca"`,
    );
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function shown(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);
}

/**
 * Refuses a write that changes a document's `metadata.name`. The name is where the document lives
 * (the cluster's folder, the instance group's file): a config renamed in place would be listed
 * under the new name and found under neither (issue 27). A renamed cluster is a new cluster:
 * create it under the new name, then delete the old one.
 */
export function refuseRename(what: string, stored: string | undefined, next: unknown): void {
  const nextName = storedName(next);
  if (stored === undefined || nextName === stored) return;
  const message = `cannot change from ${shown(stored)} to ${nextName === undefined ? 'nothing' : shown(nextName)}: the name is where it is stored; to rename, create it under the new name and delete the old one`;
  throw new StateStoreError('ValidationError', `invalid ${what}: metadata.name ${message}`, {
    issues: [{ path: '/metadata/name', message }],
  });
}

/** A stored document's `metadata.name`, when it is a string. */
export function storedName(value: unknown): string | undefined {
  const name = asRecord(asRecord(value)['metadata'])['name'];
  return typeof name === 'string' ? name : undefined;
}

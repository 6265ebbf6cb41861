/**
 * What a stored Cluster or InstanceGroup must look like before it is handed out typed (issue #25,
 * "Weak": `getCluster` returned the scalar `hello`, `null`, a list or binary junk as a
 * ClusterConfig). The rule is kops's own when it reads a document (kops @268927e):
 * - pkg/kopscodecs/codecs.go:90-113 `Decode`: the document is decoded into an
 *   `unstructured.Unstructured` first, which takes only a JSON object
 *   (vendor/k8s.io/apimachinery/pkg/apis/meta/v1/unstructured/helpers.go:433-438: a scalar or a
 *   list fails `json.Unmarshal`); then only the groups `kops.k8s.io` and `kops` are decoded as
 *   kops types, by a scheme that knows v1alpha2 and v1alpha3;
 * - pkg/client/simple/vfsclientset/cluster.go:197 and instancegroup.go:76 then take the object as
 *   a `*api.Cluster` / `*kopsapi.InstanceGroup`: a document of another kind is no cluster to kops.
 * kops also refuses a document without `kind` (helpers.go:390 "Object 'Kind' is missing"); the
 * library has always accepted (and written) documents without kind or apiVersion, so those stay
 * accepted on read. The check is ValidationError, not IntegrityError: the bytes are what the store
 * holds (no checksum or envelope failed), they just do not form a valid kops document.
 */
import type { ValidationIssue } from '../errors.js';
import { isPlainObject, preview } from '../config/guard.js';
import { KOPS_API_VERSION, LEGACY_API_VERSION, V1ALPHA3_API_VERSION } from '../config/yaml/api-version.js';

/** The kinds of the documents the store hands out typed. */
export type DocumentKind = 'Cluster' | 'InstanceGroup';

/** The apiVersions kops decodes as its own types (v1alpha3 is read too: kops converts it). */
const KOPS_API_VERSIONS: ReadonlySet<unknown> = new Set([KOPS_API_VERSION, LEGACY_API_VERSION, V1ALPHA3_API_VERSION]);

/** Why `value` is no `kind` document kops reads, as a validation issue; undefined when it is one. */
export function documentShapeProblem(value: unknown, kind: DocumentKind): ValidationIssue | undefined {
  if (!isPlainObject(value))
    return { path: '/', message: `the stored document is ${describe(value)}, not a ${kind} (a YAML map)` };
  if (value.kind !== undefined && value.kind !== kind)
    return { path: '/kind', message: `the stored document is of kind ${describeField(value.kind)}, not ${kind}` };
  if (value.apiVersion !== undefined && !KOPS_API_VERSIONS.has(value.apiVersion)) {
    return {
      path: '/apiVersion',
      message: `the stored document's apiVersion ${describeField(value.apiVersion)} is not one kops reads (${KOPS_API_VERSION}, ${LEGACY_API_VERSION} or ${V1ALPHA3_API_VERSION})`,
    };
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null (empty)';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'string') return `the string ${preview(value, 40)}`;
  return `the ${typeof value} ${String(value).slice(0, 40)}`; // a number or a boolean: short
}

function describeField(value: unknown): string {
  return typeof value === 'string' ? preview(value, 60) : `${describe(value)}`;
}

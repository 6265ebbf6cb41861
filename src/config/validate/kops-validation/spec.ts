/**
 * Reads a stored v1alpha2 document as kops's internal API, which kops's validation reads
 * (kops: pkg/apis/kops/v1alpha2/conversion.go, @268927e): renamed fields moved to their internal
 * names (`spec.subnets` -> `spec.networking.subnets`, booleans inverted where the name says the
 * opposite), and the `cloudProvider` string turned into the internal map (`aws` -> `{ aws: {} }`).
 * Error paths, in internal names, go back to a JSON Pointer into the stored document.
 */
import { isPlainObject } from '../../guard.js';
import { parseFieldPath, type PathSegment } from '../../paths/parse.js';
import { FIELD_RENAMES } from '../../paths/renames.js';
import { pathInSchema, toStoredPath } from '../../paths/translate.js';
import type { JsonSchema } from '../../schema/json-schema.js';
import type { FieldPath } from '../field/path.js';

/** A read-only view of a JSON value, read as Go reads a struct: absent strings are `''`. */
export class View {
  constructor(readonly value: unknown) {}

  /** The value at `keys` (absent where any step is not a map). */
  get(...keys: string[]): View {
    let value = this.value;
    for (const key of keys) value = isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    return new View(value);
  }

  /** Go's `x != nil`: the field is set. */
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** The string, or `''` (Go's zero value). */
  str(): string {
    return typeof this.value === 'string' ? this.value : '';
  }

  /** The string, or undefined (a Go `*string`). */
  optStr(): string | undefined {
    return typeof this.value === 'string' ? this.value : undefined;
  }

  /** The boolean, or undefined (a Go `*bool`). */
  bool(): boolean | undefined {
    return typeof this.value === 'boolean' ? this.value : undefined;
  }

  /** The number, or undefined (a Go `*int`). */
  num(): number | undefined {
    return typeof this.value === 'number' ? this.value : undefined;
  }

  /** The list's items (none when not a list). */
  list(): View[] {
    return Array.isArray(this.value) ? this.value.map((item) => new View(item)) : [];
  }

  /** The list's strings, `''` for other items. */
  strings(): string[] {
    return this.list().map((item) => item.str());
  }

  /** The map's entries in stored order (Go ranges over maps in random order). */
  entries(): [string, View][] {
    return isPlainObject(this.value) ? Object.entries(this.value).map(([k, v]) => [k, new View(v)]) : [];
  }

  /** The list's or map's length. */
  get length(): number {
    if (Array.isArray(this.value)) return this.value.length;
    return isPlainObject(this.value) ? Object.keys(this.value).length : 0;
  }
}

/** kops's `CloudProviderID` for each v1alpha2 `cloudProvider` string, as the internal map's key. */
const CLOUD_KEYS: Record<string, string> = {
  aws: 'aws',
  azure: 'azure',
  digitalocean: 'do',
  gce: 'gce',
  hetzner: 'hetzner',
  openstack: 'openstack',
  scaleway: 'scaleway',
  linode: 'linode',
};

interface Move {
  from: PathSegment[];
  to: PathSegment[];
  inverted: boolean;
}

// Deepest first, so `masterKubelet.clientCaFile` moves before `masterKubelet` carries the rest.
const MOVES: Move[] = FIELD_RENAMES.filter((r) => !r.stored.includes(':'))
  .map((r) => ({
    from: parseFieldPath(r.stored),
    to: parseFieldPath(r.internal),
    inverted: r.inverted,
  }))
  .sort((a, b) => b.from.length - a.from.length);

/**
 * The Cluster as kops's internal API holds it (conversion.go `Convert_v1alpha2_ClusterSpec_To_kops_ClusterSpec`).
 * The stored document is not changed.
 */
export function internalCluster(doc: unknown): View {
  if (!isPlainObject(doc)) return new View(undefined);
  // Copied on write: a container is copied only where a conversion changes it (path by path),
  // the stored document is never changed, and the rest is shared (a deep clone cost a merge 1 ms).
  const spec: Record<string, unknown> = isPlainObject(doc.spec) ? { ...doc.spec } : {};
  const provider = spec.cloudProvider;
  spec.cloudProvider = {};
  const key = typeof provider === 'string' ? CLOUD_KEYS[provider] : undefined;
  if (key !== undefined) (spec.cloudProvider as Record<string, unknown>)[key] = {};
  // conversion.go: `externalDns.disable: true` becomes `externalDNS.provider: none`.
  const externalDns = spec.externalDns;
  if (isPlainObject(externalDns) && externalDns.disable === true) {
    const { disable: _disable, ...rest } = externalDns;
    spec.externalDns = { ...rest, provider: 'none' };
  }
  convertSpecials(spec);
  for (const move of MOVES) {
    // conversion.go fills cloud-specific fields only for the cluster's own cloud.
    const cloud = move.to[0]?.kind === 'field' && move.to[0].name === 'cloudProvider' ? move.to[1] : undefined;
    const skip = cloud?.kind === 'field' && !isPlainObject((spec.cloudProvider as Record<string, unknown>)[cloud.name]);
    moveField(spec, move.from, move.to, move.inverted, skip);
  }
  return new View({ ...doc, spec });
}

/** conversion.go's changes beyond renames that the rules read. */
function convertSpecials(spec: Record<string, unknown>): void {
  // conversion.go:81-100: the "master" role of IAM policies is "control-plane" internally.
  for (const key of ['additionalPolicies', 'externalPolicies']) {
    const policies = spec[key];
    if (isPlainObject(policies) && Object.hasOwn(policies, 'master')) {
      const { master, ...rest } = policies;
      spec[key] = { ...rest, 'control-plane': master };
    }
  }
  // conversion.go:103-: OIDC options move to authentication.oidc (lists and maps there).
  const api = spec.kubeAPIServer;
  if (isPlainObject(api) && (api.oidcGroupsClaim !== undefined || api.oidcRequiredClaim !== undefined)) {
    const { oidcGroupsClaim, oidcRequiredClaim, ...rest } = api;
    spec.kubeAPIServer = rest;
    const oidc: Record<string, unknown> = {};
    if (oidcGroupsClaim !== undefined) oidc.groupsClaims = [oidcGroupsClaim];
    if (oidcRequiredClaim !== undefined) oidc.requiredClaims = oidcRequiredClaim;
    putAt(spec, parseFieldPath('authentication.oidc'), [], oidc);
  }
  // conversion.go:232-237: an AWS option, renamed (kops's docs' table of renames lacks it).
  const cloudConfig = spec.cloudConfig;
  const aws = (spec.cloudProvider as Record<string, unknown>).aws;
  if (isPlainObject(cloudConfig) && cloudConfig.nlbSecurityGroupMode !== undefined && isPlainObject(aws)) {
    const { nlbSecurityGroupMode, ...rest } = cloudConfig;
    spec.cloudConfig = rest;
    aws.nlbSecurityGroupMode = nlbSecurityGroupMode;
  }
}

function moveField(
  root: Record<string, unknown>,
  from: PathSegment[],
  to: PathSegment[],
  inverted: boolean,
  dropOnly: boolean,
): void {
  for (const { indexes, value } of collect(root, from, [])) {
    removeAt(root, from, indexes);
    const moved = inverted && typeof value === 'boolean' ? !value : value;
    if (!dropOnly) putAt(root, to, indexes, moved);
  }
}

/** Every value matching the pattern, with the list indexes its `[*]`s stood for. */
function collect(value: unknown, pattern: PathSegment[], indexes: number[]): { indexes: number[]; value: unknown }[] {
  if (pattern.length === 0) return value === undefined ? [] : [{ indexes, value }];
  const [head, ...rest] = pattern;
  if (head!.kind === 'field') {
    if (!isPlainObject(value) || !Object.hasOwn(value, head!.name)) return [];
    return collect(value[head!.name], rest, indexes);
  }
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i) => collect(item, rest, [...indexes, i]));
}

/**
 * The container at `pattern` (its `[*]`s at `indexes`), made writable: each container on the
 * way is replaced in its parent by a shallow copy, so the stored document is never changed.
 */
function walkTo(root: Record<string, unknown>, pattern: PathSegment[], indexes: number[], create: boolean): unknown {
  let node: unknown = root;
  let slot = 0;
  for (const step of pattern) {
    const key: string | number = step.kind === 'field' ? step.name : indexes[slot++]!;
    if (step.kind === 'field' ? !isPlainObject(node) : !Array.isArray(node)) return undefined;
    const parent = node as Record<string | number, unknown>;
    const child = parent[key];
    if (isPlainObject(child)) parent[key] = { ...child };
    else if (Array.isArray(child)) parent[key] = [...(child as unknown[])];
    else if (create && step.kind === 'field') parent[key] = {};
    else return undefined;
    node = parent[key];
  }
  return node;
}

/** Deletes the field, and the maps it leaves empty (so a later move of the parent keeps what moved). */
function removeAt(root: Record<string, unknown>, path: PathSegment[], indexes: number[]): void {
  for (let n = path.length; n > 0; n--) {
    const parent = walkTo(root, path.slice(0, n - 1), indexes, false);
    const last = path[n - 1]!;
    if (!isPlainObject(parent) || last.kind !== 'field') return;
    const child = parent[last.name];
    if (n < path.length && !(isPlainObject(child) && Object.keys(child).length === 0)) return;
    delete parent[last.name];
  }
}

function putAt(root: Record<string, unknown>, path: PathSegment[], indexes: number[], value: unknown): void {
  const parent = walkTo(root, path.slice(0, -1), indexes, true);
  const last = path[path.length - 1]!;
  if (!isPlainObject(parent) || last.kind !== 'field') return;
  const existing = parent[last.name];
  parent[last.name] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] = isPlainObject(old) && isPlainObject(v) ? deepMerge(old, v) : v;
  }
  return out;
}

/** v1alpha2's flat root-volume fields, and their internal `rootVolume` names (conversion.go). */
const ROOT_VOLUME: [string, string][] = [
  ['rootVolumeSize', 'size'],
  ['rootVolumeType', 'type'],
  ['rootVolumeIops', 'iops'],
  ['rootVolumeThroughput', 'throughput'],
  ['rootVolumeOptimization', 'optimization'],
  ['rootVolumeEncryption', 'encryption'],
  ['rootVolumeEncryptionKey', 'encryptionKey'],
];

/**
 * The InstanceGroup as kops's internal API holds it (conversion.go
 * `Convert_v1alpha2_InstanceGroupSpec_To_kops_InstanceGroupSpec`): role `Master` is
 * `ControlPlane`, the flat `rootVolume*` fields are `rootVolume`.
 */
export function internalInstanceGroup(doc: unknown): View {
  if (!isPlainObject(doc)) return new View(undefined);
  const spec = isPlainObject(doc.spec) ? { ...doc.spec } : {};
  if (spec.role === 'Master') spec.role = 'ControlPlane';
  const rootVolume: Record<string, unknown> = {};
  for (const [stored, internal] of ROOT_VOLUME) {
    if (spec[stored] === undefined) continue;
    rootVolume[internal] = spec[stored];
    delete spec[stored];
  }
  if (Object.keys(rootVolume).length > 0) spec.rootVolume = rootVolume;
  return new View({ ...doc, spec });
}

// kops's own path names that are neither stored nor internal names (validation.go:111 reports
// `kubernetesAPIAccess`), and `objectMeta` (Go's field) for the document's `metadata`.
const ALIASES: [string, string][] = [
  ['spec.kubernetesAPIAccess', 'spec.kubernetesApiAccess'],
  ['objectMeta', 'metadata'],
  ['spec.metadata', 'metadata'],
  // validation.go:1292 and 1387 build `fldPath.Root().Child("spec", ...)` under `spec`.
  ['spec.spec', 'spec'],
  // legacy.go:228, 254, 261 name `serviceAccountIssuerDiscovery` twice.
  ['spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery', 'spec.serviceAccountIssuerDiscovery'],
  // instancegroup.go:284 names the group's subnets `spec.networking.subnets`.
  ['spec.networking.subnets', 'spec.subnets'],
  ['spec.cloudProvider.aws.nlbSecurityGroupMode', 'spec.cloudConfig.nlbSecurityGroupMode'],
  ...ROOT_VOLUME.map(([stored, internal]): [string, string] => [`spec.rootVolume.${internal}`, `spec.${stored}`]),
];

/**
 * The JSON Pointer, into the stored document, of the field a kops error names: renamed fields
 * at their stored names; a path the schema does not know (a Go field name kops spells its own
 * way, a list addressed by key) at its nearest known ancestor.
 */
export function storedPointer(path: FieldPath, schema: JsonSchema): string {
  let segments = path.segments();
  let text = path.toString();
  // aws.go:134-153 start some paths with the group's name: `nodes.spec.machineType`.
  const [first, second] = segments;
  if (first?.kind === 'field' && second?.kind === 'field' && second.name === 'spec' && !pathInSchema(schema, [first])) {
    segments = segments.slice(1);
    text = text.slice(first.name.length + 1);
  }
  for (const [from, to] of ALIASES) {
    if (text === from || text.startsWith(`${from}.`) || text.startsWith(`${from}[`))
      segments = [...parseFieldPath(to), ...segments.slice(parseFieldPath(from).length)];
  }
  const exists = (s: PathSegment[]) => pathInSchema(schema, s);
  for (let n = segments.length; n > 0; n--) {
    const stored = toStoredPath(segments.slice(0, n), exists).segments;
    if (exists(stored)) return toPointer(stored);
  }
  return '';
}

function toPointer(segments: readonly PathSegment[]): string {
  return segments
    .map(
      (s) =>
        '/' +
        (s.kind === 'field'
          ? s.name.replace(/~/g, '~0').replace(/\//g, '~1')
          : String(s.kind === 'index' ? s.index : '')),
    )
    .join('');
}

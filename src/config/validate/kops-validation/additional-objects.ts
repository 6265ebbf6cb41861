// kops pkg/apis/kops/validation/additionalobjects.go (@268927e, Apache-2.0, Copyright The
// Kubernetes Authors): the additional objects kops keeps in `{cluster}/clusteraddons/default`
// (kops's AddonsClient.Replace, pkg/client/simple/vfsclientset/addons.go:58-73, validates each
// before writing). Rules (error constructors): 2 of 2. statestore writes no clusteraddons file
// itself (it copies them whole in moves and exports); the rules are here for a caller that does.
import { invalid, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { isPlainObject } from '../../guard.js';

/** kops vfsclientset/addons.go:58-64: the path kops validates an additional object at. */
export function additionalObjectPath(u: unknown): FieldPath {
  let fieldPath = FieldPath.of('addons');
  const kind = isPlainObject(u) && typeof u.kind === 'string' ? u.kind : '';
  if (kind !== '') fieldPath = fieldPath.child(`kind=${kind}`);
  const metadata = isPlainObject(u) ? u.metadata : undefined;
  const name = isPlainObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '';
  if (name !== '') fieldPath = fieldPath.child(`name=${name}`);
  return fieldPath;
}

// kops additionalobjects.go:28 ValidateAdditionalObject
export function validateAdditionalObject(fieldPath: FieldPath, u: unknown): ErrorList {
  return validateAdditionalObjectKubescheduler(fieldPath, groupVersionKind(u), u);
}

/** apimachinery `Unstructured.GroupVersionKind()`: the group and kind (the group is '' for `v1`). */
function groupVersionKind(u: unknown): { group: string; kind: string } {
  const apiVersion = isPlainObject(u) && typeof u.apiVersion === 'string' ? u.apiVersion : '';
  const kind = isPlainObject(u) && typeof u.kind === 'string' ? u.kind : '';
  const slash = apiVersion.indexOf('/');
  return { group: slash < 0 ? '' : apiVersion.slice(0, slash), kind };
}

// kops additionalobjects.go:44 validateAdditionalObjectKubescheduler
function validateAdditionalObjectKubescheduler(
  fieldPath: FieldPath,
  gvk: { group: string; kind: string },
  u: unknown,
): ErrorList {
  const errors: ErrorList = [];
  if (gvk.kind !== 'KubeSchedulerConfiguration' || gvk.group !== 'kubescheduler.config.k8s.io') return errors;
  const path = fieldPath.child('clientConnection', 'kubeconfig');
  const read = nestedString(u, ['clientConnection', 'kubeconfig']);
  if ('error' in read) errors.push(invalid(path, u, `error reading field: ${read.error}`, 'additionalobjects.go:50'));
  else if (read.found && read.value !== '')
    errors.push(
      invalid(path, read.value, 'value is controlled by kOps and should not be set', 'additionalobjects.go:53'),
    );
  return errors;
}

/** apimachinery `unstructured.NestedString`: the string at `fields`, whether found, or its error text. */
function nestedString(
  obj: unknown,
  fields: readonly string[],
): { found: false } | { found: true; value: string } | { error: string } {
  let value = obj;
  for (const [i, field] of fields.entries()) {
    if (value === null || value === undefined) return { found: false };
    if (!isPlainObject(value)) return { error: accessorError(fields.slice(0, i + 1), value, 'map[string]interface{}') };
    if (!Object.hasOwn(value, field)) return { found: false };
    value = value[field];
  }
  if (typeof value !== 'string') return { error: accessorError(fields, value, 'string') };
  return { found: true, value };
}

function accessorError(fields: readonly string[], value: unknown, expected: string): string {
  return `.${fields.join('.')} accessor error: ${goValue(value)} is of the type ${goType(value)}, expected ${expected}`;
}

/** Go's `%T` of a decoded JSON value, as apimachinery's unstructured holds it. */
function goType(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
}

/** Go's `%v` of a decoded JSON value (maps with sorted keys, as fmt prints them). */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (isPlainObject(value))
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValue(value[k])}`)
      .join(' ')}]`;
  return String(value);
}

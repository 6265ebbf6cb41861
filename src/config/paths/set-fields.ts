import { StateStoreError } from '../../errors.js';
import { assertSafeValue, cloneJson, isPlainObject, preview } from '../guard.js';
import { didYouMean } from '../validate/did-you-mean.js';
import { clusterSchema } from '../schema/schemas.generated.js';
import type { JsonSchema } from '../schema/json-schema.js';
import { formatFieldPath, parseFieldPath, type PathSegment } from './parse.js';
import { pathInSchema, schemaFor, toStoredPath, type StoredPath } from './translate.js';

/** Options of {@link setFields} and {@link unsetFields}. */
export interface FieldOptions {
  /** The schema that types values and knows the fields. Default: kops's Cluster schema. */
  schema?: JsonSchema;
}

/**
 * Sets fields the way `kops edit cluster --set` does, on a copy: `path=value`, values typed by the
 * schema (booleans as Go's ParseBool, integers, int-or-string), list values split on `,` and
 * appended, `[*]` for every element, `[n]` with n equal to the length to grow a list, `x=` to
 * create an empty object. Extensions: name selectors (`spec.subnets[name=us-east-1a].type=Private`,
 * creating the element when absent) and `path+=value` (explicit append; lists only). Paths may use
 * kops's internal names (`spec.api.publicName`) or the stored ones (`spec.masterPublicName`).
 *
 * @example
 * ```ts
 * import { setFields, type ClusterConfig } from 'kops-statestore';
 * declare const config: ClusterConfig;
 *
 * const next = setFields(config, ['spec.kubernetesVersion=1.30.0', 'spec.subnets[name=us-east-1a].type=Private']);
 * // next: a copy with both fields set (the subnet created if absent); config is unchanged
 * ```
 */
export function setFields<T>(config: T, fields: readonly string[], options: FieldOptions = {}): T {
  const schema = options.schema ?? clusterSchema;
  let result: unknown = guardedCopy(config, fields);
  for (const field of fields) {
    const eq = assignmentAt(field);
    if (eq <= 0)
      throw new StateStoreError('InvalidArgument', `unhandled field: ${preview(field)} (expected path=value)`);
    const append = field[eq - 1] === '+';
    const { segments, inverted } = resolve(field.slice(0, append ? eq - 1 : eq), schema);
    const leafSchema = schemaFor(schema, segments) ?? {};
    const raw = field.slice(eq + 1);
    result = setAt(result, segments, 0, inverted ? invertBoolean(raw) : raw, leafSchema, append);
  }
  return result as T;
}

/**
 * Unsets fields the way `kops edit cluster --unset` does, on a copy: the addressed field is removed
 * (parents are kept), `[*]` applies to every element, and `list[*]` / `list[n]` empties elements.
 */
export function unsetFields<T>(config: T, fields: readonly string[], options: FieldOptions = {}): T {
  const schema = options.schema ?? clusterSchema;
  let result: unknown = guardedCopy(config, fields);
  for (const field of fields) {
    result = unsetAt(result, resolve(field, schema).segments, 0);
  }
  return result as T;
}

/** The config copied after the bounds check (INPUT_LIMITS), and the fields checked to be a list of strings. */
function guardedCopy(config: unknown, fields: readonly string[]): unknown {
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string')) {
    throw new StateStoreError('InvalidArgument', 'fields must be a list of "path=value" strings');
  }
  assertSafeValue(fields);
  assertSafeValue(config);
  return cloneJson(config ?? {});
}

function resolve(path: string, schema: JsonSchema): StoredPath {
  const stored = toStoredPath(parseFieldPath(path), (candidate) => pathInSchema(schema, candidate));
  if (!pathInSchema(schema, stored.segments)) throw notFound(path, stored.segments, schema);
  return stored;
}

/**
 * An unknown field of a `--set` / `--unset` path, with a did-you-mean from the fields known where
 * the path leaves the schema (as the patch form's validation gives): `spec.kubelet.maxPodz` ->
 * `spec.kubelet.maxPods`.
 */
function notFound(path: string, segments: PathSegment[], schema: JsonSchema): StateStoreError {
  const kind = schema === clusterSchema ? 'Cluster' : 'given';
  let known = 0;
  while (known < segments.length && pathInSchema(schema, segments.slice(0, known + 1))) known++;
  const missing = segments[known];
  const parent = schemaFor(schema, segments.slice(0, known));
  const suggestion =
    missing?.kind === 'field' ? didYouMean(missing.name, Object.keys(parent?.properties ?? {})) : undefined;
  const fixed =
    suggestion === undefined
      ? undefined
      : formatFieldPath([
          ...segments.slice(0, known),
          { kind: 'field', name: suggestion },
          ...segments.slice(known + 1),
        ]);
  const pointer = `/${segments
    .slice(0, known + 1)
    .map((segment) => (segment.kind === 'field' ? segment.name : segment.kind === 'index' ? segment.index : '*'))
    .join('/')}`;
  const message = `field ${preview(path)} not found in the ${kind} schema${fixed ? `; did you mean "${fixed}"?` : ''}`;
  return new StateStoreError('InvalidArgument', message, {
    issues: [{ path: pointer, message, ...(suggestion ? { didYouMean: suggestion } : {}) }],
  });
}

/** The index of the `=` that ends the path: the first one outside `[...]` (selectors contain `=`). */
function assignmentAt(field: string): number {
  let depth = 0;
  for (let i = 0; i < field.length; i++) {
    if (field[i] === '[') depth++;
    else if (field[i] === ']') depth--;
    else if (field[i] === '=' && depth === 0) return i;
  }
  return -1;
}

function invertBoolean(raw: string): string {
  if (TRUE.has(raw)) return 'false';
  if (FALSE.has(raw)) return 'true';
  return raw; // not a boolean: scalar() reports it
}

function setAt(
  node: unknown,
  segments: PathSegment[],
  depth: number,
  raw: string,
  leaf: JsonSchema,
  append: boolean,
): unknown {
  const segment = segments[depth]!;
  const last = depth === segments.length - 1;
  // Formatted only where used (the leaf, or an error): formatting it at every level is quadratic.
  const where = (): string => formatFieldPath(segments.slice(0, depth + 1));
  if (segment.kind === 'field') {
    const object = node === undefined || node === null ? {} : node;
    if (!isPlainObject(object)) throw new StateStoreError('InvalidArgument', `${where()}: the parent is not a map`);
    object[segment.name] = last
      ? typedValue(object[segment.name], raw, leaf, append, where())
      : setAt(object[segment.name], segments, depth + 1, raw, leaf, append);
    return object;
  }
  const list = node === undefined || node === null ? [] : node;
  if (!Array.isArray(list)) throw new StateStoreError('InvalidArgument', `${where()}: not a list`);
  const update = (index: number) => {
    list[index] = last
      ? typedValue(list[index], raw, leaf, append, where())
      : setAt(list[index], segments, depth + 1, raw, leaf, append);
  };
  if (segment.kind === 'all') list.forEach((_, index) => update(index));
  else if (segment.kind === 'index') {
    if (segment.index > list.length)
      throw new StateStoreError(
        'InvalidArgument',
        `${where()}: index ${segment.index} is past the end of a list of ${list.length}`,
      );
    update(segment.index);
  } else {
    let index = list.findIndex((item) => isPlainObject(item) && String(item[segment.key]) === segment.value);
    if (index === -1) {
      list.push({ [segment.key]: segment.value });
      index = list.length - 1;
    }
    update(index);
  }
  return list;
}

function unsetAt(node: unknown, segments: PathSegment[], depth: number): unknown {
  const segment = segments[depth]!;
  const last = depth === segments.length - 1;
  if (segment.kind === 'field') {
    if (!isPlainObject(node)) return node;
    if (last) delete node[segment.name];
    else if (node[segment.name] !== undefined) node[segment.name] = unsetAt(node[segment.name], segments, depth + 1);
    return node;
  }
  if (!Array.isArray(node)) return node;
  const indexes =
    segment.kind === 'all'
      ? node.map((_, i) => i)
      : segment.kind === 'index'
        ? segment.index < node.length
          ? [segment.index]
          : []
        : node.flatMap((item, i) => (isPlainObject(item) && String(item[segment.key]) === segment.value ? [i] : []));
  for (const index of indexes) node[index] = last ? {} : unsetAt(node[index], segments, depth + 1);
  return node;
}

/** Converts the text after `=` to what the schema says the field holds. */
function typedValue(existing: unknown, raw: string, schema: JsonSchema, append: boolean, where: string): unknown {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (types.includes('array')) {
    const items = raw === '' ? [] : raw.split(',').map((part) => scalar(part, schema.items ?? {}, where));
    return [...(Array.isArray(existing) ? existing : []), ...items];
  }
  if (append) throw new StateStoreError('InvalidArgument', `${where}: "+=" appends to lists only`);
  if (types.includes('object')) {
    if (raw !== '')
      throw new StateStoreError(
        'InvalidArgument',
        `${where} is a map: only "${where}=" (an empty map) can be set this way`,
      );
    return isPlainObject(existing) ? existing : {};
  }
  return scalar(raw, schema, where);
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function scalar(raw: string, schema: JsonSchema, where: string): unknown {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? ['string'] : [schema.type];
  if (types.includes('boolean')) {
    if (TRUE.has(raw)) return true;
    if (FALSE.has(raw)) return false;
    throw new StateStoreError('InvalidArgument', `${where}: ${JSON.stringify(raw)} is not a boolean`);
  }
  if (types.includes('integer') && !types.includes('string')) {
    if (!/^-?\d+$/.test(raw))
      throw new StateStoreError('InvalidArgument', `${where}: ${JSON.stringify(raw)} is not an integer`);
    return Number(raw);
  }
  if (types.includes('number') && !types.includes('string')) {
    if (raw.trim() === '' || Number.isNaN(Number(raw)))
      throw new StateStoreError('InvalidArgument', `${where}: ${JSON.stringify(raw)} is not a number`);
    return Number(raw);
  }
  if (types.includes('number') && types.includes('string') && /^-?\d+$/.test(raw)) return Number(raw); // int-or-string
  return raw;
}

import { StateStoreError } from '../../errors.js';
import { assertSafeKey, assertSafeValue, isPlainObject } from '../guard.js';
import type { DeepPatch, JsonObject, JsonValue } from './json.js';
import { escapePointerToken } from './json-pointer.js';
import type { JsonSchema } from '../schema/json-schema.js';

/** Options of {@link strategicMerge}. */
export interface StrategicMergeOptions {
  /**
   * The merge key of lists, by dotted field path without indexes (`"spec.etcdClusters.etcdMembers"`):
   * one field, or several that together identify an element. `null` makes that list atomic (always
   * replaced). These entries win over {@link DEFAULT_LIST_KEYS}. Lists not named here are keyed by `name` when
   * their elements carry one (or the schema's item has a `name` property), and replaced otherwise.
   */
  listKeys?: Readonly<Record<string, ListKey | null>>;
  /** The document's schema: list items with a `name` property (or `x-kubernetes-list-map-keys`) are keyed. */
  schema?: JsonSchema;
}

/** A list's merge key: one field name, or several that identify an element together. */
export type ListKey = string | readonly string[];

const DEFAULT_KEY = 'name';

/**
 * kops lists whose elements are not identified by `name` alone. IAM service-account permissions
 * repeat a name across namespaces, so they are keyed by both.
 */
export const DEFAULT_LIST_KEYS: Readonly<Record<string, ListKey | null>> = {
  'spec.iam.serviceAccountExternalPermissions': ['namespace', 'name'],
};
const DIRECTIVE = '$patch';
type Directive = 'replace' | 'delete' | 'merge';

interface Where {
  /** JSON pointer, for error messages. */
  pointer: string;
  /** Dotted field names without indexes, for listKeys. */
  fields: string;
  schema: JsonSchema | undefined;
}

function fail(where: Where, message: string): never {
  const path = where.pointer || '/';
  throw new StateStoreError('InvalidArgument', `strategic merge at ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

function childWhere(where: Where, key: string): Where {
  const schema = where.schema;
  let next: JsonSchema | undefined;
  if (schema?.properties !== undefined && Object.hasOwn(schema.properties, key)) next = schema.properties[key];
  else if (typeof schema?.additionalProperties === 'object') next = schema.additionalProperties;
  return {
    pointer: `${where.pointer}/${escapePointerToken(key)}`,
    fields: where.fields ? `${where.fields}.${key}` : key,
    schema: next,
  };
}

function itemWhere(where: Where, index: number): Where {
  return { pointer: `${where.pointer}/${index}`, fields: where.fields, schema: where.schema?.items };
}

/** Reads and removes the `$patch` directive; refuses any other `$` key and unsafe keys. */
function splitDirective(patch: JsonObject, where: Where): { directive: Directive; body: JsonObject } {
  let directive: Directive = 'merge';
  const body: JsonObject = {};
  for (const key of Object.keys(patch)) {
    assertSafeKey(key, () => ` at ${where.pointer}/${key}`);
    const value = patch[key] as JsonValue;
    if (key === DIRECTIVE) {
      if (value !== 'replace' && value !== 'delete' && value !== 'merge')
        fail(where, `unknown $patch directive ${JSON.stringify(value)}`);
      directive = value;
    } else if (key.startsWith('$')) {
      fail(where, `unknown directive key "${key}" (only $patch is supported)`);
    } else {
      body[key] = value;
    }
  }
  return { directive, body };
}

/** The merge key of the list at `where`, or undefined when the list is atomic. */
function listKey(
  base: JsonValue[],
  patch: JsonValue[],
  where: Where,
  options: StrategicMergeOptions,
): readonly string[] | undefined {
  for (const table of [options.listKeys, DEFAULT_LIST_KEYS]) {
    if (table !== undefined && Object.hasOwn(table, where.fields)) {
      const named = table[where.fields];
      return named === null || named === undefined ? undefined : typeof named === 'string' ? [named] : named;
    }
  }
  const mapKeys = where.schema?.['x-kubernetes-list-map-keys'];
  if (Array.isArray(mapKeys) && mapKeys.length > 0 && mapKeys.every((k) => typeof k === 'string'))
    return mapKeys as string[];
  const item = where.schema?.items;
  if (item?.properties !== undefined && Object.hasOwn(item.properties, DEFAULT_KEY)) return [DEFAULT_KEY];
  const hasKey = (value: JsonValue): boolean => isPlainObject(value) && Object.hasOwn(value, DEFAULT_KEY);
  return base.some(hasKey) || patch.some(hasKey) ? [DEFAULT_KEY] : undefined;
}

/** The identity of a keyed element: its key value, or the JSON of its key values when composite. */
function keyOf(element: JsonValue | undefined, keys: readonly string[], where: Where, side: string): string {
  const label = keys.map((k) => `"${k}"`).join(' + ');
  if (!isPlainObject(element)) fail(where, `${side} list element is not an object, but the list is keyed by ${label}`);
  const values = keys.map((k) => {
    const value = element[k];
    if (typeof value !== 'string' && typeof value !== 'number')
      fail(where, `${side} list element has no "${k}" (the list is keyed by ${label})`);
    assertSafeKey(String(value), () => ` as the "${k}" of ${where.pointer}`);
    return String(value);
  });
  return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
}

function isListReplace(element: JsonValue): boolean {
  return isPlainObject(element) && Object.keys(element).length === 1 && element[DIRECTIVE] === 'replace';
}

function mergeKeyedList(
  base: JsonValue[],
  patch: JsonValue[],
  key: readonly string[],
  where: Where,
  options: StrategicMergeOptions,
): JsonValue[] {
  // Positions by key: a Map, so merging n patch elements into m is linear, not n * m.
  const positions = new Map<string, number>();
  base.forEach((element, index) => {
    const k = keyOf(element, key, itemWhere(where, index), 'base');
    if (positions.has(k))
      fail(
        itemWhere(where, index),
        `duplicate ${key.join(' + ')} ${key.length === 1 ? JSON.stringify(k) : k} in the base list`,
      );
    positions.set(k, index);
  });
  // `{ $patch: replace }` as a list element: the patch's other elements are the whole new list.
  const replaceAll = patch.some(isListReplace);
  if (replaceAll) positions.clear();
  const out: Array<JsonValue | undefined> = replaceAll ? [] : [...base];
  const patched = new Set<string>();
  patch.forEach((element, index) => {
    if (isListReplace(element)) return;
    const at = itemWhere(where, index);
    const k = keyOf(element, key, at, 'patch');
    if (patched.has(k))
      fail(at, `duplicate ${key.join(' + ')} ${key.length === 1 ? JSON.stringify(k) : k} in the patch list`);
    patched.add(k);
    const position = positions.get(k);
    const merged = mergeValue(position !== undefined ? out[position] : undefined, element, at, options);
    if (position !== undefined) out[position] = merged;
    else if (merged !== undefined) out.push(merged);
  });
  return out.filter((element): element is JsonValue => element !== undefined);
}

/** Copies a value into the output, refusing `$` keys that would otherwise leak through. */
function cloneOut(value: JsonValue, where: Where): JsonValue {
  if (Array.isArray(value)) return value.map((item, index) => cloneOut(item, itemWhere(where, index)));
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      assertSafeKey(key, () => ` at ${where.pointer}/${key}`);
      if (key.startsWith('$')) fail(where, `directive key "${key}" cannot appear in the base document`);
      out[key] = cloneOut(value[key] as JsonValue, childWhere(where, key));
    }
    return out;
  }
  return value;
}

/** Merges `patch` into `base`; undefined means "absent" (deleted or never there). */
function mergeValue(
  base: JsonValue | undefined,
  patch: JsonValue,
  where: Where,
  options: StrategicMergeOptions,
): JsonValue | undefined {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    if (!Array.isArray(base)) return mergeKeyedOrReplace([], patch, where, options);
    return mergeKeyedOrReplace(base, patch, where, options);
  }
  if (!isPlainObject(patch)) return patch;
  const { directive, body } = splitDirective(patch, where);
  if (directive === 'delete') return undefined;
  const start: JsonObject = directive === 'merge' && isPlainObject(base) ? { ...base } : {};
  for (const key of Object.keys(body)) {
    // An `undefined` field (an optional TypeScript property left unset) means "no change", as in JSON.
    if (body[key] === undefined) continue;
    const merged = mergeValue(start[key], body[key] as JsonValue, childWhere(where, key), options);
    if (merged === undefined) delete start[key];
    else start[key] = merged;
  }
  return start;
}

function mergeKeyedOrReplace(
  base: JsonValue[],
  patch: JsonValue[],
  where: Where,
  options: StrategicMergeOptions,
): JsonValue[] {
  const key = listKey(base, patch, where, options);
  if (key !== undefined) return mergeKeyedList(base, patch, key, where, options);
  // An atomic list: the patch replaces it, but its elements still go through the directive rules.
  return patch.map((element, index) => {
    if (element === null || element === undefined)
      fail(itemWhere(where, index), 'null is not allowed as a list element');
    return (
      mergeValue(undefined, element, itemWhere(where, index), options) ??
      fail(itemWhere(where, index), '$patch: delete needs a keyed list')
    );
  });
}

/**
 * Strategic merge of a kops document (docs/architecture.md, "Merge"): maps merge deeply, scalars
 * replace, `null` deletes a field, empty objects are kept as values; lists of objects merge by
 * their key (`name` unless `options.listKeys` says otherwise): matched elements merge, new ones
 * append, base order is kept; other lists replace. `$patch: replace | delete` on a map or keyed
 * element replaces or removes it; `{ $patch: replace }` as a list element replaces the whole list.
 * Pure: inputs are never mutated. Any error (a keyed element without its key, duplicate keys, an
 * unknown `$` key, `__proto__`/`constructor`/`prototype`, a value past INPUT_LIMITS) aborts the whole merge with
 * InvalidArgument naming the JSON path.
 *
 * @example
 * ```ts
 * import { strategicMerge } from 'kops-statestore';
 *
 * strategicMerge(
 *   { spec: { subnets: [{ name: 'a', type: 'Public' }, { name: 'b', type: 'Public' }] } },
 *   { spec: { subnets: [{ name: 'b', type: 'Private' }] } },
 * ); // { spec: { subnets: [{ name: 'a', type: 'Public' }, { name: 'b', type: 'Private' }] } }
 * ```
 */
export function strategicMerge<T>(
  base: T,
  patch: DeepPatch<T> | null | undefined,
  options: StrategicMergeOptions = {},
): T {
  const where: Where = { pointer: '', fields: '', schema: options.schema };
  // Bounds first (INPUT_LIMITS: depth, size), so the recursive merge below never overflows the stack.
  assertSafeValue(base);
  assertSafeValue(patch);
  const safeBase = cloneOut(base as JsonValue, where);
  if (patch === undefined) return safeBase as T;
  if (patch === null) fail(where, 'the whole document cannot be deleted');
  const merged = mergeValue(safeBase, patch as JsonValue, where, options);
  if (merged === undefined) fail(where, 'the whole document cannot be deleted');
  return merged as T;
}

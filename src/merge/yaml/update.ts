import { Document, isMap, isScalar, isSeq, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { StateStoreError } from '../../vfs/errors.js';
import { isPlainObject, jsonEqual } from '../guard.js';
import { STRINGIFY_OPTIONS, WRITE_SCHEMA, type YamlLimits } from './options.js';
import { parseYaml } from './parse.js';

/** Writes a value as YAML the way kops lays it out (1.1-safe quoting, sequences not indented). */
export function stringifyYaml(value: unknown): string {
  const document = new Document(value, WRITE_SCHEMA);
  return document.toString(STRINGIFY_OPTIONS);
}

/**
 * Applies `newValue` onto the document in `originalText`, editing its syntax tree rather than
 * re-rendering the value, so comments, key order, blank lines and quoting of untouched nodes
 * survive. Keys added go at the end of their map; keyed lists (items with a `name`) are matched by
 * name, so a comment stays with its item. An unchanged value returns `originalText` byte for byte.
 *
 * @example
 * ```ts
 * const text = '# managed by hand\nspec:\n  kubernetesVersion: 1.29.0 # pinned\n';
 * updateYamlText(text, { spec: { kubernetesVersion: '1.30.0' } });
 * // '# managed by hand\nspec:\n  kubernetesVersion: 1.30.0 # pinned\n'
 * ```
 */
export function updateYamlText(originalText: string, newValue: unknown, limits?: YamlLimits): string {
  const { value, document } = parseYaml(originalText, limits);
  if (jsonEqual(value, newValue)) return originalText;
  document.setSchema('1.1', WRITE_SCHEMA);
  document.contents = reconcile(document, document.contents as Node | null, newValue) as typeof document.contents;
  return document.toString(STRINGIFY_OPTIONS);
}

/** Returns a node for `value`, reusing `node` (and its comments) wherever the shapes agree. */
function reconcile(document: Document, node: Node | null, value: unknown): Node {
  if (isPlainObject(value) && isMap(node)) {
    reconcileMap(document, node, value);
    return node;
  }
  if (Array.isArray(value) && isSeq(node)) {
    reconcileSeq(document, node, value);
    return node;
  }
  if (isScalar(node) && !isPlainObject(value) && !Array.isArray(value)) {
    if (node.value !== value) {
      const sameKind = typeof node.value === typeof value;
      node.value = value;
      if (!sameKind) node.type = undefined; // a quoted string turning into a number must lose its quotes
      if (typeof value === 'string' && node.type === Scalar.PLAIN) node.type = undefined; // let the 1.1 schema decide quoting
    }
    return node;
  }
  const created = document.createNode(value) as Node;
  if (node && 'commentBefore' in node) (created as { commentBefore?: string | null }).commentBefore = node.commentBefore;
  if (node && 'comment' in node) (created as { comment?: string | null }).comment = node.comment;
  return created;
}

function reconcileMap(document: Document, map: YAMLMap, value: Record<string, unknown>): void {
  const keyOf = (pair: { key: unknown }) => String(isScalar(pair.key) ? pair.key.value : pair.key);
  map.items = map.items.filter((pair) => Object.hasOwn(value, keyOf(pair)));
  const seen = new Set<string>();
  for (const pair of map.items) {
    const key = keyOf(pair);
    seen.add(key);
    pair.value = reconcile(document, (pair.value ?? null) as Node | null, value[key]);
  }
  for (const key of Object.keys(value)) {
    if (!seen.has(key)) map.items.push(document.createPair(key, value[key]) as (typeof map.items)[number]);
  }
}

function reconcileSeq(document: Document, seq: YAMLSeq, value: unknown[]): void {
  const names = (items: unknown[]) => items.map((item) => (isPlainObject(item) && typeof item.name === 'string' ? item.name : undefined));
  const newNames = names(value);
  const oldNames = seq.items.map((item) => (isMap(item) ? item.get('name') : undefined)).map((name) => (typeof name === 'string' ? name : undefined));
  const keyed = newNames.every((name) => name !== undefined) && oldNames.every((name) => name !== undefined) && new Set(newNames).size === newNames.length;
  if (keyed) {
    const byName = new Map(oldNames.map((name, index) => [name!, seq.items[index] as Node]));
    seq.items = value.map((item, index) => reconcile(document, byName.get(newNames[index]!) ?? null, item));
    return;
  }
  seq.items = value.map((item, index) => reconcile(document, (seq.items[index] ?? null) as Node | null, item));
}

/** Turns a thrown yaml error into InvalidArgument (used by callers that stringify user data). */
export function yamlError(err: unknown): StateStoreError {
  return new StateStoreError('InvalidArgument', `cannot write YAML: ${(err as Error).message}`, { cause: err });
}

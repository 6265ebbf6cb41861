import { isAlias, isMap, isScalar, isSeq, Scalar, visit, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { StateStoreError } from '../../vfs/errors.js';
import { assertSafeValue, isPlainObject, jsonEqual } from '../guard.js';
import { WRITE_SCHEMA, type YamlLimits } from './options.js';
import { editScalarsInPlace } from './cst-edit.js';
import { parseYamlDocuments, type ParsedYaml } from './parse.js';
import { readsAs, render, stringifyYaml, withoutUndefined } from './stringify.js';
import { quoteAmbiguousStrings } from './yaml11.js';

export { stringifyYaml } from './stringify.js';

/**
 * Applies `newValue` onto the single document in `originalText`, editing the document rather than
 * re-rendering the value, so comments, key order, blank lines and quoting of untouched nodes
 * survive. Keys added go at the end of their map; removed keys disappear with their comments.
 * Fields whose value is `undefined` count as absent (as in JSON). An unchanged value returns
 * `originalText` byte for byte. New or changed strings that kops's YAML 1.1 reader would misread
 * (`on`, `1.30`, `0755`) are double-quoted.
 *
 * Two paths: changed scalars and keys added to or removed from block maps (the usual `--set`,
 * `--unset` and merges) are edited in the concrete syntax tree, so every other byte is kept;
 * anything else (a list resized, a scalar turned into a map) re-renders from the syntax tree,
 * which keeps comments and quoting but normalises indentation to kops's layout. Keyed lists
 * (every item has a distinct `name`) are then matched by name, so a comment stays with its item
 * when items move, and anchors and aliases are expanded first, because editing an anchored node
 * would silently change every alias of it. Either way the result is parsed back and must equal
 * `newValue`.
 *
 * @throws StateStoreError InvalidArgument when the original text is not acceptable YAML (see
 *   {@link parseYaml}) or the value cannot be written as YAML that reads back equal (a Date, a Map,
 *   a function, a `__proto__` key).
 * @example
 * ```ts
 * const text = '# managed by hand\nspec:\n  kubernetesVersion: 1.29.0 # pinned\n';
 * updateYamlText(text, { spec: { kubernetesVersion: '1.30.0' } });
 * // '# managed by hand\nspec:\n  kubernetesVersion: 1.30.0 # pinned\n'
 * ```
 */
export function updateYamlText(originalText: string, newValue: unknown, limits?: YamlLimits): string {
  return updateParsedYamlText(originalText, parseYamlDocuments(originalText, limits), newValue);
}

/**
 * {@link updateYamlText} for a text the caller has just parsed with `parseYamlDocuments` (same
 * limits): `documents` must be that result, unused since; its syntax tree may be edited here.
 * @internal
 */
export function updateParsedYamlText(originalText: string, documents: ParsedYaml[], newValue: unknown): string {
  if (documents.length > 1) throw new StateStoreError('InvalidArgument', `expected one YAML document, found ${documents.length}`);
  const parsed = documents[0];
  assertSafeValue(newValue);
  if (parsed !== undefined && jsonEqual(parsed.value, withoutUndefined(newValue))) return originalText;
  if (parsed === undefined) return stringifyYaml(newValue);
  const exact = editScalarsInPlace(originalText, newValue);
  if (exact !== undefined && readsAs(exact, newValue)) return exact;
  const { document } = parsed;
  expandAliases(document);
  document.setSchema('1.1', WRITE_SCHEMA);
  document.contents = reconcile(document, document.contents as Node | null, newValue) as typeof document.contents;
  quoteAmbiguousStrings(document);
  return withOuterBlankLines(originalText, render(document, newValue));
}

/**
 * The syntax tree does not keep blank lines before the first node or after the last one (a
 * document cut from a `---` file has both), so they are copied from the original text.
 */
function withOuterBlankLines(original: string, written: string): string {
  const leading = /^(?:[ \t]*\r?\n)*/.exec(original)?.[0] ?? '';
  const trailing = /\r?\n(?:[ \t]*\r?\n)*$/.exec(original)?.[0] ?? '';
  return leading + written.replace(/^(?:[ \t]*\n)*/, '').replace(/\n(?:[ \t]*\n)*$/, '') + trailing;
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
      const sameKind = typeof node.value === typeof value && (node.value === null) === (value === null);
      node.value = value;
      node.format = undefined; // a hex or octal source format must not carry over to a new number
      if (!sameKind) node.type = undefined; // a quoted string turning into a number must lose its quotes
      if (typeof value === 'string' && node.type === Scalar.PLAIN) node.type = undefined; // let the 1.1 rules decide quoting
      if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) {
        if (typeof value !== 'string') node.type = undefined;
      }
    }
    return node;
  }
  const created = document.createNode(value) as Node;
  if (node !== null) {
    created.commentBefore = node.commentBefore;
    created.comment = node.comment;
  }
  return created;
}

function reconcileMap(document: Document, map: YAMLMap, value: Record<string, unknown>): void {
  const keyOf = (pair: { key: unknown }): string => String(isScalar(pair.key) ? pair.key.value : pair.key);
  const present = (key: string): boolean => Object.hasOwn(value, key) && value[key] !== undefined;
  map.items = map.items.filter((pair) => present(keyOf(pair)));
  const seen = new Set<string>();
  for (const pair of map.items) {
    const key = keyOf(pair);
    seen.add(key);
    pair.value = reconcile(document, (pair.value ?? null) as Node | null, value[key]);
  }
  for (const key of Object.keys(value)) {
    if (!seen.has(key) && present(key)) map.items.push(document.createPair(key, value[key]) as (typeof map.items)[number]);
  }
}

function reconcileSeq(document: Document, seq: YAMLSeq, value: unknown[]): void {
  const newNames = value.map((item) => (isPlainObject(item) && typeof item.name === 'string' ? item.name : undefined));
  const oldNames = seq.items.map((item) => (isMap(item) ? item.get('name') : undefined)).map((name) => (typeof name === 'string' ? name : undefined));
  const distinct = (names: Array<string | undefined>): boolean => names.every((name) => name !== undefined) && new Set(names).size === names.length;
  if (distinct(newNames) && distinct(oldNames)) {
    const byName = new Map(oldNames.map((name, index) => [name!, seq.items[index] as Node]));
    seq.items = value.map((item, index) => reconcile(document, byName.get(newNames[index]!) ?? null, item));
    return;
  }
  seq.items = value.map((item, index) => reconcile(document, (seq.items[index] ?? null) as Node | null, item));
}

/** Replaces every alias by a copy of its target and drops anchors (kops never writes either). */
function expandAliases(document: Document): void {
  visit(document, {
    Alias(_, alias) {
      if (!isAlias(alias)) return undefined;
      const target = alias.resolve(document);
      return target === undefined ? visit.REMOVE : (target.clone() as Node);
    },
  });
  visit(document, {
    Node(_, node) {
      if ('anchor' in node) (node as { anchor?: string }).anchor = undefined;
    },
  });
}


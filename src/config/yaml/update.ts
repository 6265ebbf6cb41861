import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Scalar,
  visit,
  type Document,
  type Node,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import { assertSafeValue, isPlainObject, jsonEqual } from '../guard.js';
import { WRITE_SCHEMA, type YamlLimits } from './options.js';
import { editScalarsInPlace } from './cst-edit.js';
import { parseYamlDocuments, type ParsedYaml } from './parse.js';
import {
  assertNoYamlOnlyLineBreaks,
  assertReadableSize,
  readsAs,
  render,
  stringifyYaml,
  withoutUndefined,
} from './stringify.js';
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
 * when items move. Anchors and aliases are kept as they are, never expanded; a change to a value
 * an alias shares is refused. Either way the result is parsed back and must equal `newValue`, and
 * must fit the 4 MiB read limit.
 *
 * @throws StateStoreError InvalidArgument when the original text is not acceptable YAML (see
 *   {@link parseYaml}) or the value cannot be written as YAML that reads back equal (a Date, a Map,
 *   a function, a `__proto__` key), would change a value shared through an alias, or would be
 *   larger than the library reads back.
 * @example
 * ```ts
 * import { updateYamlText } from 'kops-statestore';
 *
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
  if (documents.length > 1)
    throw new StateStoreError('InvalidArgument', `expected one YAML document, found ${documents.length}`);
  const parsed = documents[0];
  assertSafeValue(newValue);
  if (parsed !== undefined && jsonEqual(parsed.value, withoutUndefined(newValue))) return originalText;
  if (parsed === undefined) return stringifyYaml(newValue);
  assertNoYamlOnlyLineBreaks(newValue);
  const exact = editScalarsInPlace(originalText, newValue);
  if (exact !== undefined && readsAs(exact, newValue)) return assertReadableSize(exact);
  const { document } = parsed;
  const aliased = aliasValues(document);
  document.setSchema('1.1', WRITE_SCHEMA);
  document.contents = reconcile(document, document.contents as Node | null, newValue) as typeof document.contents;
  quoteAmbiguousStrings(document);
  try {
    return assertReadableSize(withOuterBlankLines(originalText, render(document, newValue)));
  } catch (err) {
    if (!aliased || !isStateStoreError(err, 'InvalidArgument') || /over the/.test(err.message)) throw err;
    throw aliasRefusal();
  }
}

/**
 * Aliases are never expanded on an edit (issue #14.2: 99 aliases to a 43 KB string expanded into
 * 4.26 MB, which the library could then no longer read). A change to an anchored value that its
 * aliases do not share is refused: it would silently change every other copy too.
 */
function aliasRefusal(): StateStoreError {
  return new StateStoreError(
    'InvalidArgument',
    'cannot apply this change: it edits a value shared through a YAML anchor and alias (&name / *name), which would change every copy; aliases are kept, never expanded. Replace the aliases in the stored document with plain values first',
  );
}

/** What each alias of the document stands for before the edit; false when there is none. */
const ALIAS_VALUES = new WeakMap<Document, Map<Node, unknown>>();

function aliasValues(document: Document): boolean {
  const values = new Map<Node, unknown>();
  visit(document, {
    Alias(_, alias) {
      values.set(alias, alias.toJS(document, { maxAliasCount: -1 }));
    },
  });
  ALIAS_VALUES.set(document, values);
  return values.size > 0;
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
  if (isAlias(node)) {
    // Kept while it still stands for the new value; otherwise it gives way to the new value alone
    // (no copy of its anchor is ever made).
    if (jsonEqual(ALIAS_VALUES.get(document)?.get(node), withoutUndefined(value))) return node;
    return document.createNode(value) as Node;
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
    if (!seen.has(key) && present(key))
      map.items.push(document.createPair(key, value[key]) as (typeof map.items)[number]);
  }
}

function reconcileSeq(document: Document, seq: YAMLSeq, value: unknown[]): void {
  const newNames = value.map((item) => (isPlainObject(item) && typeof item.name === 'string' ? item.name : undefined));
  const oldNames = seq.items
    .map((item) => (isMap(item) ? item.get('name') : undefined))
    .map((name) => (typeof name === 'string' ? name : undefined));
  const distinct = (names: Array<string | undefined>): boolean =>
    names.every((name) => name !== undefined) && new Set(names).size === names.length;
  if (distinct(newNames) && distinct(oldNames)) {
    const byName = new Map(oldNames.map((name, index) => [name!, seq.items[index] as Node]));
    seq.items = value.map((item, index) => reconcile(document, byName.get(newNames[index]!) ?? null, item));
    return;
  }
  seq.items = value.map((item, index) => reconcile(document, (seq.items[index] ?? null) as Node | null, item));
}

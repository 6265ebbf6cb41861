import { Composer, CST, isMap, isScalar, isSeq, Parser, Scalar, type Node } from 'yaml';
import { isPlainObject } from '../guard.js';
import { PARSE_OPTIONS } from './options.js';
import { stringifyYaml } from './stringify.js';
import { goYamlReadsAsNonString } from './yaml11.js';

interface Edit {
  token: CST.Token;
  value: unknown;
  afterKey: boolean;
}

/** Structural edits of one block map: items to drop (by index) and keys to append. */
interface MapEdit {
  map: CST.BlockMap;
  remove: number[];
  add: Array<[string, unknown]>;
}

interface Edits {
  scalars: Edit[];
  maps: MapEdit[];
}

/**
 * The exact path of {@link updateYamlText}: when `newValue` differs from the document only in
 * scalar values and in keys removed from or added to block maps (no list resized, no scalar
 * turned into a map, no key moved), it edits just those tokens of the concrete syntax tree, so
 * every other byte of the text (indentation, blank lines, flow style, comments) is kept. Returns
 * undefined otherwise, and the caller re-renders from the syntax tree instead. The caller checks
 * that the result reads back as `newValue`.
 */
export function editScalarsInPlace(text: string, newValue: unknown): string | undefined {
  const tokens = Array.from(new Parser().parse(text));
  const documents = Array.from(new Composer({ ...PARSE_OPTIONS, keepSourceTokens: true }).compose(tokens, true, text.length));
  if (documents.length !== 1) return undefined;
  const edits: Edits = { scalars: [], maps: [] };
  if (!collect(documents[0]!.contents as Node | null, newValue, false, edits)) return undefined;
  for (const edit of edits.scalars) {
    const source = scalarSource(edit.value);
    if (source === undefined) return undefined;
    CST.setScalarValue(edit.token, source.text, { afterKey: edit.afterKey, type: source.type ?? keptQuoting(edit.token) });
  }
  for (const { map, remove, add } of edits.maps) {
    // An item's `start` holds the comments and indentation before its key, so they go with it.
    for (const index of [...remove].sort((a, b) => b - a)) map.items.splice(index, 1);
    for (const [key, value] of add) {
      const item = newMapItem(key, value, map.indent);
      if (item === undefined) return undefined;
      map.items.push(item);
    }
  }
  return tokens.map((token) => CST.stringify(token)).join('');
}

function collect(node: Node | null, value: unknown, afterKey: boolean, edits: Edits): boolean {
  if (isMap(node)) {
    if (!isPlainObject(value)) return false;
    const present = (key: string): boolean => Object.hasOwn(value, key) && value[key] !== undefined;
    const block = node.srcToken?.type === 'block-map' ? node.srcToken : undefined;
    const mapEdit: MapEdit | undefined = block && block.items.length === node.items.length ? { map: block, remove: [], add: [] } : undefined;
    const seen = new Set<string>();
    const ok = node.items.every((pair, index) => {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') return false;
      const name = String(key);
      seen.add(name);
      if (!present(name)) {
        mapEdit?.remove.push(index);
        return mapEdit !== undefined;
      }
      return collect((pair.value ?? null) as Node | null, value[name], true, edits);
    });
    if (!ok) return false;
    const added = Object.keys(value).filter((key) => present(key) && !seen.has(key));
    if (added.length > 0 && mapEdit === undefined) return false;
    if (mapEdit !== undefined && (mapEdit.remove.length > 0 || added.length > 0)) {
      if (mapEdit.remove.length === node.items.length) return false; // an emptied block map must become `{}`
      mapEdit.add = added.map((key) => [key, value[key]]);
      edits.maps.push(mapEdit);
    }
    return true;
  }
  if (isSeq(node)) {
    if (!Array.isArray(value) || value.length !== node.items.length) return false;
    if (reordered(node.items, value)) return false; // the tree path matches items by name, keeping their comments
    return node.items.every((item, index) => collect(item as Node, value[index], false, edits));
  }
  if (isScalar(node)) {
    if (value !== null && typeof value === 'object') return false;
    if (node.value === value) return true;
    if (node.srcToken === undefined) return false;
    edits.scalars.push({ token: node.srcToken, value, afterKey });
    return true;
  }
  return false; // aliases, or an empty value (`key:` with nothing): let the tree path handle them
}

/** True when both lists are keyed by distinct names and the names come in another order. */
function reordered(items: readonly unknown[], value: readonly unknown[]): boolean {
  const oldNames = items.map((item) => (isMap(item) ? item.get('name') : undefined));
  const newNames = value.map((item) => (isPlainObject(item) ? item.name : undefined));
  const keyed = (names: unknown[]): boolean => names.every((name) => typeof name === 'string') && new Set(names).size === names.length;
  return keyed(oldNames) && keyed(newNames) && oldNames.some((name, index) => name !== newNames[index]);
}

/** A block-map item for `key: value`, written as kops writes it, indented to `indent` columns. */
function newMapItem(key: string, value: unknown, indent: number): CST.BlockMap['items'][number] | undefined {
  const pad = ' '.repeat(indent);
  const text = stringifyYaml({ [key]: value }).split('\n').map((line) => (line === '' ? line : pad + line)).join('\n');
  const document = Array.from(new Parser().parse(text)).find((token): token is CST.Document => token.type === 'document');
  const map = document?.value;
  if (map?.type !== 'block-map' || map.items.length !== 1) return undefined;
  const item = map.items[0]!;
  if (indent > 0 && !item.start.some((token) => token.type === 'space')) {
    item.start.unshift({ type: 'space', offset: 0, indent: 0, source: pad });
  }
  return item;
}

/** The text and (when it must change) the quoting of a new scalar value. */
function scalarSource(value: unknown): { text: string; type?: Scalar.Type } | undefined {
  if (typeof value === 'string') return goYamlReadsAsNonString(value) ? { text: value, type: Scalar.QUOTE_DOUBLE } : { text: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { text: String(value), type: Scalar.PLAIN };
  if (typeof value === 'boolean' || value === null) return { text: String(value), type: Scalar.PLAIN };
  return undefined;
}

/** A string keeps the quotes or block style it had; a former number or boolean becomes plain. */
function keptQuoting(token: CST.Token): Scalar.Type {
  if (token.type === 'single-quoted-scalar') return Scalar.QUOTE_SINGLE;
  if (token.type === 'double-quoted-scalar') return Scalar.QUOTE_DOUBLE;
  if (token.type === 'block-scalar') return token.props[0]?.type === 'block-scalar-header' && token.props[0].source.startsWith('>') ? Scalar.BLOCK_FOLDED : Scalar.BLOCK_LITERAL;
  return Scalar.PLAIN;
}

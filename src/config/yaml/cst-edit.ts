import { Composer, CST, isAlias, isMap, isScalar, isSeq, Parser, Scalar, type Document, type Node } from 'yaml';
import { isPlainObject, jsonEqual } from '../guard.js';
import { PARSE_OPTIONS } from './options.js';
import { goYamlStringify } from './go-emit.js';
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

/** Structural edits of one block sequence: items to drop (by index) and items to append. */
interface SeqEdit {
  seq: CST.BlockSequence;
  remove: number[];
  add: unknown[];
}

interface Edits {
  /** The document being edited, to read what an alias stands for. */
  document: Document;
  scalars: Edit[];
  maps: MapEdit[];
  seqs: SeqEdit[];
}

/**
 * The exact path of {@link updateYamlText}: when `newValue` differs from the document only in
 * scalar values, keys removed from or added to block maps, and items removed from or appended to
 * block lists (nothing moved, no scalar turned into a map), it edits just those tokens of the concrete syntax tree, so
 * every other byte of the text (indentation, blank lines, flow style, comments) is kept. Returns
 * undefined otherwise, and the caller re-renders from the syntax tree instead. The caller checks
 * that the result reads back as `newValue`.
 */
export function editScalarsInPlace(text: string, newValue: unknown): string | undefined {
  const tokens = Array.from(new Parser().parse(text));
  const documents = Array.from(
    new Composer({ ...PARSE_OPTIONS, keepSourceTokens: true }).compose(tokens, true, text.length),
  );
  if (documents.length !== 1) return undefined;
  const edits: Edits = { document: documents[0]!, scalars: [], maps: [], seqs: [] };
  if (!collect(documents[0]!.contents as Node | null, newValue, false, edits)) return undefined;
  for (const edit of edits.scalars) {
    const source = scalarSource(edit.value);
    if (source === undefined) return undefined;
    CST.setScalarValue(edit.token, source.text, {
      afterKey: edit.afterKey,
      type: source.type ?? keptQuoting(edit.token),
    });
  }
  for (const { map, remove, add } of edits.maps) {
    if (remove.includes(0)) dropCommentsBefore(tokens, map);
    removeItems(map.items, remove);
    const items = newItems(
      add.map(([key, value]) => ({ [key]: value })),
      map.indent,
      'block-map',
    );
    if (items === undefined) return undefined;
    for (const item of items) map.items.push(item);
  }
  for (const { seq, remove, add } of edits.seqs) {
    if (remove.includes(0)) dropCommentsBefore(tokens, seq);
    removeItems(seq.items, remove);
    const items = newItems<CST.BlockSequence['items'][number]>(
      add.map((value) => [value]),
      seq.indent,
      'block-seq',
    );
    if (items === undefined) return undefined;
    for (const item of items) seq.items.push(item);
  }
  return tokens.map((token) => CST.stringify(token)).join('');
}

function collect(node: Node | null, value: unknown, afterKey: boolean, edits: Edits): boolean {
  if (isMap(node)) {
    if (!isPlainObject(value)) return false;
    const present = (key: string): boolean => Object.hasOwn(value, key) && value[key] !== undefined;
    const block = node.srcToken?.type === 'block-map' ? node.srcToken : undefined;
    const mapEdit: MapEdit | undefined =
      block && block.items.length === node.items.length ? { map: block, remove: [], add: [] } : undefined;
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
    if (!Array.isArray(value)) return false;
    const plan = planSeq(node.items, value);
    if (plan === undefined) return false;
    const block =
      node.srcToken?.type === 'block-seq' && node.srcToken.items.length === node.items.length
        ? node.srcToken
        : undefined;
    if (plan.remove.length > 0 || plan.add.length > 0) {
      if (block === undefined || plan.remove.length === node.items.length) return false; // flow lists, and `[]`, take the tree path
      edits.seqs.push({ seq: block, remove: plan.remove, add: plan.add });
    }
    return plan.pairs.every(([index, newIndex]) => collect(node.items[index] as Node, value[newIndex], false, edits));
  }
  if (isScalar(node)) {
    if (value !== null && typeof value === 'object') return false;
    if (node.value === value) return true;
    if (node.srcToken === undefined) return false;
    edits.scalars.push({ token: node.srcToken, value, afterKey });
    return true;
  }
  // An alias whose value stays is kept as it is (never expanded); a changed one takes the tree path.
  if (isAlias(node)) return jsonEqual(node.toJS(edits.document, { maxAliasCount: -1 }), value);
  return false; // an empty value (`key:` with nothing): let the tree path handle it
}

/**
 * How a list changes without moving anything: which old items are kept (paired with their new
 * index), dropped, and which new items are appended at the end. Lists keyed by distinct `name`s
 * pair items by name (kops's subnets, etcd clusters ...), others by position; a reorder, or an
 * unkeyed list that shrinks, has no such plan (undefined) and takes the tree path.
 */
function planSeq(
  items: readonly unknown[],
  value: readonly unknown[],
): { pairs: Array<[number, number]>; remove: number[]; add: unknown[] } | undefined {
  const oldNames = items.map((item) => (isMap(item) ? item.get('name') : undefined));
  const newNames = value.map((item) => (isPlainObject(item) ? item.name : undefined));
  const keyed = (names: unknown[]): names is string[] =>
    names.every((name) => typeof name === 'string') && new Set(names).size === names.length;
  if (keyed(oldNames) && keyed(newNames)) {
    const oldIndex = new Map(oldNames.map((name, index) => [name, index]));
    const pairs: Array<[number, number]> = [];
    let appending = false;
    for (const [newIndex, name] of newNames.entries()) {
      const index = oldIndex.get(name);
      if (index === undefined) appending = true;
      else if (appending || (pairs.length > 0 && pairs[pairs.length - 1]![0] > index)) return undefined;
      else pairs.push([index, newIndex]);
    }
    const keptNames = new Set(newNames);
    return {
      pairs,
      remove: oldNames.flatMap((name, index) => (keptNames.has(name) ? [] : [index])),
      add: value.filter((_, newIndex) => !oldIndex.has(newNames[newIndex]!)),
    };
  }
  if (value.length < items.length) return undefined;
  return { pairs: items.map((_, index) => [index, index]), remove: [], add: value.slice(items.length) };
}

/**
 * Comments on their own lines just before a collection's first item live in the token before the
 * collection (the parent key's separator, or the document start): they belong to that first item
 * and go with it.
 */
function dropCommentsBefore(tokens: readonly CST.Token[], collection: CST.Token): void {
  const before = precedingTokens(tokens, collection);
  if (before === undefined) return;
  const lineStart = before.findIndex((token) => token.type === 'newline');
  if (lineStart === -1) return;
  const kept = before.slice(0, lineStart + 1);
  for (let index = lineStart + 1; index < before.length; index++) {
    const token = before[index]!;
    const next = before[index + 1];
    if (token.type === 'comment') {
      if (next?.type === 'newline') index++; // the comment's line ends with it
      continue;
    }
    if (token.type === 'space' && next?.type === 'comment') continue; // the comment's indentation
    kept.push(token);
  }
  before.length = 0;
  for (const token of kept) before.push(token);
}

function precedingTokens(tokens: readonly CST.Token[], target: CST.Token): CST.SourceToken[] | undefined {
  for (const token of tokens) {
    if (token.type === 'document') {
      if (token.value === target) return token.start;
      if (token.value !== undefined) {
        const found = precedingTokens([token.value], target);
        if (found) return found;
      }
    } else if (token.type === 'block-map' || token.type === 'block-seq') {
      for (const item of token.items as Array<{
        start: CST.SourceToken[];
        sep?: CST.SourceToken[];
        value?: CST.Token;
      }>) {
        if (item.value === target) return item.sep ?? item.start;
        if (item.value !== undefined) {
          const found = precedingTokens([item.value], target);
          if (found) return found;
        }
      }
    }
  }
  return undefined;
}

/**
 * Drops items; an item's `start` holds the comments and indentation before it, so they go too.
 * The first item's indentation is not in its `start` but in the token before the collection, so
 * when the first item goes, the next one's own indentation must go with it.
 */
function removeItems(items: Array<{ start: CST.SourceToken[] }>, remove: readonly number[]): void {
  const firstIndented = items[0]?.start[0]?.type === 'space';
  // One pass (a splice per removed item moved the rest each time: quadratic for many removals).
  const dropped = new Set(remove);
  let kept = 0;
  for (let index = 0; index < items.length; index++) if (!dropped.has(index)) items[kept++] = items[index]!;
  items.length = kept;
  const first = items[0];
  if (remove.includes(0) && !firstIndented && first?.start[0]?.type === 'space') first.start.shift();
}

/**
 * The block-map items (`{ key: value }` parts) or block-sequence items (`[value]` parts) to append,
 * written as kops writes them and indented to `indent` columns: all parsed at once, so adding
 * 60,000 keys costs one parse, not 60,000 (issue #25.8). Not read back one by one: the caller
 * reads the whole edited text back. Undefined when a part does not give exactly one item.
 */
function newItems<Item extends { start: CST.SourceToken[] }>(
  parts: readonly unknown[],
  indent: number,
  type: 'block-map' | 'block-seq',
): Item[] | undefined {
  if (parts.length === 0) return [];
  const pad = ' '.repeat(indent);
  const text = parts
    .map((part) => goYamlStringify(part))
    .join('')
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
  const document = Array.from(new Parser().parse(text)).find(
    (token): token is CST.Document => token.type === 'document',
  );
  const collection = document?.value;
  if (collection?.type !== type) return undefined;
  const items = (collection as CST.BlockMap | CST.BlockSequence).items as unknown as Item[];
  if (items.length !== parts.length) return undefined;
  const first = items[0]!;
  if (indent > 0 && first.start[0]?.type !== 'space')
    first.start.unshift({ type: 'space', offset: 0, indent: 0, source: pad });
  return items;
}

/** The text and (when it must change) the quoting of a new scalar value. */
function scalarSource(value: unknown): { text: string; type?: Scalar.Type } | undefined {
  if (typeof value === 'string')
    return goYamlReadsAsNonString(value) ? { text: value, type: Scalar.QUOTE_DOUBLE } : { text: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { text: String(value), type: Scalar.PLAIN };
  if (typeof value === 'boolean' || value === null) return { text: String(value), type: Scalar.PLAIN };
  return undefined;
}

/** A string keeps the quotes or block style it had; a former number or boolean becomes plain. */
function keptQuoting(token: CST.Token): Scalar.Type {
  if (token.type === 'single-quoted-scalar') return Scalar.QUOTE_SINGLE;
  if (token.type === 'double-quoted-scalar') return Scalar.QUOTE_DOUBLE;
  if (token.type === 'block-scalar')
    return token.props[0]?.type === 'block-scalar-header' && token.props[0].source.startsWith('>')
      ? Scalar.BLOCK_FOLDED
      : Scalar.BLOCK_LITERAL;
  return Scalar.PLAIN;
}

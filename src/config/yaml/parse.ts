import {
  LineCounter,
  Scalar,
  Schema,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Pair,
  type YAMLMap,
  type EmptyStream,
  type YAMLError,
} from 'yaml';
import { StateStoreError } from '../../errors.js';
import { isUnsafeKey } from '../guard.js';
import { DEFAULT_LIMITS, PARSE_OPTIONS, type YamlLimits } from './options.js';

/**
 * The schema PARSE_OPTIONS give a YAML 1.1 document (what the `yaml` package's setSchema builds
 * for them), built once: otherwise each document builds its own tag list, about a tenth of a
 * small config's parse (a move parses one config per cluster). Shared only with texts without a
 * `%YAML` directive, which may ask for another version's schema: those still get their own.
 * Shared, it must never change: with `resolveKnownTags` the `yaml` package adds each known tag a
 * document names (`!!merge`, ...) to the schema's tag list, so it stays false (the tag list is
 * then only read: test/config/yaml-shared-schema.test.ts).
 */
const PARSE_SCHEMA = new Schema({
  resolveKnownTags: false,
  schema: 'yaml-1.1',
  merge: PARSE_OPTIONS.merge,
  customTags: PARSE_OPTIONS.customTags,
});

/** One parsed YAML document: its plain value and the syntax tree it came from (kept for round-trips). */
export interface ParsedYaml {
  value: unknown;
  document: Document.Parsed;
}

/**
 * Parses YAML text (one or more `---`-separated documents, empty ones skipped) into values and
 * syntax trees, safely: a size limit (checked before parsing), an alias-expansion limit
 * ("billion laughs"), duplicate keys refused, YAML merge keys (`<<`) refused, complex keys
 * refused, and `__proto__` / `constructor` / `prototype` keys refused anywhere. Scalars are read
 * as kops's YAML 1.1 reader reads them (`on` is true, `0755` is 493), except timestamps, which stay
 * strings as they do for kops's string fields.
 *
 * @throws StateStoreError InvalidArgument naming the line and column (and the JSON path for a refused key).
 */
export function parseYamlDocuments(text: string, limits: YamlLimits = {}): ParsedYaml[] {
  const { maxBytes, maxAliasCount } = { ...DEFAULT_LIMITS, ...limits };
  if (typeof text !== 'string') throw new StateStoreError('InvalidArgument', 'YAML input must be a string');
  // Cheap upper bound first (UTF-8 uses at most 3 bytes per UTF-16 unit), exact count only near the limit.
  if (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new StateStoreError('InvalidArgument', `YAML document is larger than ${maxBytes} bytes`);
  }
  const lines = new LineCounter();
  let documents: Document.Parsed[] | EmptyStream;
  try {
    const schema = text.includes('%YAML') ? {} : { schema: PARSE_SCHEMA };
    documents = parseAllDocuments(text, { ...PARSE_OPTIONS, ...schema, lineCounter: lines });
  } catch (err) {
    // The parser recurses per nesting level: a pathologically deep document exhausts the stack.
    throw new StateStoreError('InvalidArgument', `invalid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(documents)) return []; // only comments or whitespace
  const parsed: ParsedYaml[] = [];
  for (const document of documents) {
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem !== undefined) throw yamlProblem(problem, lines);
    if (isEmpty(document)) continue; // as between `---` and `---`, or after a trailing `---`
    refuseUnsafeKeys(document, lines);
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount });
    } catch (err) {
      throw new StateStoreError('InvalidArgument', `invalid YAML: ${(err as Error).message}`, { cause: err });
    }
    parsed.push({ value, document });
  }
  return parsed;
}

/**
 * Parses YAML text holding exactly one document, with the safety rules of
 * {@link parseYamlDocuments}; returns its value and syntax tree (pass the text to
 * {@link updateYamlText} later to write changes back with comments kept).
 *
 * @example
 * ```ts
 * import { parseYaml } from './parse.js'; // internal: the package exports public-parse.ts's
 *
 * parseYaml('spec:\n  kubernetesVersion: 1.30.0\n').value; // { spec: { kubernetesVersion: '1.30.0' } }
 * parseYaml('a: 1\na: 2\n'); // throws StateStoreError InvalidArgument (duplicate key, line 2)
 * ```
 */
export function parseYaml(text: string, limits?: YamlLimits): ParsedYaml {
  const documents = parseYamlDocuments(text, limits);
  if (documents.length !== 1)
    throw new StateStoreError('InvalidArgument', `expected one YAML document, found ${documents.length}`);
  return documents[0]!;
}

/** Parses every document of a `---`-separated YAML text and returns their values, in order. */
export function parseYamlAll(text: string, limits?: YamlLimits): unknown[] {
  return parseYamlDocuments(text, limits).map((document) => document.value);
}

function yamlProblem(problem: YAMLError, lines: LineCounter): StateStoreError {
  const { line, col } = problem.linePos?.[0] ?? lines.linePos(problem.pos[0]);
  const message = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return new StateStoreError('InvalidArgument', `invalid YAML at line ${line}, column ${col}: ${message}`, {
    cause: problem,
  });
}

/** The line of a node, for messages. */
function lineOf(node: unknown, lines: LineCounter): { line: number; col: number } | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]) : undefined;
}

type Refuse = (what: string, node: unknown, ancestors: readonly unknown[], key?: string, more?: string) => never;

/**
 * Walks the document depth first in the order of the `yaml` package's visit() (a map's duplicate
 * keys, then each pair's key and value), keeping one stack of ancestors where visit() copies and
 * freezes the path at every collection and pair: the same checks, for less CPU per document.
 */
function refuseUnsafeKeys(document: Document, lines: LineCounter): void {
  const refuse: Refuse = (what, node, ancestors, key, more = '') => {
    const position = lineOf(node, lines);
    const pointer = jsonPointer(ancestors, key);
    const where = [
      pointer === '' ? undefined : `at ${pointer}`,
      position && `line ${position.line}, column ${position.col}`,
    ]
      .filter(Boolean)
      .join(', ');
    throw new StateStoreError('InvalidArgument', `invalid YAML: ${what}${where ? ` (${where}${more})` : ''}`);
  };
  const ancestors: unknown[] = [document];
  const walk = (node: unknown): void => {
    if (isMap(node)) refuseDuplicateKeys(node, ancestors, lines, refuse);
    if (isMap(node) || isSeq(node)) {
      ancestors.push(node);
      for (const item of node.items) walk(item);
      ancestors.pop();
    } else if (isPair(node)) {
      refuseUnsafeKey(node, ancestors, refuse);
      ancestors.push(node);
      walk(node.key);
      walk(node.value);
      ancestors.pop();
    }
  };
  walk(document.contents);
}

/**
 * Duplicate keys, in one pass per map (a Map of the keys seen). Keys are compared as the JSON
 * object they become: `1` and "1", or an empty key and "", would silently collapse into one.
 */
function refuseDuplicateKeys(map: YAMLMap, ancestors: readonly unknown[], lines: LineCounter, refuse: Refuse): void {
  const seen = new Map<string, unknown>();
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key === 'object' && key !== null) continue; // complex keys: refused by refuseUnsafeKey
    const name = key === null || key === undefined ? '' : String(key);
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, pair.key);
      continue;
    }
    const firstLine = lineOf(first, lines)?.line;
    refuse(
      `the key ${JSON.stringify(name)} appears twice in one map`,
      pair.key,
      [...ancestors, map],
      name,
      firstLine === undefined ? '' : `; first at line ${firstLine}`,
    );
  }
}

/** Complex, aliased and merge keys, and keys that would pollute a prototype. */
function refuseUnsafeKey(pair: Pair, ancestors: readonly unknown[], refuse: Refuse): void {
  if (isAlias(pair.key) || isMap(pair.key) || isSeq(pair.key))
    refuse('complex or aliased map keys are not accepted', pair.key, ancestors);
  const key = isScalar(pair.key) ? pair.key.value : pair.key;
  // A plain `<<` is a merge key to YAML 1.1 readers (kops's included); a quoted "<<" is a string.
  const plain = isScalar(pair.key) && (pair.key.type === undefined || pair.key.type === Scalar.PLAIN);
  if ((key === '<<' && plain) || typeof key === 'symbol')
    refuse('merge keys ("<<") are not accepted', pair.key, ancestors, '<<');
  if (typeof key === 'string' && isUnsafeKey(key))
    refuse(`the key "${key}" is not accepted (prototype pollution guard)`, pair.key, ancestors, key);
}

/** The JSON pointer of a pair, from the visitor's ancestor chain. */
function jsonPointer(ancestors: readonly unknown[], lastKey?: string): string {
  const segments: string[] = [];
  ancestors.forEach((node, index) => {
    if (isPair(node)) segments.push(String(isScalar(node.key) ? node.key.value : node.key));
    else if (isSeq(node)) {
      const child = ancestors[index + 1];
      if (child !== undefined) segments.push(String(node.items.indexOf(child as never)));
    }
  });
  if (lastKey !== undefined) segments.push(lastKey);
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** A document with no content at all (the parser gives it a zero-length null scalar). */
function isEmpty(document: Document.Parsed): boolean {
  const contents = document.contents;
  return (
    contents === null || (isScalar(contents) && contents.value === null && contents.range[0] === contents.range[1])
  );
}

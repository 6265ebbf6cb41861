import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Document } from 'yaml';
import { StateStoreError } from '../../vfs/errors.js';
import { assertSafeKey } from '../guard.js';
import { DEFAULT_LIMITS, PARSE_OPTIONS, type YamlLimits } from './options.js';

/** One parsed YAML document: its plain value and the AST it came from (kept for round-trips). */
export interface ParsedYaml {
  value: unknown;
  document: Document.Parsed;
}

/**
 * Parses YAML text (one or more `---`-separated documents) safely: size and alias limits,
 * duplicate keys refused, YAML merge keys (`<<`) refused, `__proto__` / `constructor` /
 * `prototype` keys refused. Every problem is an InvalidArgument error naming line and column.
 */
export function parseYamlDocuments(text: string, limits: YamlLimits = {}): ParsedYaml[] {
  const { maxBytes, maxAliasCount } = { ...DEFAULT_LIMITS, ...limits };
  if (typeof text !== 'string') throw new StateStoreError('InvalidArgument', 'YAML input must be a string');
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new StateStoreError('InvalidArgument', `YAML document is larger than ${maxBytes} bytes`);
  }
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
  if (!Array.isArray(documents)) throw new StateStoreError('InvalidArgument', 'YAML input is empty');
  return documents
    .filter((document) => document.contents !== null || document.errors.length > 0)
    .map((document) => {
      const error = document.errors[0] ?? document.warnings[0];
      if (error !== undefined) throw new StateStoreError('InvalidArgument', `invalid YAML: ${error.message.split('\n')[0]}`, { cause: error });
      refuseUnsafeKeys(document, lines);
      try {
        return { value: document.toJS({ maxAliasCount }), document };
      } catch (err) {
        throw new StateStoreError('InvalidArgument', `invalid YAML: ${(err as Error).message}`, { cause: err });
      }
    });
}

/** Parses exactly one YAML document. */
export function parseYaml(text: string, limits?: YamlLimits): ParsedYaml {
  const documents = parseYamlDocuments(text, limits);
  if (documents.length !== 1) throw new StateStoreError('InvalidArgument', `expected one YAML document, found ${documents.length}`);
  return documents[0]!;
}

function refuseUnsafeKeys(document: Document.Parsed, lines: LineCounter): void {
  const where = (node: unknown): string => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return '';
    const { line, col } = lines.linePos(range[0]);
    return ` at line ${line}, column ${col}`;
  };
  visit(document, {
    Pair(_, pair) {
      if (!isPair(pair)) return;
      if (isAlias(pair.key) || isMap(pair.key) || isSeq(pair.key)) {
        throw new StateStoreError('InvalidArgument', `invalid YAML: complex or aliased map keys are not accepted${where(pair.key)}`);
      }
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      // In YAML 1.1 mode the merge key parses as a symbol; refuse it in either form.
      if (key === '<<' || typeof key === 'symbol') throw new StateStoreError('InvalidArgument', `invalid YAML: merge keys ("<<") are not accepted${where(pair.key)}`);
      if (typeof key === 'string') assertSafeKey(key, where(pair.key));
    },
  });
}

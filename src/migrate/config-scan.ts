import type { Scalar } from 'yaml';
import { isUnsafeKey } from '../config/guard.js';
import { goResolve } from '../config/yaml/go-resolve.js';

/** Where a string scalar lies in a config's text, and how it is quoted (for replaceScalars). */
export interface ScalarAt {
  readonly start: number;
  readonly end: number;
  readonly type: Scalar['type'];
}

// Scalar.PLAIN, QUOTE_DOUBLE and QUOTE_SINGLE, spelled out: the scan imports nothing of `yaml` at
// run time, so that a move loads the parser only for a config the scan cannot read
// (scripts/lazy-config.ts).
const PLAIN: Scalar['type'] = 'PLAIN';
const QUOTE_DOUBLE: Scalar['type'] = 'QUOTE_DOUBLE';
const QUOTE_SINGLE: Scalar['type'] = 'QUOTE_SINGLE';

/** What a move reads of a config: the fields that name the store, and where their scalars lie. */
export interface StoreFields {
  /**
   * The config's value, or as much of it as the move reads: `spec` (a plain object when the
   * config's is a map) with configBase, keyStore, secretStore and each etcd cluster's
   * `backups.backupStore` (a string, or null when the config's is not one).
   */
  readonly value: unknown;
  /** The scalar at a JSON pointer of one of those fields, if it is one. */
  scalar(pointer: string): ScalarAt | undefined;
}

/** Texts larger than this go to the full parser (kops configs are a few KiB). */
const MAX_SCANNED = 256 * 1024;
/** Deeper nesting goes to the full parser (kops's deepest field is about ten levels down). */
const MAX_DEPTH = 64;
/** Printable ASCII and newlines only: no tabs, CRs, BOMs, control or non-ASCII characters. */
const PLAIN_TEXT = /^[\x20-\x7e\n]*$/;
/** An implicit key the scan accepts: a plain scalar of these characters, then `: ` or `:` at the end. */
const KEY = /^([A-Za-z_][\w./-]*):(?= |$)/;
/** Characters a plain scalar may not start with (YAML's indicators). */
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`');

type Node = MapNode | SeqNode | ScalarNode | null;
interface MapNode {
  readonly kind: 'map';
  readonly pairs: Map<string, Node>;
}
interface SeqNode {
  readonly kind: 'seq';
  readonly items: Node[];
}
interface ScalarNode extends ScalarAt {
  readonly kind: 'scalar';
  readonly text: string;
}
interface Line {
  readonly start: number;
  readonly indent: number;
  readonly end: number;
}

/** Thrown inside the scan when the text leaves the subset: the caller then parses it in full. */
const LEAVE = Symbol('not in the scanned subset');

/**
 * Reads the store fields of a kops config without the `yaml` package, for the subset of YAML
 * kops writes: one document, a block mapping at the top, block mappings and sequences, plain
 * scalars on one line, quoted scalars on one line without escapes, `{}` and `[]`, comments. Every
 * key must be a plain string (no YAML 1.1 boolean or null words), unique in its map and none of
 * `__proto__`, `constructor`, `prototype`. Anything else (tabs, non-ASCII, anchors, tags, block
 * scalars, flow collections with content, multi-line scalars, a second document, a refused or
 * duplicate key, bad YAML) gives undefined: the caller then parses the text with
 * parseYamlDocuments, which accepts or refuses it with its own messages. A text this scan
 * accepts is one that parse accepts, with the same store fields (test/migrate/config-scan.test.ts
 * compares both over kops's fixtures, hostile inputs and generated texts).
 */
export function scanStoreFields(text: string): StoreFields | undefined {
  if (text.length > MAX_SCANNED || !PLAIN_TEXT.test(text)) return undefined;
  const scan = new Scan(text);
  let root: Node;
  try {
    root = scan.top();
  } catch (err) {
    if (err === LEAVE) return undefined;
    throw err;
  }
  return storeFields(root);
}

class Scan {
  private readonly lines: Line[] = [];
  private at = 0;

  constructor(private readonly text: string) {
    for (let start = 0; start <= text.length;) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      let indent = 0;
      while (text.charCodeAt(start + indent) === 32 && start + indent < end) indent += 1;
      // Blank lines and comment lines carry nothing (no block scalars, where they would).
      if (start + indent < end && text.charCodeAt(start + indent) !== 35) this.lines.push({ start, indent, end });
      start = end + 1;
    }
  }

  /** The document: a block mapping at column 0 that takes every line. */
  top(): Node {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0 || !this.keyAt(first, 0)) throw LEAVE;
    const root = this.map(0, 0);
    if (this.at !== this.lines.length) throw LEAVE;
    return root;
  }

  /** A block node starting on the current line at column `column`: a sequence or a mapping. */
  private block(column: number, depth: number): Node {
    const line = this.lines[this.at]!;
    if (this.itemAt(line, column)) return this.seq(column, depth);
    if (this.keyAt(line, column)) return this.map(column, depth);
    throw LEAVE; // a scalar on a line of its own, or anything else
  }

  /** A block mapping whose keys are at `column` (its first key may follow a sequence's `- `). */
  private map(column: number, depth: number): MapNode {
    if (depth > MAX_DEPTH) throw LEAVE;
    const pairs = new Map<string, Node>();
    for (let first = true; ; first = false) {
      const line = this.lines[this.at];
      if (line === undefined || (!first && line.indent < column)) break;
      if (!first && line.indent > column) throw LEAVE;
      const key = this.keyAt(line, column);
      if (key === undefined || key.length > 1000 || goResolve(key)[0] !== 'str' || isUnsafeKey(key) || pairs.has(key))
        throw LEAVE;
      pairs.set(key, this.value(line, line.start + column + key.length + 1, column, depth));
    }
    return { kind: 'map', pairs };
  }

  /** A block sequence whose `- ` are at `column`. */
  private seq(column: number, depth: number): SeqNode {
    if (depth > MAX_DEPTH) throw LEAVE;
    const items: Node[] = [];
    for (;;) {
      const line = this.lines[this.at];
      if (line === undefined || line.indent !== column || !this.itemAt(line, column)) break;
      let content = line.start + column + 1;
      while (this.text.charCodeAt(content) === 32) content += 1;
      if (content < line.end && this.keyAt(line, content - line.start)) {
        items.push(this.map(content - line.start, depth + 1));
      } else {
        if (content < line.end && this.itemAt(line, content - line.start)) throw LEAVE; // `- - x`
        items.push(this.value(line, line.start + column + 1, column, depth));
      }
      const next = this.lines[this.at];
      if (next !== undefined && next.indent > column) throw LEAVE;
    }
    return { kind: 'seq', items };
  }

  /**
   * The value after a key's `:` or a sequence's `-` (at `from`, on `line`, whose key or dash is at
   * `column`): on the same line, or a block below (more indented, or a sequence at the key's column).
   */
  private value(line: Line, from: number, column: number, depth: number): Node {
    let start = from;
    while (this.text.charCodeAt(start) === 32) start += 1;
    this.at += 1;
    if (start < line.end && this.text.charCodeAt(start) !== 35) {
      const node = this.inline(start, line.end);
      const next = this.lines[this.at];
      if (next !== undefined && next.indent > column) throw LEAVE; // a continuation line, or bad YAML
      return node;
    }
    const next = this.lines[this.at];
    if (next === undefined) return null;
    if (next.indent > column) return this.block(next.indent, depth + 1);
    if (next.indent === column && this.itemAt(next, column) && this.text.charCodeAt(from - 1) === 58)
      return this.seq(column, depth + 1);
    return null;
  }

  /** A value on one line from `start` to `end`: quoted, `{}`, `[]` or plain, then maybe a comment. */
  private inline(start: number, end: number): Node {
    const { text } = this;
    const first = text.charAt(start);
    if (first === '"' || first === "'") return this.quoted(start, end, first);
    if (first === '{' || first === '[') {
      if (text.charAt(start + 1) !== (first === '{' ? '}' : ']')) throw LEAVE;
      this.rest(start + 2, end);
      return first === '{' ? { kind: 'map', pairs: new Map() } : { kind: 'seq', items: [] };
    }
    // `-`, `?` and `:` start a plain scalar when a non-space follows (IPv6's `::/0`).
    const leads = '-?:'.includes(first) && start + 1 < end && text.charCodeAt(start + 1) !== 32;
    if (INDICATORS.has(first) && !leads) throw LEAVE;
    const comment = text.slice(start, end).indexOf(' #');
    let stop = comment === -1 ? end : start + comment;
    while (text.charCodeAt(stop - 1) === 32) stop -= 1;
    const value = text.slice(start, stop);
    if (value.includes(': ') || value.endsWith(':')) throw LEAVE;
    return { kind: 'scalar', start, end: stop, type: PLAIN, text: value };
  }

  /** A quoted scalar closed on its line: double-quoted without escapes, or single-quoted. */
  private quoted(start: number, end: number, quote: string): ScalarNode {
    const { text } = this;
    let close = start + 1;
    for (;;) {
      close = text.indexOf(quote, close);
      if (close === -1 || close >= end) throw LEAVE;
      if (quote === "'" && text.charAt(close + 1) === "'") close += 2;
      else break;
    }
    const inner = text.slice(start + 1, close);
    if (quote === '"' && inner.includes('\\')) throw LEAVE;
    this.rest(close + 1, end);
    const type = quote === '"' ? QUOTE_DOUBLE : QUOTE_SINGLE;
    return { kind: 'scalar', start, end: close + 1, type, text: quote === '"' ? inner : inner.replace(/''/g, "'") };
  }

  /** After a value: spaces to the end of the line, or spaces then a comment. */
  private rest(from: number, end: number): void {
    let at = from;
    while (this.text.charCodeAt(at) === 32 && at < end) at += 1;
    if (at < end && !(at > from && this.text.charCodeAt(at) === 35)) throw LEAVE;
  }

  /** The key of a `key:` at `column` of the line, if one is there. */
  private keyAt(line: Line, column: number): string | undefined {
    const match = KEY.exec(this.text.slice(line.start + column, line.end));
    return match === null ? undefined : match[1];
  }

  /** True when a sequence's `-` is at `column` of the line (followed by a space or the line's end). */
  private itemAt(line: Line, column: number): boolean {
    const at = line.start + column;
    return this.text.charCodeAt(at) === 45 && (at + 1 === line.end || this.text.charCodeAt(at + 1) === 32);
  }
}

const STORE_FIELDS = ['configBase', 'keyStore', 'secretStore'] as const;

/** The fields of a scanned document the move reads (rewriteStoreUrls, storeBaseOf), and their scalars. */
function storeFields(root: Node): StoreFields | undefined {
  const scalars = new Map<string, ScalarAt>();
  const string = (node: Node | undefined, pointer: string): string | null | undefined => {
    if (node === undefined) return undefined;
    if (node?.kind !== 'scalar') return null;
    // A plain scalar that is not a string to go-yaml (a number, a boolean, null): left to the full parse.
    if (node.type === PLAIN && goResolve(node.text)[0] !== 'str') throw LEAVE;
    scalars.set(pointer, node);
    return node.text;
  };
  const spec = root?.kind === 'map' ? root.pairs.get('spec') : undefined;
  if (spec?.kind !== 'map') return { value: { spec: spec === undefined ? undefined : null }, scalar: () => undefined };
  try {
    const fields: Record<string, unknown> = {};
    for (const field of STORE_FIELDS) fields[field] = string(spec.pairs.get(field), `/spec/${field}`);
    const etcd = spec.pairs.get('etcdClusters');
    if (etcd?.kind === 'seq') {
      fields.etcdClusters = etcd.items.map((item, index) => {
        const backups = item?.kind === 'map' ? item.pairs.get('backups') : undefined;
        if (backups?.kind !== 'map') return item?.kind === 'map' ? {} : null;
        const pointer = `/spec/etcdClusters/${index}/backups/backupStore`;
        return { backups: { backupStore: string(backups.pairs.get('backupStore'), pointer) } };
      });
    }
    return { value: { spec: fields }, scalar: (pointer) => scalars.get(pointer) };
  } catch (err) {
    if (err === LEAVE) return undefined;
    throw err;
  }
}

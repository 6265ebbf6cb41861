import { StateStoreError } from '../../errors.js';
import { isPlainObject } from '../guard.js';
import { goFormatFloat, goNeedsQuotes, goSortKeys } from './go-resolve.js';

/*
 * A YAML writer that gives the bytes kops writes. kops serialises every state-store document as
 * Go struct -> JSON -> sigs.k8s.io/yaml JSONToYAML (kops: pkg/kopscodecs/codecs.go), which decodes
 * the JSON into generic maps and encodes them with go-yaml v2 (go.yaml.in/yaml/v2 v2.4.2): keys in
 * its sort order (sorter.go), strings quoted by its encoder (encode.go stringv) and laid out by its
 * emitter (emitterc.go: block style, 2-space indent, sequences not indented under a map key, lines
 * folded at spaces past column 80, `{}` and `[]` for empty collections). This is our own
 * implementation of those rules for JSON values, written from reading that code.
 */

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

type Style = 'plain' | 'single' | 'double' | 'literal';

interface Context {
  mapping: boolean;
  simpleKey: boolean;
}

const isBreak = (c: string | undefined): boolean =>
  c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isSpace = (c: string | undefined): boolean => c === ' ';
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

/** What the emitter's analysis says about a scalar (emitterc.go yaml_emitter_analyze_scalar). */
interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function analyze(chars: string[]): Analysis {
  if (chars.length === 0) return { multiline: false, blockPlain: true, singleQuoted: true, block: false };
  const text = chars.join('');
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let lineBreaks = false,
    special = false,
    leadingSpace = false,
    leadingBreak = false,
    trailingSpace = false,
    trailingBreak = false;
  let breakSpace = false,
    spaceBreak = false,
    previousSpace = false,
    previousBreak = false,
    precededByWhitespace = true;
  chars.forEach((c, i) => {
    const followedByWhitespace = i + 1 >= chars.length || isBlank(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true;
    } else if ((c === ':' && followedByWhitespace) || (c === '#' && precededByWhitespace)) blockIndicators = true;
    if (!isPrintable(c)) special = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c) || c === '\0';
  });
  const plainBanned =
    leadingSpace ||
    leadingBreak ||
    trailingSpace ||
    trailingBreak ||
    breakSpace ||
    spaceBreak ||
    special ||
    lineBreaks ||
    blockIndicators;
  return {
    multiline: lineBreaks,
    blockPlain: !plainBanned,
    singleQuoted: !(breakSpace || spaceBreak || special),
    block: !(trailingSpace || spaceBreak || special),
  };
}

class Emitter {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private put(c: string): void {
    this.out += c;
    this.column++;
  }

  private writeBreak(c: string): void {
    if (c === '\n') this.putBreak();
    else {
      this.out += c;
      this.column = 0;
    }
  }

  writeIndent(indent: number): void {
    const at = Math.max(indent, 0);
    if (!this.indention || this.column > at || (this.column === at && !this.whitespace)) this.putBreak();
    while (this.column < at) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.out += indicator;
    this.column += indicator.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /** What writeFlowScalar writes for a plain scalar without spaces, breaks or escapes. */
  writePlainWord(text: string): void {
    if (!this.whitespace) this.put(' ');
    this.out += text;
    this.column += text.length;
    this.whitespace = false;
    this.indention = false;
  }

  /** Plain, single- and double-quoted text: folded at a space once past column 80 (not in keys). */
  writeFlowScalar(chars: string[], style: 'plain' | 'single' | 'double', indent: number, allowBreaks: boolean): void {
    if (style === 'plain') {
      if (!this.whitespace) this.put(' ');
    } else this.writeIndicator(style === 'single' ? "'" : '"', true, false, false);
    let spaces = false;
    let breaks = false;
    const last = chars.length - 1;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (style === 'double' && (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\')) {
        this.out += escape(c);
        this.column += escape(c).length;
        spaces = false;
      } else if (isSpace(c)) {
        const fold =
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          (style === 'plain' || (i > 0 && i < last)) &&
          (style === 'double' || !isSpace(chars[i + 1]));
        if (fold) {
          this.writeIndent(indent);
          if (style === 'double' && isSpace(chars[i + 1])) this.put('\\');
        } else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        if (style === 'single' && c === "'") this.put("'");
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (style !== 'plain') this.writeIndicator(style === 'single' ? "'" : '"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeLiteral(chars: string[], indent: number): void {
    this.writeIndicator('|', true, false, false);
    if (isSpace(chars[0]) || isBreak(chars[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const last = chars.length - 1;
    const chomp = !isBreak(chars[last]) ? '-' : last === 0 || isBreak(chars[last - 1]) ? '+' : '';
    if (chomp !== '') this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

function escape(c: string): string {
  const named: Record<string, string> = {
    '\0': '\\0',
    '\x07': '\\a',
    '\b': '\\b',
    '\t': '\\t',
    '\n': '\\n',
    '\v': '\\v',
    '\f': '\\f',
    '\r': '\\r',
    '\x1b': '\\e',
    '"': '\\"',
    '\\': '\\\\',
    '\u0085': '\\N',
    '\u00a0': '\\_',
    '\u2028': '\\L',
    '\u2029': '\\P',
  };
  if (named[c] !== undefined) return named[c];
  const cp = c.codePointAt(0)!;
  const [prefix, width] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8];
  return `\\${prefix}${cp.toString(16).toUpperCase().padStart(width, '0')}`;
}

/** The scalar text and the style go-yaml's encoder asks for (encode.go), before the emitter's checks. */
function scalarOf(value: unknown): { text: string; requested: Style } {
  if (value === null) return { text: 'null', requested: 'plain' };
  if (typeof value === 'boolean') return { text: String(value), requested: 'plain' };
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new StateStoreError(
        'InvalidArgument',
        `cannot write YAML: ${value} is not a JSON number (kops's writer cannot encode it)`,
      );
    const int = Number.isInteger(value) && Math.abs(value) < 2 ** 63;
    return { text: int ? BigInt(value).toString() : goFormatFloat(value), requested: 'plain' };
  }
  if (typeof value === 'string') {
    if (/[\uD800-\uDFFF]/u.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
      throw new StateStoreError(
        'InvalidArgument',
        'cannot write YAML: a string holds a lone UTF-16 surrogate (not valid UTF-8)',
      );
    }
    return { text: value, requested: value.includes('\n') ? 'literal' : goNeedsQuotes(value) ? 'double' : 'plain' };
  }
  throw new StateStoreError(
    'InvalidArgument',
    'cannot write YAML: the value holds data YAML cannot represent as JSON (a Date, Map, function, NaN ...)',
  );
}

/** emitterc.go yaml_emitter_select_scalar_style, for block context without tags. */
function selectStyle(requested: Style, analysis: Analysis, chars: string[], simpleKey: boolean): Style {
  let style = requested;
  if (simpleKey && analysis.multiline) style = 'double';
  if (style === 'plain' && (!analysis.blockPlain || (chars.length === 0 && simpleKey))) style = 'single';
  if (style === 'single' && !analysis.singleQuoted) style = 'double';
  if (style === 'literal' && (!analysis.block || simpleKey)) style = 'double';
  return style;
}

// Most scalars of a config (names, zones, CIDRs, numbers) are one ASCII word without spaces or
// indicator characters: go-yaml's analysis then always allows them plain and the emitter never
// folds them, so they are written directly instead of character by character (a 20k-line config
// was dominated by the per-character path and its garbage).
const PLAIN_WORD = /^[A-Za-z0-9_][A-Za-z0-9_./=+-]*$/;

function emitScalar(emitter: Emitter, value: unknown, indent: number, context: Context): void {
  const { text, requested } = scalarOf(value);
  if (requested === 'plain' && PLAIN_WORD.test(text)) return emitter.writePlainWord(text);
  const chars = Array.from(text);
  const style = selectStyle(requested, analyze(chars), chars, context.simpleKey);
  const scalarIndent = indent < 0 ? BEST_INDENT : indent + BEST_INDENT;
  if (style === 'literal') emitter.writeLiteral(chars, scalarIndent);
  else emitter.writeFlowScalar(chars, style, scalarIndent, !context.simpleKey);
}

function emitNode(emitter: Emitter, value: unknown, indent: number, context: Context): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return emitter.writeIndicator('[]', true, false, false);
    const inner = indent < 0 ? 0 : context.mapping && !emitter.indention ? indent : indent + BEST_INDENT;
    for (const item of value) {
      emitter.writeIndent(inner);
      emitter.writeIndicator('-', true, false, true);
      emitNode(emitter, item === undefined ? null : item, inner, { mapping: false, simpleKey: false });
    }
    return;
  }
  if (isPlainObject(value)) {
    const keys = goSortKeys(Object.keys(value).filter((key) => value[key] !== undefined));
    if (keys.length === 0) return emitter.writeIndicator('{}', true, false, false);
    const inner = indent < 0 ? 0 : indent + BEST_INDENT;
    for (const key of keys) {
      emitter.writeIndent(inner);
      const simple = !key.includes('\n') && !/[\r\u0085\u2028\u2029]/.test(key) && Buffer.byteLength(key) <= 128;
      if (simple) {
        emitScalar(emitter, key, inner, { mapping: true, simpleKey: true });
        emitter.writeIndicator(':', false, false, false);
      } else {
        emitter.writeIndicator('?', true, false, true);
        emitNode(emitter, key, inner, { mapping: true, simpleKey: false });
        emitter.writeIndent(inner);
        emitter.writeIndicator(':', true, false, true);
      }
      emitNode(emitter, value[key], inner, { mapping: true, simpleKey: false });
    }
    return;
  }
  emitScalar(emitter, value, indent, context);
}

/**
 * The YAML kops writes for a JSON value: the bytes of sigs.k8s.io/yaml's JSONToYAML (go-yaml v2)
 * for the same data. `undefined` fields are left out, as JSON leaves them out.
 */
export function goYamlStringify(value: unknown): string {
  const emitter = new Emitter();
  emitNode(emitter, value === undefined ? null : value, -1, { mapping: false, simpleKey: false });
  emitter.writeIndent(0); // document end (implicit)
  return emitter.out;
}

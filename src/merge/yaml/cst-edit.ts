import { Composer, CST, isMap, isScalar, isSeq, Parser, Scalar, type Node } from 'yaml';
import { isPlainObject } from '../guard.js';
import { PARSE_OPTIONS } from './options.js';
import { goYamlReadsAsNonString } from './yaml11.js';

interface Edit {
  token: CST.Token;
  value: unknown;
  afterKey: boolean;
}

/**
 * The exact path of {@link updateYamlText}: when `newValue` differs from the document only in
 * scalar values (no key added, removed or moved, no list resized, no scalar turned into a map),
 * it rewrites just those scalars in the concrete syntax tree, so every other byte of the text
 * (indentation, blank lines, flow style, comments) is kept. Returns undefined when the change is
 * structural, and the caller re-renders from the syntax tree instead. The caller checks that the
 * result reads back as `newValue`.
 */
export function editScalarsInPlace(text: string, newValue: unknown): string | undefined {
  const tokens = Array.from(new Parser().parse(text));
  const documents = Array.from(new Composer({ ...PARSE_OPTIONS, keepSourceTokens: true }).compose(tokens, true, text.length));
  if (documents.length !== 1) return undefined;
  const edits: Edit[] = [];
  if (!collect(documents[0]!.contents as Node | null, newValue, false, edits)) return undefined;
  for (const edit of edits) {
    const source = scalarSource(edit.value);
    if (source === undefined) return undefined;
    CST.setScalarValue(edit.token, source.text, { afterKey: edit.afterKey, type: source.type ?? keptQuoting(edit.token) });
  }
  return tokens.map((token) => CST.stringify(token)).join('');
}

function collect(node: Node | null, value: unknown, afterKey: boolean, edits: Edit[]): boolean {
  if (isMap(node)) {
    if (!isPlainObject(value)) return false;
    const keys = Object.keys(value).filter((key) => value[key] !== undefined);
    if (keys.length !== node.items.length) return false;
    return node.items.every((pair) => {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') return false;
      const name = String(key);
      return Object.hasOwn(value, name) && value[name] !== undefined && collect((pair.value ?? null) as Node | null, value[name], true, edits);
    });
  }
  if (isSeq(node)) {
    if (!Array.isArray(value) || value.length !== node.items.length) return false;
    return node.items.every((item, index) => collect(item as Node, value[index], false, edits));
  }
  if (isScalar(node)) {
    if (value !== null && typeof value === 'object') return false;
    if (node.value === value) return true;
    if (node.srcToken === undefined) return false;
    edits.push({ token: node.srcToken, value, afterKey });
    return true;
  }
  return false; // aliases, or an empty value (`key:` with nothing): let the tree path handle them
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

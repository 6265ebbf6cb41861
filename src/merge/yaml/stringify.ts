import { Document } from 'yaml';
import { StateStoreError } from '../../vfs/errors.js';
import { assertSafeValue, isPlainObject, jsonEqual } from '../guard.js';
import { STRINGIFY_OPTIONS, WRITE_SCHEMA } from './options.js';
import { parseYamlDocuments } from './parse.js';
import { quoteAmbiguousStrings } from './yaml11.js';

/**
 * Writes a value as YAML the way kops lays it out: sequences not indented under their key, no
 * line folding, and every string kops's YAML 1.1 reader would misread (`on`, `1.30`, `0755`) quoted.
 *
 * @example
 * ```ts
 * stringifyYaml({ spec: { kubernetesVersion: '1.30', enabled: 'on' } });
 * // 'spec:\n  kubernetesVersion: "1.30"\n  enabled: "on"\n'
 * ```
 */
export function stringifyYaml(value: unknown): string {
  assertSafeValue(value);
  const document = new Document(value, WRITE_SCHEMA);
  quoteAmbiguousStrings(document);
  return render(document, value);
}

/** Renders and checks the text reads back as `value`: a value YAML cannot carry fails here, not in kops. */
export function render(document: Document, value: unknown): string {
  let text: string;
  try {
    text = document.toString(STRINGIFY_OPTIONS);
  } catch (err) {
    throw new StateStoreError('InvalidArgument', `cannot write YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!readsAs(text, value)) {
    throw new StateStoreError('InvalidArgument', 'cannot write YAML: the value holds data YAML cannot represent as JSON (a Date, Map, function, NaN ...)');
  }
  return text;
}

export function readsAs(text: string, value: unknown): boolean {
  try {
    return jsonEqual(parseYamlDocuments(text, { maxBytes: Infinity })[0]?.value ?? null, withoutUndefined(value));
  } catch {
    return false;
  }
}

/** The value as JSON sees it: `undefined` fields dropped (and, in lists, written as null by YAML). */
export function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : withoutUndefined(item)));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = withoutUndefined(item);
    return out;
  }
  return value;
}

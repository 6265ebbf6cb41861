import type { Document } from 'yaml';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import { assertSafeValue, isPlainObject, jsonEqual } from '../guard.js';
import { DEFAULT_LIMITS, STRINGIFY_OPTIONS } from './options.js';
import { goYamlStringify } from './go-emit.js';
import { parseYamlDocuments } from './parse.js';
import { controlCharacterIssues } from '../validate/characters.js';

/**
 * Writes a value as YAML byte for byte as kops writes it (sigs.k8s.io/yaml over go-yaml v2, see
 * go-emit.ts): keys sorted, go-yaml's quoting (`'*'`, `"1.30"`, `"on"`), sequences not indented
 * under their key, long lines folded at column 80, never an anchor or alias.
 *
 * @throws StateStoreError InvalidArgument for a value JSON cannot carry, or a text over the 4 MiB
 *   read limit (it could not be read back).
 * @example
 * ```ts
 * import { stringifyYaml } from 'kops-statestore';
 *
 * stringifyYaml({ spec: { kubernetesVersion: '1.30', enabled: 'on' } });
 * // 'spec:\n  enabled: "on"\n  kubernetesVersion: "1.30"\n'
 * ```
 */
export function stringifyYaml(value: unknown): string {
  assertSafeValue(value);
  const text = assertReadableSize(goYamlStringify(value));
  if (!readsAs(text, value)) {
    throw cannotRepresent(value);
  }
  return text;
}

/**
 * The bytes {@link stringifyYaml} writes, without its read-back check: for showing a value (diffs,
 * dry runs), never for writing it. Half the cost on large documents, where the check is a parse.
 */
export function formatYaml(value: unknown): string {
  assertSafeValue(value);
  return goYamlStringify(value);
}

/**
 * Refuses a text the library could not read back (over the 4 MiB read limit of
 * {@link DEFAULT_LIMITS}): nothing is written that getCluster and friends would then refuse.
 */
export function assertReadableSize(text: string): string {
  const max = DEFAULT_LIMITS.maxBytes;
  if (text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max) {
    throw new StateStoreError(
      'InvalidArgument',
      `cannot write YAML: the document would be ${Buffer.byteLength(text, 'utf8')} bytes, over the ${max}-byte limit statestore reads (it could not be read back)`,
    );
  }
  return text;
}

/** Renders and checks the text reads back as `value`: a value YAML cannot carry fails here, not in kops. */
export function render(document: Document, value: unknown): string {
  let text: string;
  try {
    text = assertReadableSize(document.toString(STRINGIFY_OPTIONS));
  } catch (err) {
    if (isStateStoreError(err)) throw err;
    throw new StateStoreError('InvalidArgument', `cannot write YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!readsAs(text, value)) {
    throw cannotRepresent(value);
  }
  return text;
}

/**
 * InvalidArgument when the value holds NEL, U+2028 or U+2029: line breaks to go-yaml (kops's
 * reader) and not to this one, so no text reads back the same in both. A new key holding one was
 * refused with the message for a Date or a NaN, an edited one written raw (issue #25, "Weak"):
 * {@link stringifyYaml} and `updateYamlText` now refuse both alike, with this message.
 */
export function assertNoYamlOnlyLineBreaks(value: unknown): void {
  const lineBreak = controlCharacterIssues(value).find((issue) => issue.message.includes('line break'));
  if (lineBreak !== undefined) throw new StateStoreError('InvalidArgument', `cannot write YAML: ${lineBreak.message}`);
}

/** Why a value does not read back as written. */
function cannotRepresent(value: unknown): StateStoreError {
  assertNoYamlOnlyLineBreaks(value);
  return new StateStoreError(
    'InvalidArgument',
    'cannot write YAML: the value holds data YAML cannot represent as JSON (a Date, Map, function, NaN ...)',
  );
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

import { assertSafeKey, assertSafeValue, cloneJson, isPlainObject } from '../guard.js';
import type { JsonValue } from './json.js';

/** Merges `patch` into `target`, which the caller owns (already a private copy) and may reuse. */
function merge(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const out: { [key: string]: JsonValue } = isPlainObject(target) ? target : {};
  for (const key of Object.keys(patch)) {
    assertSafeKey(key);
    const value = patch[key] as JsonValue | undefined;
    // `undefined` is not JSON: treat it as absent from the patch (what JSON.stringify would do).
    if (value === undefined) continue;
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

/**
 * Applies an RFC 7386 JSON Merge Patch: objects merge recursively, `null` removes a member,
 * anything else (arrays included) replaces. Pure: returns a new document, inputs are untouched.
 * Refuses `__proto__`, `constructor` and `prototype` keys, and values past INPUT_LIMITS (depth,
 * size), with InvalidArgument.
 *
 * @example
 * ```ts
 * import { applyMergePatch } from 'kops-statestore';
 *
 * applyMergePatch({ spec: { a: 1, b: 2 } }, { spec: { a: null, c: 3 } }); // { spec: { b: 2, c: 3 } }
 * ```
 */
export function applyMergePatch<T = JsonValue>(doc: T, patch: unknown): T {
  // Bounds and unsafe keys first (INPUT_LIMITS): the recursive merge below then stays shallow.
  assertSafeValue(patch);
  assertSafeValue(doc);
  return merge(cloneJson(doc as JsonValue), patch as JsonValue) as T;
}

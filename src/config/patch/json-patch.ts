import { StateStoreError } from '../../errors.js';
import { assertSafeValue, cloneJson, isPlainObject, jsonEqual } from '../guard.js';
import type { JsonValue } from './json.js';
import { parseArrayIndex, parsePointer } from './json-pointer.js';

/**
 * One RFC 6902 operation. Values are `unknown` so typed config fragments (interfaces without an
 * index signature) can be passed; they are checked to be plain JSON-like data when applied.
 * `oldValue` is an extension that {@link diffConfig} fills in for
 * `replace` and `remove` (what was there before); {@link applyJsonPatch} ignores it.
 */
export type JsonPatchOperation =
  | {
      /** The operation. */
      op: 'add';
      /** JSON pointer (RFC 6901) to the target location. */
      path: string;
      /** The value to add, replace with, or compare with. */
      value: unknown;
    }
  | {
      /** The operation. */
      op: 'remove';
      /** JSON pointer (RFC 6901) to the target location. */
      path: string;
      /** The value that was there before (set by {@link diffConfig}; ignored when applied). */
      oldValue?: unknown;
    }
  | {
      /** The operation. */
      op: 'replace';
      /** JSON pointer (RFC 6901) to the target location. */
      path: string;
      /** The value to add, replace with, or compare with. */
      value: unknown;
      /** The value that was there before (set by {@link diffConfig}; ignored when applied). */
      oldValue?: unknown;
    }
  | {
      /** The operation. */
      op: 'move';
      /** JSON pointer to the source location. */
      from: string;
      /** JSON pointer (RFC 6901) to the target location. */
      path: string;
    }
  | {
      /** The operation. */
      op: 'copy';
      /** JSON pointer to the source location. */
      from: string;
      /** JSON pointer (RFC 6901) to the target location. */
      path: string;
    }
  | {
      /** The operation. */
      op: 'test';
      /** JSON pointer (RFC 6901) to the target location. */
      path: string;
      /** The value to add, replace with, or compare with. */
      value: unknown;
    };

type Container = JsonValue[] | { [key: string]: JsonValue };

function fail(index: number, message: string): never {
  throw new StateStoreError('InvalidArgument', `JSON patch operation ${index}: ${message}`);
}

/** Re-throws any failure of operation `index` as InvalidArgument naming the operation and its path. */
function rethrow(err: unknown, index: number, operation: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  const text = message.startsWith('JSON patch operation') ? message : `JSON patch operation ${index}: ${message}`;
  const target = isPlainObject(operation) && typeof operation.path === 'string' ? operation.path : '';
  throw new StateStoreError('InvalidArgument', text, { cause: err, issues: [{ path: target || '/', message: text }] });
}

/** Resolves all but the last token: the container that holds the target, and the last token. */
function parentOf(
  doc: JsonValue,
  tokens: string[],
  pointer: string,
  index: number,
): { parent: Container; last: string } {
  let current: JsonValue = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    current = child(current, tokens[i] as string, pointer, index);
  }
  if (!Array.isArray(current) && !isPlainObject(current)) fail(index, `${pointer}: parent is not an object or array`);
  return { parent: current as Container, last: tokens[tokens.length - 1] as string };
}

function child(current: JsonValue, token: string, pointer: string, index: number): JsonValue {
  if (Array.isArray(current)) {
    const at = parseArrayIndex(token, current.length, false, pointer);
    return current[at] as JsonValue;
  }
  if (isPlainObject(current) && Object.hasOwn(current, token)) return current[token] as JsonValue;
  return fail(index, `${pointer}: path does not exist`);
}

function getAt(doc: JsonValue, pointer: string, index: number): JsonValue {
  let current = doc;
  for (const token of parsePointer(pointer)) current = child(current, token, pointer, index);
  return current;
}

function addAt(doc: JsonValue, pointer: string, value: JsonValue, index: number): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, pointer, index);
  if (Array.isArray(parent)) {
    parent.splice(parseArrayIndex(last, parent.length, true, pointer), 0, value);
  } else {
    parent[last] = value;
  }
  return doc;
}

function removeAt(doc: JsonValue, pointer: string, index: number): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) fail(index, 'cannot remove the whole document');
  const { parent, last } = parentOf(doc, tokens, pointer, index);
  if (Array.isArray(parent)) {
    parent.splice(parseArrayIndex(last, parent.length, false, pointer), 1);
  } else {
    if (!Object.hasOwn(parent, last)) fail(index, `${pointer}: path does not exist`);
    delete parent[last];
  }
  return doc;
}

function requireString(op: Record<string, unknown>, field: string, index: number): string {
  const value = op[field];
  if (typeof value !== 'string') fail(index, `"${field}" must be a string`);
  return value as string;
}

function requireValue(op: Record<string, unknown>, index: number): JsonValue {
  if (!Object.hasOwn(op, 'value') || op.value === undefined) fail(index, '"value" is required');
  assertSafeValue(op.value);
  return cloneJson(op.value as JsonValue);
}

function applyOne(doc: JsonValue, raw: unknown, index: number): JsonValue {
  if (!isPlainObject(raw)) fail(index, 'must be an object');
  const op = raw;
  const path = requireString(op, 'path', index);
  switch (op.op) {
    case 'add':
      return addAt(doc, path, requireValue(op, index), index);
    case 'remove':
      return removeAt(doc, path, index);
    case 'replace': {
      const value = requireValue(op, index);
      getAt(doc, path, index);
      if (path === '') return value;
      return addAt(removeAt(doc, path, index), path, value, index);
    }
    case 'move': {
      const from = requireString(op, 'from', index);
      if (from === path) {
        getAt(doc, from, index);
        return doc;
      }
      if (path.startsWith(`${from}/`)) fail(index, `cannot move ${from} into its own child ${path}`);
      const value = getAt(doc, from, index);
      return addAt(removeAt(doc, from, index), path, value, index);
    }
    case 'copy': {
      const from = requireString(op, 'from', index);
      return addAt(doc, path, cloneJson(getAt(doc, from, index)), index);
    }
    case 'test': {
      const expected = requireValue(op, index);
      if (!jsonEqual(getAt(doc, path, index), expected)) fail(index, `test failed at ${path}`);
      return doc;
    }
    default:
      return fail(index, `unknown op ${JSON.stringify(op.op)}`);
  }
}

/**
 * Applies an RFC 6902 JSON Patch. Atomic: the operations run on a copy, so when one fails (a
 * missing path, a failed `test`, a malformed operation) nothing is returned, the input is unchanged
 * and a StateStoreError with code InvalidArgument names the operation. Pure: the input is never
 * mutated. `__proto__`, `constructor` and `prototype` are refused in pointers and values.
 *
 * @example
 * ```ts
 * import { applyJsonPatch } from 'kops-statestore';
 *
 * applyJsonPatch({ spec: { kubernetesVersion: '1.29.0' } }, [
 *   { op: 'test', path: '/spec/kubernetesVersion', value: '1.29.0' },
 *   { op: 'replace', path: '/spec/kubernetesVersion', value: '1.30.0' },
 * ]); // { spec: { kubernetesVersion: '1.30.0' } }
 * ```
 */
export function applyJsonPatch<T = JsonValue>(doc: T, operations: ReadonlyArray<JsonPatchOperation>): T {
  if (!Array.isArray(operations))
    throw new StateStoreError('InvalidArgument', 'a JSON patch must be an array of operations');
  // Bounds first (depth, size: INPUT_LIMITS), so a hostile document or patch is refused before any work.
  assertSafeValue(doc);
  assertSafeValue(operations);
  let working = cloneJson(doc as JsonValue);
  operations.forEach((operation, index) => {
    try {
      working = applyOne(working, operation, index);
    } catch (err) {
      rethrow(err, index, operation);
    }
  });
  return working as T;
}

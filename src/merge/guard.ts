import { StateStoreError } from '../vfs/errors.js';

/** Keys that could reach Object.prototype if used as property names. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True for `__proto__`, `constructor` and `prototype`. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}

/**
 * Refuses `__proto__`, `constructor` and `prototype` as a key, path segment or key value, with
 * InvalidArgument. Every entry point (YAML, patches, paths, selectors) calls this.
 */
export function assertSafeKey(key: string, where = ''): void {
  if (UNSAFE_KEYS.has(key)) {
    throw new StateStoreError('InvalidArgument', `the key "${key}" is not accepted (prototype pollution guard)${where}`);
  }
}

/** Walks a plain value and refuses any unsafe key, anywhere. */
export function assertSafeValue(value: unknown, path = ''): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertSafeValue(item, `${path}/${index}`));
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      assertSafeKey(key, ` at ${path}/${key}`);
      assertSafeValue(value[key], `${path}/${key}`);
    }
    if (Object.hasOwn(value, '__proto__')) assertSafeKey('__proto__', ` at ${path}`);
  }
}

/** A non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

/** Deep copy of JSON-like data into fresh objects (never shares structure with the input). */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      assertSafeKey(key);
      out[key] = cloneJson(value[key]);
    }
    return out as T;
  }
  return value;
}

/** Deep equality of JSON-like data (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

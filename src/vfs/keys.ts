import { StateStoreError } from '../errors.js';

/** The longest key accepted, in UTF-8 bytes (S3's and GCS's limit). */
export const MAX_KEY_BYTES = 1024;

/**
 * Checks a key once for every backend. A key is `/`-separated and relative: no leading or
 * trailing `/`, no empty, `.` or `..` segment, no NUL, at most {@link MAX_KEY_BYTES} bytes.
 * Throws InvalidArgument otherwise, so no backend ever sees a key that could leave its root.
 */
export function validateKey(key: unknown, backend?: string): asserts key is string {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    throw new StateStoreError('InvalidArgument', `invalid key ${describe(key)}: ${problem}`, {
      backend,
      key: typeof key === 'string' ? key : undefined,
    });
  }
}

/**
 * Checks a listing prefix: empty, or a key, or a key followed by `/`, or a partial last segment
 * (`clusters/a` matches `clusters/abc`). The same segment rules as keys apply.
 */
export function validatePrefix(prefix: unknown, backend?: string): asserts prefix is string {
  if (prefix === '') return;
  if (typeof prefix !== 'string') {
    throw new StateStoreError('InvalidArgument', `invalid prefix ${describe(prefix)}: not a string`, { backend });
  }
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = trimmed === '' ? 'a prefix may not start with "/"' : keyProblem(trimmed);
  if (problem !== undefined) {
    throw new StateStoreError('InvalidArgument', `invalid prefix ${describe(prefix)}: ${problem}`, { backend });
  }
}

function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'not a string';
  if (key.length === 0) return 'empty';
  if (key.includes('\0')) return 'contains NUL';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (key.startsWith('/')) return 'absolute (starts with "/")';
  if (key.endsWith('/')) return 'ends with "/"';
  for (const segment of key.split('/')) {
    if (segment === '') return 'empty segment ("//")';
    if (segment === '.' || segment === '..') return `"${segment}" segment`;
  }
  if (!key.isWellFormed()) return 'not well-formed Unicode';
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  const shown = value.length > 80 ? `${value.slice(0, 80)}...` : value;
  return JSON.stringify(shown);
}

/** Joins key parts with `/`, skipping empty parts. The result is not validated. */
export function joinKey(...parts: string[]): string {
  return parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '')
    .join('/');
}

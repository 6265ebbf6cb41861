import { StateStoreError } from '../vfs/errors.js';
import { assertSafeKey } from './guard.js';

/**
 * Splits an RFC 6901 JSON Pointer into unescaped reference tokens (`~1` -> `/`, `~0` -> `~`).
 * Refuses `__proto__`, `constructor` and `prototype` tokens.
 */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new StateStoreError('InvalidArgument', `JSON pointer ${JSON.stringify(pointer)} must be empty or start with "/"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      if (/~[^01]|~$/.test(raw)) {
        throw new StateStoreError('InvalidArgument', `JSON pointer ${JSON.stringify(pointer)} has an invalid "~" escape`);
      }
      const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      assertSafeKey(token, ` in JSON pointer ${JSON.stringify(pointer)}`);
      return token;
    });
}

/** Escapes one reference token for a JSON Pointer. */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON Pointer from tokens. */
export function formatPointer(tokens: ReadonlyArray<string | number>): string {
  return tokens.map((token) => `/${escapePointerToken(token)}`).join('');
}

/**
 * Parses an array index token: digits without leading zeros (RFC 6901 section 4), or "-" when
 * `allowDash` (the position after the last element, valid only where RFC 6902 adds).
 */
export function parseArrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    throw new StateStoreError('InvalidArgument', `JSON pointer ${JSON.stringify(pointer)}: "${token}" is not an array index`);
  }
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw new StateStoreError('InvalidArgument', `JSON pointer ${JSON.stringify(pointer)}: index ${index} is out of bounds (length ${length})`);
  }
  return index;
}

import { StateStoreError } from '../../errors.js';
import { assertPathBounds, assertSafeKey, preview } from '../guard.js';

/**
 * Splits an RFC 6901 JSON Pointer into unescaped reference tokens (`~1` -> `/`, `~0` -> `~`).
 * Refuses `__proto__`, `constructor` and `prototype` tokens.
 */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) {
    throw new StateStoreError(
      'InvalidArgument',
      `JSON pointer ${typeof pointer === 'string' ? preview(pointer) : String(pointer)} must be empty or start with "/"`,
    );
  }
  assertPathBounds(pointer, 'JSON pointer', /\//g);
  // Linear: messages (which quote the pointer) are built only when a token fails.
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      if (raw.includes('~') && /~[^01]|~$/.test(raw)) {
        throw new StateStoreError('InvalidArgument', `JSON pointer ${preview(pointer)} has an invalid "~" escape`);
      }
      const token = raw.includes('~') ? raw.replace(/~1/g, '/').replace(/~0/g, '~') : raw;
      assertSafeKey(token, () => ` in JSON pointer ${preview(pointer)}`);
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
    throw new StateStoreError(
      'InvalidArgument',
      `JSON pointer ${preview(pointer)}: ${preview(token)} is not an array index`,
    );
  }
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw new StateStoreError(
      'InvalidArgument',
      `JSON pointer ${preview(pointer)}: index ${index} is out of bounds (length ${length})`,
    );
  }
  return index;
}

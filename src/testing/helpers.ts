import assert from 'node:assert/strict';

/** Text of a body (UTF-8). */
export function text(body: Uint8Array): string {
  return Buffer.from(body).toString('utf8');
}

/**
 * The `code` of a rejected promise. Fails if the promise resolves; rethrows a rejection without a
 * string `code` (a bug, not a StateStoreError), so its stack is what the runner shows.
 */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const code = (err as { code?: unknown } | null | undefined)?.code;
    if (typeof code !== 'string') throw err;
    return code;
  }
  throw new assert.AssertionError({ message: 'expected a rejection, but the call succeeded' });
}

/** Asserts `actual < limit` (or `<=` when `orEqual`), naming both in the failure. */
export function assertBelow(actual: number, limit: number, what: string, orEqual = false): void {
  assert.ok(orEqual ? actual <= limit : actual < limit, `${what}: ${actual} is not ${orEqual ? '<=' : '<'} ${limit}`);
}

/** Asserts `actual > limit` (or `>=` when `orEqual`), naming both in the failure. */
export function assertAbove(actual: number, limit: number, what: string, orEqual = false): void {
  assert.ok(orEqual ? actual >= limit : actual > limit, `${what}: ${actual} is not ${orEqual ? '>=' : '>'} ${limit}`);
}

/**
 * What a call fails with, for tests that compare error codes. One form for promises and functions
 * that may throw or reject, one for synchronous functions. Anything thrown that is not a
 * StateStoreError is rethrown: an untyped error is a defect the test should show, not a code to
 * compare.
 */
import { isStateStoreError, type StateStoreError } from '../../src/errors.js';

/** What {@link errorCode} and {@link errorCodeSync} return when the call succeeds. */
export const SUCCEEDED = 'ok';

/** A promise, or a function whose result is awaited (so that a synchronous throw counts too). */
export type Call = Promise<unknown> | (() => unknown);

/** The StateStoreError code a call rejects or throws with, or {@link SUCCEEDED}. */
export async function errorCode(call: Call): Promise<string> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (err) {
    if (isStateStoreError(err)) return err.code;
    throw err;
  }
  return SUCCEEDED;
}

/** The StateStoreError code a synchronous function throws, or {@link SUCCEEDED}. */
export function errorCodeSync(call: () => unknown): string {
  try {
    call();
  } catch (err) {
    if (isStateStoreError(err)) return err.code;
    throw err;
  }
  return SUCCEEDED;
}

/** The StateStoreError a call rejects or throws with; success or an untyped error fails the test. */
export async function rejection(call: Call): Promise<StateStoreError> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (err) {
    if (isStateStoreError(err)) return err;
    throw new Error(`expected a StateStoreError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a StateStoreError, but the call succeeded');
}

/** The StateStoreError a synchronous function throws; success or an untyped error fails the test. */
export function thrown(call: () => unknown): StateStoreError {
  try {
    call();
  } catch (err) {
    if (isStateStoreError(err)) return err;
    throw new Error(`expected a StateStoreError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a StateStoreError, but the call succeeded');
}

import { isStateStoreError } from '../src/errors.js';

/**
 * The StateStoreError code a call rejects with, or 'succeeded'. Anything else it throws is
 * rethrown: an untyped error is a defect the test should show, not a code to compare.
 */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isStateStoreError(err)) return err.code;
    throw err;
  }
  return 'succeeded';
}

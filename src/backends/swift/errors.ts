import { StateStoreError, abortedError } from '../../errors.js';
import type { ErrorContext } from '../../vfs/driver.js';
import { mapHttpStatus, networkErrorCode } from '../common/http-errors.js';

/**
 * A Swift answer that was not a success, thrown by the driver's requests and turned into a
 * StateStoreError once by {@link mapSwiftError}. Carries the status and what was asked, never the
 * token, the storage URL or the response text.
 */
export class SwiftHttpError extends Error {
  constructor(
    readonly status: number,
    /** What the request was about: `object`, `container` (listing) or `auth`. */
    readonly target: 'object' | 'container' | 'auth',
  ) {
    super(`swift answered HTTP ${status}`);
    this.name = 'SwiftHttpError';
  }
}

/** A PUT whose body did not arrive whole (Swift's 422: the ETag sent did not match). */
const INTEGRITY_STATUS = 422;

/**
 * Maps what a Swift request threw by the operation and the condition sent. A 404 on a listing,
 * or on a write (Swift answers 404 to a PUT only when the container is missing), names the
 * container; a 401 on auth says the credentials were rejected.
 */
export function mapSwiftError(err: unknown, context: ErrorContext, container: string): StateStoreError {
  const { key } = context;
  if (context.signal?.aborted === true) return abortedError(context.signal, key, 'swift');
  const where = key === undefined ? `${context.op}` : `${context.op} ${JSON.stringify(key)}`;
  const make = (code: StateStoreError['code'], reason: string) =>
    new StateStoreError(code, `swift: ${where}: ${reason}`, { key, backend: 'swift', cause: err });
  if (err instanceof SwiftHttpError) {
    if (err.target === 'auth') {
      return err.status === 401 || err.status === 403
        ? make('Unauthenticated', 'the Swift credentials were rejected')
        : make(err.status >= 500 ? 'Unavailable' : 'Unknown', `authentication failed (HTTP ${err.status})`);
    }
    if (err.status === 404 && containerMissing(err, context)) {
      return make('NotFound', `the container ${JSON.stringify(container)} does not exist`);
    }
    if (err.status === INTEGRITY_STATUS) return make('IntegrityError', 'the stored bytes did not match their MD5');
    if (err.status === 413) return make('InvalidArgument', 'the object is larger than Swift accepts');
    const mapped = mapHttpStatus(err.status, context.condition);
    if (mapped !== undefined) return make(mapped.code, mapped.reason);
    return make('Unknown', `unexpected HTTP ${err.status}`);
  }
  const network = networkErrorCode(err);
  if (network !== undefined) return make('Unavailable', `the Swift endpoint could not be reached (${network})`);
  return make('Unknown', 'unexpected failure');
}

/** A listing 404 is always the container; a write's too (objects never 404 on PUT otherwise). */
function containerMissing(err: SwiftHttpError, context: ErrorContext): boolean {
  if (err.target === 'container') return true;
  return (context.op === 'write' || context.op === 'writeStream') && context.condition.kind !== 'version';
}

import { StateStoreError, abortedError } from '../../errors.js';
import type { ErrorContext } from '../../vfs/driver.js';
import { mapHttpStatus, networkErrorCode } from '../common/http-errors.js';
import { PROXY_REFUSED } from '../s3/errors.js';

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
  const proxied = proxyFailure(err);
  if (proxied !== undefined) return make(proxied[0], proxied[1]);
  const network = networkErrorCode(err);
  if (network !== undefined) return make('Unavailable', `the Swift endpoint could not be reached (${network})`);
  return make('Unknown', 'unexpected failure');
}

/**
 * A failure of a request through the store's HTTP proxy (http.ts), named by the proxy without its
 * credentials: its refusal (407: Unauthenticated, its user and password being in the proxy
 * variable's URL; 403: PermissionDenied; 5xx, it could not reach Swift: Unavailable), or no
 * connection to it (Unavailable, with the network code). Undefined for a failure of no proxy.
 */
function proxyFailure(err: unknown): [StateStoreError['code'], string] | undefined {
  const shape = err as { name?: unknown; message?: unknown; proxy?: unknown; proxyStatus?: unknown } | undefined;
  if (typeof shape?.proxy !== 'string') return undefined;
  if (shape.name === PROXY_REFUSED && typeof shape.message === 'string') {
    const status = typeof shape.proxyStatus === 'number' ? shape.proxyStatus : 0;
    // The message is proxy-tunnel.ts's own: the proxy without credentials, its status line.
    if (status === 407) return ['Unauthenticated', `${shape.message} (the proxy's user and password are in its URL)`];
    if (status === 403) return ['PermissionDenied', shape.message];
    return [status >= 500 ? 'Unavailable' : 'Unknown', shape.message];
  }
  const network = networkErrorCode(err) ?? (shape.name === 'TimeoutError' ? 'timed out' : undefined);
  if (network === undefined) return undefined;
  return ['Unavailable', `the Swift endpoint could not be reached through the proxy ${shape.proxy} (${network})`];
}

/** A listing 404 is always the container; a write's too (objects never 404 on PUT otherwise). */
function containerMissing(err: SwiftHttpError, context: ErrorContext): boolean {
  if (err.target === 'container') return true;
  return (context.op === 'write' || context.op === 'writeStream') && context.condition.kind !== 'version';
}

/**
 * The error mapping every HTTP-speaking driver (s3, gcs, azure) shares: an HTTP status plus the
 * {@link Condition} that was SENT gives an {@link ErrorCode}, and a Node/undici network error code
 * anywhere in an error's `cause` chain means the service could not be reached. Pure functions over
 * structured fields only: no message text is ever searched (issue #16), so a reworded SDK message
 * cannot change a code. Each driver keeps only what its SDK adds (error names such as `NoSuchKey`,
 * where it puts the status) and builds its StateStoreError from the result.
 */
import type { ErrorCode } from '../../errors.js';
import type { Condition } from '../../vfs/driver.js';

/** A code and a short reason for a message; the reason never echoes the service's own text. */
export interface HttpErrorMapping {
  /** The statestore code for the failure. */
  code: ErrorCode;
  /** A few words for the error message, e.g. `the object already exists`. */
  reason: string;
}

/**
 * Maps an HTTP status by the condition that was sent, or undefined for a status that says nothing
 * (2xx, 3xx, and 4xx not listed here: the caller decides, usually Unknown):
 * - 412: AlreadyExists under `absent` (If-None-Match: * lost), PreconditionFailed otherwise;
 * - 404: PreconditionFailed under `version` (the object the caller pinned is gone), NotFound otherwise;
 * - 409 Conflict, 429 RateLimited, 401 Unauthenticated, 403 PermissionDenied, 400 InvalidArgument,
 *   408 and 5xx Unavailable.
 */
export function mapHttpStatus(status: number, condition: Condition): HttpErrorMapping | undefined {
  switch (status) {
    case 412:
      return condition.kind === 'absent'
        ? { code: 'AlreadyExists', reason: 'the object already exists' }
        : { code: 'PreconditionFailed', reason: 'the object is not at the expected version' };
    case 404:
      return condition.kind === 'version'
        ? { code: 'PreconditionFailed', reason: 'the object no longer exists' }
        : { code: 'NotFound', reason: 'no such object' };
    case 409:
      return { code: 'Conflict', reason: 'a concurrent operation conflicted; retry' };
    case 429:
      return { code: 'RateLimited', reason: 'the service asked to slow down' };
    case 401:
      return { code: 'Unauthenticated', reason: 'the credentials were rejected or are missing' };
    case 403:
      return { code: 'PermissionDenied', reason: 'access denied' };
    case 400:
      return { code: 'InvalidArgument', reason: 'the request was rejected' };
    case 408:
      return { code: 'Unavailable', reason: 'the service timed out' };
    default:
      return status >= 500 && status <= 599 ? { code: 'Unavailable', reason: 'the service failed' } : undefined;
  }
}

/**
 * Node and undici error codes that mean the request never got a whole answer: the endpoint is
 * down, unreachable, or cut the connection. All are transient (Unavailable, retryable).
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  // A stream that closed before its end: a response body cut mid-way.
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Node's (OpenSSL's) codes for a server certificate the client refused: not signed by a trusted CA,
 * expired, or not for this host. Not transient: the same certificate is refused again, so these are
 * never retried, and they name the fix (trust the CA) rather than an unreachable endpoint.
 */
export const TLS_CERTIFICATE_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** How deep {@link networkErrorCode} follows `cause` and `errors`: SDKs wrap a few times, not more. */
const MAX_DEPTH = 6;

/**
 * The network error code (see {@link NETWORK_ERROR_CODES}) of `err` or of any error it wraps, by
 * the `code` field, following `cause` (Error cause, undici's `TypeError: fetch failed`) and
 * `errors` (Node's AggregateError when every address of a host refused). Undefined when none.
 */
export function networkErrorCode(err: unknown): string | undefined {
  return wrappedCode(err, NETWORK_ERROR_CODES);
}

/** The TLS certificate error code (see {@link TLS_CERTIFICATE_ERROR_CODES}) of `err` or of any error it wraps. */
export function tlsCertificateErrorCode(err: unknown): string | undefined {
  return wrappedCode(err, TLS_CERTIFICATE_ERROR_CODES);
}

/**
 * A refused server certificate as every HTTP driver reports it: Unauthenticated (not retryable: the
 * same certificate is refused again), naming the OpenSSL code and how to trust a private CA
 * (NODE_EXTRA_CA_CERTS, or `alsoTrustedBy`, a variable the backend reads itself: S3's
 * AWS_CA_BUNDLE). Undefined when `err` wraps no certificate error.
 */
export function tlsCertificateRefusal(err: unknown, alsoTrustedBy?: string): HttpErrorMapping | undefined {
  const certificate = tlsCertificateErrorCode(err);
  if (certificate === undefined) return undefined;
  const ways = alsoTrustedBy === undefined ? '' : ` or ${alsoTrustedBy}=<ca.pem>`;
  return {
    code: 'Unauthenticated',
    reason: `the server's TLS certificate was refused (${certificate}); if it is signed by your own CA, trust it with NODE_EXTRA_CA_CERTS=<ca.pem>${ways}`,
  };
}

/** The first `code` of `err` or of an error it wraps (as {@link networkErrorCode} follows them) that is in `codes`. */
function wrappedCode(err: unknown, codes: ReadonlySet<string>): string | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: err, depth: 0 }];
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const { value, depth } = pending.shift()!;
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > MAX_DEPTH) continue;
    seen.add(value);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return code;
    pending.push({ value: (value as { cause?: unknown }).cause, depth: depth + 1 });
    const errors = (value as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) pending.push({ value: inner, depth: depth + 1 });
  }
  return undefined;
}

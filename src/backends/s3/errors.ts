import { StateStoreError, isStateStoreError, type ErrorCode } from '../../errors.js';

/** What was being done when an SDK call failed: the error is mapped by the condition SENT. */
export interface S3ErrorContext {
  /** The operation, for the message: `read`, `write`, `list` ... */
  op: string;
  bucket: string;
  key?: string;
  condition?: 'ifMatch' | 'ifNoneMatch';
  signal?: AbortSignal;
}

/** The parts of an AWS SDK error this module reads. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const UNAUTHENTICATED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidSecurity',
  'RequestTimeTooSkewed',
  'CredentialsProviderError',
  'MissingAuthenticationToken',
]);
const RATE_LIMITED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const INTEGRITY = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'InvalidChecksum']);

/** The S3 error code of an SDK error (its `name`), when it looks like one. */
export function s3ErrorCode(err: unknown): string | undefined {
  const shape = err as SdkErrorShape | undefined;
  const code = shape?.Code ?? shape?.name;
  return typeof code === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(code) ? code : undefined;
}

/** The HTTP status of an SDK error, when the service answered. */
export function s3Status(err: unknown): number | undefined {
  return (err as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** A response header of an SDK error (e.g. `x-amz-bucket-region`). */
export function s3ErrorHeader(err: unknown, name: string): string | undefined {
  return (err as SdkErrorShape | undefined)?.$response?.headers?.[name];
}

/**
 * Turns anything an SDK call threw into a StateStoreError. Messages name the operation, the
 * bucket, the key, the S3 error code and the HTTP status, never the SDK's own message (which
 * can echo request details) and so never a credential.
 */
export function toStateStoreError(err: unknown, ctx: S3ErrorContext): StateStoreError {
  if (isStateStoreError(err)) return err;
  const where = `${ctx.key === undefined ? '' : ` key ${JSON.stringify(ctx.key)} in`} bucket ${JSON.stringify(ctx.bucket)}`;
  const make = (code: ErrorCode, what: string) =>
    new StateStoreError(code, `s3: ${ctx.op}${where}: ${what}`, { key: ctx.key, backend: 's3', cause: err });
  const name = s3ErrorCode(err);
  const status = s3Status(err);
  const detail = `${name ?? 'error'}${status === undefined ? '' : `, HTTP ${status}`}`;
  const sysCode = systemCode(err);

  if (ctx.signal?.aborted || name === 'AbortError') return make('Aborted', 'the operation was aborted');
  if (status === 412 || name === 'PreconditionFailed') {
    return ctx.condition === 'ifNoneMatch'
      ? make('AlreadyExists', 'the object already exists (If-None-Match: * failed)')
      : make('PreconditionFailed', `the object is not at the expected version (${detail})`);
  }
  if (name === 'ConditionalRequestConflict' || status === 409)
    return make('Conflict', `a concurrent conditional request conflicted; retry (${detail})`);
  if (name === 'NoSuchBucket') {
    return new StateStoreError(
      'NotFound',
      `s3: ${ctx.op}${ctx.key === undefined ? '' : ` key ${JSON.stringify(ctx.key)}`}: bucket ${JSON.stringify(ctx.bucket)} does not exist (${detail})`,
      { key: ctx.key, backend: 's3', cause: err },
    );
  }
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') {
    if (ctx.condition === 'ifMatch') return make('PreconditionFailed', `the object no longer exists (${detail})`);
    return make('NotFound', `no such object (${detail})`);
  }
  if ((name !== undefined && RATE_LIMITED.has(name)) || status === 429 || (status === 503 && name === 'SlowDown')) {
    return make('RateLimited', `the service asked to slow down (${detail})`);
  }
  if (name !== undefined && UNAUTHENTICATED.has(name))
    return make('Unauthenticated', `the credentials were rejected or are missing (${detail})`);
  if (status === 403 || name === 'AccessDenied' || name === 'AllAccessDisabled' || name === 'Forbidden') {
    return make('PermissionDenied', `access denied (${detail})`);
  }
  if (status === 301 || name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed') {
    const region = s3ErrorHeader(err, 'x-amz-bucket-region');
    return make(
      'InvalidArgument',
      `the bucket is in another region${region === undefined ? '' : ` (${region}); set options.s3.region`} (${detail})`,
    );
  }
  if (name !== undefined && INTEGRITY.has(name))
    return make('IntegrityError', `the data did not match its checksum (${detail})`);
  if (err instanceof Error && /checksum mismatch/i.test(err.message))
    return make('IntegrityError', 'the downloaded data did not match its checksum');
  if (sysCode !== undefined || (name !== undefined && (TIMEOUTS.has(name) || NETWORK.has(name)))) {
    return make('Unavailable', `the endpoint could not be reached (${sysCode ?? detail})`);
  }
  if (status !== undefined && status >= 500) return make('Unavailable', `the service failed (${detail})`);
  if (status === 400) return make('InvalidArgument', `the request was rejected (${detail})`);
  return make('Unknown', `unexpected failure (${detail})`);
}

/**
 * The Node network error code (ECONNREFUSED ...) of a failure. The SDK wraps errors from another
 * realm (as under Jest) into "AWS SDK error wrapper for Error: connect ECONNREFUSED ...", so the
 * message is searched too; only the code is ever printed.
 */
function systemCode(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK.has(code)) return code;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') {
      const found = /\b(E[A-Z_]+)\b/.exec(message)?.[1];
      if (found !== undefined && NETWORK.has(found)) return found;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

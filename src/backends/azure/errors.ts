import { StateStoreError, type ErrorCode } from '../../errors.js';

/**
 * What was sent with a failed request. Azure answers 409 BlobAlreadyExists to `If-None-Match: *`
 * and 412 ConditionNotMet to `If-Match`, but the mapping goes by what was sent, not by status alone.
 */
export type SentCondition = 'none' | 'absent' | 'version';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'REQUEST_SEND_ERROR',
]);

/** 403 error codes that mean the credential itself was rejected (not a missing permission). */
const AUTHENTICATION_CODES = new Set([
  'AuthenticationFailed',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
]);

/**
 * Maps an `@azure/storage-blob` failure (RestError) to a StateStoreError, naming the key, never
 * credentials. `signal` is the caller's: an AbortError while it has not fired is the SDK's download
 * stream reporting a connection cut mid-body (it turns the response's 'aborted' event into an
 * AbortError), which is transient, not an abort.
 */
export function mapAzureError(
  err: unknown,
  key: string | undefined,
  sent: SentCondition,
  what: string,
  signal?: AbortSignal,
): StateStoreError {
  if (err instanceof StateStoreError) return err;
  const e = (err ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    name?: unknown;
    details?: { errorCode?: unknown };
    cause?: { code?: unknown };
  };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const errorCode =
    typeof e.details?.errorCode === 'string' ? e.details.errorCode : typeof e.code === 'string' ? e.code : '';
  const where = key === undefined ? what : `${what} ${JSON.stringify(key)}`;
  const make = (code: ErrorCode, message: string, retryable = false): StateStoreError =>
    new StateStoreError(code, `azure: ${where}: ${message}`, {
      ...(key === undefined ? {} : { key }),
      backend: 'azure',
      cause: err,
      retryable,
    });
  if (e.name === 'AbortError')
    return signal?.aborted === true
      ? make('Aborted', 'aborted')
      : make('Unavailable', 'connection cut mid-response', true);
  // A body cut mid-way: the SDK's download stream when it may not resume (maxRetryRequests), or
  // the pipeline reading any other answer (a RestError PARSE_ERROR that wraps the stream error).
  const text = typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : '';
  if (
    status === undefined &&
    /^(Data corruption failure: received less data|Error reading response as text)/.test(text)
  ) {
    return make('Unavailable', 'the connection was cut before the whole answer arrived', true);
  }
  if (status === 409 && (errorCode === 'BlobAlreadyExists' || sent === 'absent'))
    return make('AlreadyExists', 'the object already exists');
  if (status === 412 || errorCode === 'ConditionNotMet') {
    if (sent === 'absent') return make('AlreadyExists', 'the object already exists');
    return make('PreconditionFailed', 'the object changed (ETag precondition not met)');
  }
  if (status === 404) {
    if (errorCode === 'ContainerNotFound') return make('NotFound', 'container not found');
    return make('NotFound', 'not found');
  }
  if (status === 403 || status === 401) {
    // Azure says AuthenticationFailed for a bad signature; Azurite says AuthorizationFailure with
    // the same "failed to authenticate" text, which real Azure uses for RBAC/firewall refusals.
    if (status === 401 || AUTHENTICATION_CODES.has(errorCode) || /failed to authenticate/i.test(text)) {
      return make(
        'Unauthenticated',
        `credentials missing or rejected (HTTP ${status}${errorCode === '' ? '' : ` ${errorCode}`})`,
      );
    }
    return make('PermissionDenied', `permission denied (HTTP 403${errorCode === '' ? '' : ` ${errorCode}`})`);
  }
  if (status === 429 || errorCode === 'ServerBusy')
    return make('RateLimited', `server busy (HTTP ${status ?? '?'})`, true);
  if (status === 409)
    return make(
      'Conflict',
      `conflicting concurrent operation (HTTP 409${errorCode === '' ? '' : ` ${errorCode}`})`,
      true,
    );
  if (status === 400)
    return make('InvalidArgument', `bad request (HTTP 400${errorCode === '' ? '' : ` ${errorCode}`})`);
  if (status !== undefined && status >= 500) return make('Unavailable', `service unavailable (HTTP ${status})`, true);
  const errno = typeof e.cause?.code === 'string' ? e.cause.code : errorCode;
  if (NETWORK_CODES.has(errno)) return make('Unavailable', `service unreachable (${errno})`, true);
  if (e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationRequiredError')
    return make('Unauthenticated', 'no usable Azure credential found');
  return make('Unknown', status === undefined ? 'unexpected failure' : `unexpected HTTP ${status}`);
}

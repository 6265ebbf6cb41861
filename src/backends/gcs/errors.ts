import { StateStoreError, type ErrorCode } from '../../errors.js';

/** What was sent with a failed request: GCS answers 412 for both conditions, so the code depends on it. */
export type SentCondition = 'none' | 'absent' | 'generation';

/** The HTTP status of an SDK error, wherever the SDK put it (ApiError.code, GaxiosError.response.status). */
function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.code, e.status, e.response?.status]) {
    if (typeof candidate === 'number') return candidate;
    if (typeof candidate === 'string' && /^\d{3}$/.test(candidate)) return Number(candidate);
  }
  // The resumable-upload client gives up on a retryable answer with a bare Error:
  // "Retry limit exceeded - status: 503 - {...}".
  const message = (err as { message?: unknown }).message;
  const bare = typeof message === 'string' ? /^Retry limit exceeded - status: (\d{3})\b/.exec(message) : null;
  return bare === null ? undefined : Number(bare[1]);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

/** Maps an SDK failure to a StateStoreError. Messages name the key and status, never credentials. */
export function mapGcsError(err: unknown, key: string | undefined, sent: SentCondition, what: string): StateStoreError {
  if (err instanceof StateStoreError) return err;
  const status = statusOf(err);
  const errno = (err as { code?: unknown }).code;
  const where = key === undefined ? what : `${what} ${JSON.stringify(key)}`;
  const make = (code: ErrorCode, message: string, retryable = false): StateStoreError =>
    new StateStoreError(code, `gcs: ${where}: ${message}`, {
      ...(key === undefined ? {} : { key }),
      backend: 'gcs',
      cause: err,
      retryable,
    });
  if ((err as { name?: unknown }).name === 'AbortError') return make('Aborted', 'aborted');
  if (status === 412) {
    if (sent === 'absent') return make('AlreadyExists', 'the object already exists');
    return make('PreconditionFailed', 'the object changed (generation precondition not met)');
  }
  if (status === 404) return make('NotFound', 'not found');
  if (status === 429) return make('RateLimited', 'rate limited (HTTP 429)', true);
  if (status === 401) return make('Unauthenticated', 'credentials missing or rejected (HTTP 401)');
  if (status === 403) return make('PermissionDenied', 'permission denied (HTTP 403)');
  if (status === 409) return make('Conflict', 'conflicting concurrent operation (HTTP 409)', true);
  if (status === 400) return make('InvalidArgument', 'bad request (HTTP 400)');
  if (status !== undefined && status >= 500) return make('Unavailable', `service unavailable (HTTP ${status})`, true);
  if (typeof errno === 'string' && NETWORK_CODES.has(errno))
    return make('Unavailable', `service unreachable (${errno})`, true);
  // node-fetch (under the SDK): a chunked answer cut mid-way, or its own request timeout.
  if (errno === 'ERR_STREAM_PREMATURE_CLOSE')
    return make('Unavailable', 'the connection was cut before the whole answer arrived', true);
  const type = (err as { type?: unknown }).type;
  if (type === 'request-timeout' || type === 'body-timeout')
    return make('Unavailable', `no answer in time (${type})`, true);
  return make('Unknown', status === undefined ? 'unexpected failure' : `unexpected HTTP ${status}`);
}

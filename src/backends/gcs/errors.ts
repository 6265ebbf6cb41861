import { StateStoreError, type ErrorCode } from '../../errors.js';
import type { ErrorContext } from '../../vfs/driver.js';

/**
 * The HTTP status of an SDK error, from its structured fields only: ApiError and the resumable
 * upload's "Upload failed" error carry it as `code`, GaxiosError as `response.status`. (The
 * resumable-upload client's bare "Retry limit exceeded" error, which had it only in its message,
 * is no longer produced: the driver opens Storage with `retryableErrorFn: () => false`.)
 */
function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.code, e.status, e.response?.status]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100) return candidate;
    if (typeof candidate === 'string' && /^\d{3}$/.test(candidate)) return Number(candidate);
  }
  return undefined;
}

/** Node and node-fetch codes of a connection that failed or was cut: the request may succeed again. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  // node-fetch (under the SDK): a chunked answer cut mid-way.
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** What an HTTP status means, by the condition that was sent (GCS answers 412 to both kinds). */
function byStatus(status: number, context: ErrorContext): [ErrorCode, string] | undefined {
  if (status === 412) {
    if (context.condition.kind === 'absent') return ['AlreadyExists', 'the object already exists'];
    return ['PreconditionFailed', 'the object changed (generation precondition not met)'];
  }
  if (status === 404) {
    // A compare-and-delete (or pinned read) of a missing object lost its race: its version is gone.
    if (context.condition.kind === 'version')
      return ['PreconditionFailed', 'the object changed (generation precondition not met)'];
    return ['NotFound', 'not found'];
  }
  if (status === 429) return ['RateLimited', 'rate limited (HTTP 429)'];
  if (status === 401) return ['Unauthenticated', 'credentials missing or rejected (HTTP 401)'];
  if (status === 403) return ['PermissionDenied', 'permission denied (HTTP 403)'];
  if (status === 409) return ['Conflict', 'conflicting concurrent operation (HTTP 409)'];
  if (status === 400) return ['InvalidArgument', 'bad request (HTTP 400)'];
  if (status >= 500) return ['Unavailable', `service unavailable (HTTP ${status})`];
  return undefined;
}

/** What a failure without an HTTP status means: an abort, a network failure, a timeout. */
function byTransport(err: unknown, context: ErrorContext): [ErrorCode, string] | undefined {
  const e = err as { name?: unknown; code?: unknown; type?: unknown };
  if (context.signal?.aborted === true || e.name === 'AbortError') return ['Aborted', 'aborted'];
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    return e.code === 'ERR_STREAM_PREMATURE_CLOSE'
      ? ['Unavailable', 'the connection was cut before the whole answer arrived']
      : ['Unavailable', `service unreachable (${e.code})`];
  }
  // node-fetch's own request and body timeouts.
  if (e.type === 'request-timeout' || e.type === 'body-timeout')
    return ['Unavailable', `no answer in time (${e.type})`];
  return undefined;
}

/**
 * Maps a `@google-cloud/storage` failure to a StateStoreError by its structured fields and the
 * call's context. Total; the message names the operation, key and status, never the SDK's message
 * (it can hold a signed URL or token); the original is kept as `cause`.
 */
export function mapGcsError(err: unknown, context: ErrorContext): StateStoreError {
  const status = statusOf(err);
  const aborted = context.signal?.aborted === true;
  const [code, message] = (status === undefined || aborted ? undefined : byStatus(status, context)) ??
    byTransport(err, context) ?? ['Unknown', status === undefined ? 'unexpected failure' : `unexpected HTTP ${status}`];
  const where = context.key === undefined ? context.op : `${context.op} ${JSON.stringify(context.key)}`;
  return new StateStoreError(code, `gcs: ${where}: ${message}`, {
    ...(context.key === undefined ? {} : { key: context.key }),
    backend: 'gcs',
    cause: err,
  });
}

import { StateStoreError, type ErrorCode } from '../../errors.js';
import type { ErrorContext } from '../../vfs/driver.js';
import {
  mapHttpStatus,
  networkErrorCode,
  tlsCertificateRefusal,
  type HttpErrorMapping,
} from '../common/http-errors.js';

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

/** What a failure without an HTTP status means: an abort, a refused certificate, a network failure, a timeout. */
function byTransport(err: unknown, context: ErrorContext): HttpErrorMapping | undefined {
  const e = err as { name?: unknown; type?: unknown };
  if (context.signal?.aborted === true || e.name === 'AbortError') return { code: 'Aborted', reason: 'aborted' };
  // A refused server certificate (node-fetch's FetchError carries OpenSSL's code): not retried.
  const certificate = tlsCertificateRefusal(err);
  if (certificate !== undefined) return certificate;
  // Node's, and node-fetch's (under the SDK) ERR_STREAM_PREMATURE_CLOSE for a chunked answer cut mid-way.
  const network = networkErrorCode(err);
  if (network !== undefined)
    return { code: 'Unavailable', reason: `service unreachable or connection cut (${network})` };
  // node-fetch's own request and body timeouts.
  if (e.type === 'request-timeout' || e.type === 'body-timeout')
    return { code: 'Unavailable', reason: `no answer in time (${String(e.type)})` };
  return undefined;
}

/**
 * Maps a `@google-cloud/storage` failure to a StateStoreError by its structured fields and the
 * call's context. Total; the message names the operation, key and status, never the SDK's message
 * (it can hold a signed URL or token); the original is kept as `cause`. `proxy` (how ./proxy.ts
 * names the store's proxy, credentials left out) is named on a proxy's 407 and a network failure.
 */
export function mapGcsError(err: unknown, context: ErrorContext, proxy?: string): StateStoreError {
  const status = statusOf(err);
  const where = context.key === undefined ? context.op : `${context.op} ${JSON.stringify(context.key)}`;
  const make = (code: ErrorCode, reason: string) =>
    new StateStoreError(code, `gcs: ${where}: ${reason}`, {
      ...(context.key === undefined ? {} : { key: context.key }),
      backend: 'gcs',
      cause: err,
    });
  if (status === 407 && proxy !== undefined && context.signal?.aborted !== true)
    return make(
      'Unauthenticated',
      `the proxy ${proxy} refused the request (HTTP 407; its user and password are in its URL)`,
    );
  // GCS answers 412 to both conditions, so the code follows the condition sent (mapHttpStatus).
  const byStatus =
    status === undefined || context.signal?.aborted === true ? undefined : mapHttpStatus(status, context.condition);
  const { code, reason } = byStatus ??
    byTransport(err, context) ?? {
      code: 'Unknown',
      reason: status === undefined ? 'unexpected failure' : `unexpected HTTP ${status}`,
    };
  const through =
    proxy !== undefined && byStatus === undefined && code === 'Unavailable' ? ` through the proxy ${proxy}` : '';
  return make(code, `${reason}${through}`);
}

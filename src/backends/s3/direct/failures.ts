import type { IncomingHttpHeaders } from 'node:http';
import { tlsCertificateErrorCode } from '../../common/http-errors.js';
import { PROXY_REFUSED, RATE_LIMITED } from '../errors.js';
import { errorFields } from './xml.js';

// The direct path's failures in the SDK's shape, and which of them are retried (transport.ts).

/** A failure shaped as the SDK's (the fields errors.ts reads). */
export interface ShapedError extends Error {
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode: number; headers: Record<string, string | undefined> };
}

/** An empty body, or one ending in `</Error>` (what the SDK checks on a 200 answer). */
export function isErrorDocument(body: Buffer): boolean {
  if (body.length === 0) return true;
  return body
    .subarray(Math.max(0, body.length - 16))
    .toString('utf8')
    .trimEnd()
    .endsWith('</Error>');
}

/** The SDK's error for an answer: named by the document's Code, else 404 NotFound, else the status. */
export function s3Failure(status: number, headers: IncomingHttpHeaders, body: Buffer): ShapedError {
  const fields = body.length > 0 ? errorFields(body.toString('utf8')) : {};
  const code = fields['Code'] ?? (status === 404 ? 'NotFound' : String(status));
  // The document's fields on the error, as the SDK puts them (never printed: errors.ts names the code only).
  const requestId = headers['x-amz-request-id'];
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  const shape: Omit<ShapedError, keyof Error> & { name: string } = {
    name: code,
    Code: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, ...(typeof requestId === 'string' ? { requestId } : {}) },
    $response: { statusCode: status, headers: flat },
  };
  return Object.assign(new Error(fields['Message'] ?? code), fields, shape);
}

const THROTTLING = new Set([
  ...RATE_LIMITED,
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'TransactionInProgressException',
]);
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalError']);

/** The SDK's retryable errors: no answer (network, timeout; not a refused TLS certificate), throttling, transient codes, 429 and 5xx. */
export function retryable(err: unknown): boolean {
  const shaped = err as Partial<ShapedError>;
  // A refused certificate is refused again (the SDK calls it a client error and does not retry).
  if (shaped.name === 'AbortError' || tlsCertificateErrorCode(err) !== undefined) return false;
  // A proxy that refused the tunnel refuses again (407, 403), unless it could not reach the endpoint (5xx).
  if (shaped.name === PROXY_REFUSED) return ((err as { proxyStatus?: number }).proxyStatus ?? 0) >= 500;
  const status = shaped.$metadata?.httpStatusCode;
  if (status === undefined) return true;
  const name = shaped.name ?? '';
  return status === 429 || status >= 500 || THROTTLING.has(name) || TRANSIENT.has(name);
}

/** A connection closed before its answer ended (as Node names it). */
export function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** The failure of an aborted request (its name as the SDK's). */
export function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return Object.assign(err, { $metadata: {} });
}

/** The failure of a request that timed out (its name as the SDK's). */
export function timeoutError(why: string): Error {
  const err = new Error(why);
  err.name = 'TimeoutError';
  return Object.assign(err, { $metadata: {} });
}

import type http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isErrorDocument, s3Failure, timeoutError } from './failures.js';

// One request of the direct path (transport.ts), and what its answer becomes: the response, or
// the SDK-shaped failure; Node http's side of it (`STATESTORE_S3_REQUESTS=http`) too.

/** One S3 request of the direct path; header names lower-case. */
export interface DirectRequest {
  method: 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE';
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: Buffer;
  /** Hand a 2xx answer's body over as a stream (GetObject) instead of collecting it. */
  stream?: boolean;
  /**
   * A streamed answer that says it has at most this many bytes (at most {@link SMALL_BODY}) is
   * collected all the same (no stream to set up): for a caller that reads it whole anyway. A body
   * cut while collected fails the attempt, which is retried whole, unless `keepCut`.
   */
  collectUpTo?: number;
  /** A 2xx body cut while collected resolves with the bytes that came and {@link DirectResponse.cut}. */
  keepCut?: boolean;
  /** A 2xx answer whose body is an S3 error document is one (CopyObject: S3 can fail after its 200). */
  errorIn200?: boolean;
}

/** A 2xx answer. */
export interface DirectResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, collected (every request but a streamed one). */
  body: Buffer;
  /** The body, unread (a streamed request whose body is not small). */
  stream?: Readable;
  /** Why a collected body ended before its length (a `keepCut` request): `body` has the bytes that came. */
  cut?: Error;
}

/** Reads the answer: a 2xx resolves (streamed or collected), anything else rejects SDK-shaped. */
export async function answer(request: DirectRequest, response: IncomingMessage): Promise<DirectResponse> {
  const status = response.statusCode ?? 0;
  if (streams(request, status, response.headers))
    return { status, headers: response.headers, body: EMPTY, stream: response };
  const keepCut = request.keepCut === true && status >= 200 && status < 300;
  const { body, cut } = await collectBody(response, keepCut);
  if (cut !== undefined) return { status, headers: response.headers, body, cut };
  return settle(request, status, response.headers, body);
}

/** A collected answer: a 2xx is the response, anything else (or an error document after a 200) the SDK's failure. */
export function settle(
  request: DirectRequest,
  status: number,
  headers: IncomingHttpHeaders,
  body: Buffer,
): DirectResponse {
  const ok = status >= 200 && status < 300;
  if (ok && !(request.errorIn200 === true && isErrorDocument(body))) return { status, headers, body };
  // S3's failure after a 200 is retried as the SDK does (its throw200Exceptions: a 503).
  throw s3Failure(ok ? 503 : status, headers, body);
}

export const EMPTY = Buffer.alloc(0);

/**
 * Bodies up to this size are collected even when streamed: a state store's files are mostly a few
 * KiB, and a stream chain (the answer, a checksum transform, an async iterator to collect it) cost
 * more per object than its bytes (bench/README.md, issue #29). A cut while collecting fails the
 * attempt, which is retried whole, as any request without an answer.
 */
export const SMALL_BODY = 64 * 1024;

/** Whether an answer's body is handed over as a stream: a streamed request's 2xx, unless small and collected. */
export function streams(request: DirectRequest, status: number, headers: IncomingHttpHeaders): boolean {
  if (request.stream !== true || status < 200 || status >= 300) return false;
  const limit = request.collectUpTo;
  if (limit === undefined) return true;
  // Small: its Content-Length says so (chunked answers give none).
  const length = headers['content-length'];
  return length === undefined || Number(length) > limit;
}

/** A body read whole; with `keepCut`, a failure midway resolves with the bytes that came and the failure. */
function collectBody(response: IncomingMessage, keepCut = false): Promise<{ body: Buffer; cut?: Error }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const bytes = () => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve({ body: bytes() }));
    response.on('error', (err) => {
      const failure = Object.assign(err, { $metadata: {} });
      if (keepCut) resolve({ body: bytes(), cut: failure });
      else reject(failure);
    });
  });
}

/**
 * Fails a request whose socket does not connect within `ms` (a reused socket is connected), with
 * `failure()` (a TimeoutError; swift/http.ts names the proxy it was connecting to).
 */
export function connectTimer(
  socket: Socket,
  ms: number,
  outgoing: http.ClientRequest,
  failure: () => Error = () => timeoutError('the connection was not made in time'),
): void {
  if (!socket.connecting) return;
  const timer = setTimeout(() => outgoing.destroy(failure()), ms);
  const clear = () => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
}

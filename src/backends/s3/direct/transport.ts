import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { inListenedCall, reportRetry } from '../../../vfs/events.js';
import { tlsCertificateErrorCode } from '../../common/http-errors.js';
import { backoffDelay, sleep, type RetryPolicy } from '../../../vfs/retry.js';
import type { S3Credentials } from '../types.js';
import { canonicalQuery, encodeKeyPath, SigV4Signer } from './signer.js';
import { errorFields } from './xml.js';

/** One S3 request of the direct path; header names lower-case. */
export interface DirectRequest {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: Buffer;
  /** Hand a 2xx answer's body over as a stream (GetObject) instead of collecting it. */
  stream?: boolean;
  /**
   * A streamed answer that says it has at most {@link SMALL_BODY} bytes is collected all the same
   * (no stream to set up): for a caller that reads it whole anyway and has no use for resuming a
   * cut body from the byte reached (the attempt is retried whole instead).
   */
  collectSmall?: boolean;
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
  stream?: IncomingMessage;
}

/** Where and how the direct requests go. */
export interface TransportConfig {
  /** The endpoint: scheme, host and port (its path, if any, prefixes every request's). */
  endpoint: URL;
  region: string;
  forcePathStyle: boolean;
  /** The SDK client's provider (statestore's checks included); called when the cached pair expires. */
  credentials: () => Promise<S3Credentials & { expiration?: Date }>;
  retry: Required<RetryPolicy>;
  connectTimeoutMs: number;
  socketTimeoutMs: number;
  /** CA certificates (PEM) trusted instead of Node's CA store (AWS_CA_BUNDLE, ../ca-bundle.ts). */
  ca?: string;
}

/** Credentials are asked again this long before they expire (the SDK's own margin). */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** The sockets kept per store, as the concurrency of a move (the SDK's handler keeps 50). */
const MAX_SOCKETS = 64;

/**
 * Sends S3 requests with Node's http(s) over one keep-alive agent, signed with {@link SigV4Signer}:
 * the direct path's wire (see ./index.ts for when it is used). Failures are shaped as the SDK's
 * (`name` the S3 error code, `$metadata.httpStatusCode`, `$response.headers`), so that everything
 * that reads an SDK error (mapS3Error, the conflict retry, the copy's 412 checks) reads these.
 * Retries follow the SDK client's strategy (client.ts `retryStrategy`): network failures,
 * timeouts, throttling and 5xx answers again with full-jitter backoff, up to `maxAttempts`;
 * other 4xx never.
 */
export class DirectTransport {
  private readonly agent: http.Agent;
  private readonly signer: SigV4Signer;
  private readonly secure: boolean;
  /** The cached pair; a `#` field, so that no inspection of the transport shows it. */
  #credentials: Promise<S3Credentials & { expiration?: Date }> | undefined;

  constructor(private readonly config: TransportConfig) {
    this.secure = config.endpoint.protocol === 'https:';
    const options = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      maxFreeSockets: MAX_SOCKETS,
      ...(config.ca === undefined ? {} : { ca: config.ca }),
    };
    this.agent = this.secure ? new https.Agent(options) : new http.Agent(options);
    this.signer = new SigV4Signer(config.region);
  }

  /** Sends `request`, retrying as the SDK would; resolves with a 2xx answer, rejects SDK-shaped. */
  async send(request: DirectRequest, signal?: AbortSignal): Promise<DirectResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request, signal);
      } catch (err) {
        const delay = this.retryDelay(err, attempt, signal);
        if (delay === undefined) throw err;
        await sleep(delay, signal).catch(() => undefined);
        if (signal?.aborted === true) throw err;
        if (inListenedCall()) reportRetry(attempt + 1, err);
      }
    }
  }

  /** Closes the agent's sockets. */
  close(): void {
    this.agent.destroy();
  }

  /** The wait before the next attempt, or undefined when `err` is final (see the class doc). */
  private retryDelay(err: unknown, attempt: number, signal?: AbortSignal): number | undefined {
    if (attempt >= this.config.retry.maxAttempts || signal?.aborted === true || !retryable(err)) return undefined;
    const delay = backoffDelay(attempt, this.config.retry);
    const after = Number((err as ShapedError).$response?.headers?.['retry-after']);
    return Number.isFinite(after) && after > 0
      ? Math.max(delay, Math.min(this.config.retry.maxDelayMs, after * 1000))
      : delay;
  }

  private async attempt(request: DirectRequest, signal?: AbortSignal): Promise<DirectResponse> {
    const credentials = await this.currentCredentials();
    const { endpoint, forcePathStyle } = this.config;
    const base = endpoint.pathname === '/' ? '' : endpoint.pathname.replace(/\/$/, '');
    const keyPath = request.key === undefined ? '' : `/${encodeKeyPath(request.key)}`;
    const virtual = !forcePathStyle;
    const host = virtual ? `${request.bucket}.${endpoint.host}` : endpoint.host;
    const hostname = virtual ? `${request.bucket}.${endpoint.hostname}` : endpoint.hostname;
    const path = virtual ? `${base}${keyPath || '/'}` : `${base}/${request.bucket}${keyPath}`;
    const query = request.query === undefined ? '' : canonicalQuery(request.query);
    const headers = this.signer.sign(
      {
        method: request.method,
        path,
        query,
        host,
        headers: request.headers,
        payloadHash: 'UNSIGNED-PAYLOAD',
      },
      credentials,
    );
    if (request.body !== undefined) headers['content-length'] = String(request.body.length);
    const target = { hostname, path: query === '' ? path : `${path}?${query}` };
    return this.exchange(request, { ...target, headers }, signal);
  }

  /** One request on the wire: its answer, or a failure shaped as the SDK's. */
  private exchange(
    request: DirectRequest,
    target: { hostname: string; path: string; headers: Record<string, string> },
    signal?: AbortSignal,
  ): Promise<DirectResponse> {
    const { endpoint, connectTimeoutMs, socketTimeoutMs } = this.config;
    const { body } = request;
    return new Promise<DirectResponse>((resolve, reject) => {
      if (signal?.aborted === true) return reject(abortError());
      const transport = this.secure ? https : http;
      const outgoing = transport.request({
        agent: this.agent,
        host: target.hostname,
        ...(endpoint.port === '' ? {} : { port: endpoint.port }),
        method: request.method,
        path: target.path,
        headers: target.headers,
        timeout: socketTimeoutMs,
      });
      const onAbort = () => outgoing.destroy(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      outgoing.on('timeout', () => outgoing.destroy(timeoutError('the socket was idle too long')));
      outgoing.on('socket', (socket) => connectTimer(socket, connectTimeoutMs, outgoing));
      outgoing.on('error', (err) => {
        done();
        reject(Object.assign(err, { $metadata: {} }));
      });
      outgoing.on('response', (response) => {
        answer(request, response).then(
          (value) => {
            done();
            resolve(value);
          },
          (err: unknown) => {
            done();
            reject(err);
          },
        );
      });
      outgoing.end(body);
    });
  }

  /** The credentials, asked from the provider once and again only near their expiry. */
  private async currentCredentials(): Promise<S3Credentials> {
    let pending = this.#credentials;
    if (pending !== undefined) {
      const known = await pending.catch(() => undefined);
      const expires = known?.expiration?.getTime();
      if (known === undefined || (expires !== undefined && expires - Date.now() < EXPIRY_MARGIN_MS))
        pending = undefined;
    }
    if (pending === undefined) {
      pending = this.config.credentials();
      this.#credentials = pending;
      pending.catch(() => {
        if (this.#credentials === pending) this.#credentials = undefined;
      });
    }
    return pending;
  }
}

/** A failure shaped as the SDK's (the fields errors.ts reads). */
export interface ShapedError extends Error {
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode: number; headers: Record<string, string | undefined> };
}

/** Reads the answer: a 2xx resolves (streamed or collected), anything else rejects SDK-shaped. */
async function answer(request: DirectRequest, response: IncomingMessage): Promise<DirectResponse> {
  const status = response.statusCode ?? 0;
  const ok = status >= 200 && status < 300;
  if (ok && request.stream === true && !(request.collectSmall === true && small(response)))
    return { status, headers: response.headers, body: EMPTY, stream: response };
  const body = await collectBody(response);
  if (ok && !(request.errorIn200 === true && isErrorDocument(body))) return { status, headers: response.headers, body };
  // S3's failure after a 200 is retried as the SDK does (its throw200Exceptions: a 503).
  const effective = ok ? 503 : status;
  throw s3Failure(effective, response.headers, body);
}

const EMPTY = Buffer.alloc(0);

/**
 * Bodies up to this size are collected even when streamed: a state store's files are mostly a few
 * KiB, and a stream chain (the answer, a checksum transform, an async iterator to collect it) cost
 * more per object than its bytes (bench/README.md, issue #29). A cut while collecting fails the
 * attempt, which is retried whole, as any request without an answer.
 */
export const SMALL_BODY = 64 * 1024;

/** An answer whose Content-Length says it is small (chunked answers give none). */
function small(response: IncomingMessage): boolean {
  const length = response.headers['content-length'];
  return length !== undefined && Number(length) <= SMALL_BODY;
}

function collectBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    response.on('error', (err) => reject(Object.assign(err, { $metadata: {} })));
  });
}

/** An empty body, or one ending in `</Error>` (what the SDK checks on a 200 answer). */
function isErrorDocument(body: Buffer): boolean {
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
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'TransactionInProgressException',
]);
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalError']);

/** The SDK's retryable errors: no answer (network, timeout; not a refused TLS certificate), throttling, transient codes, 429 and 5xx. */
function retryable(err: unknown): boolean {
  const shaped = err as Partial<ShapedError>;
  // A refused certificate is refused again (the SDK calls it a client error and does not retry).
  if (shaped.name === 'AbortError' || tlsCertificateErrorCode(err) !== undefined) return false;
  const status = shaped.$metadata?.httpStatusCode;
  if (status === undefined) return true;
  const name = shaped.name ?? '';
  return status === 429 || status >= 500 || THROTTLING.has(name) || TRANSIENT.has(name);
}

function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return Object.assign(err, { $metadata: {} });
}

function timeoutError(why: string): Error {
  const err = new Error(why);
  err.name = 'TimeoutError';
  return Object.assign(err, { $metadata: {} });
}

/** Fails a request whose socket does not connect within `ms` (a reused socket is connected). */
function connectTimer(socket: Socket, ms: number, outgoing: http.ClientRequest): void {
  if (!socket.connecting) return;
  const timer = setTimeout(() => outgoing.destroy(timeoutError('the connection was not made in time')), ms);
  const clear = () => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
}

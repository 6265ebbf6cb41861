import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { inListenedCall, reportRetry } from '../../../vfs/events.js';
import { backoffDelay, sleep, type RetryPolicy } from '../../../vfs/retry.js';
import type { ProxyServer, ProxySettings } from '../../common/proxy-env.js';
import type { S3Credentials } from '../types.js';
import { canonicalQuery, encodeKeyPath, SigV4Signer } from './signer.js';
import { abortError, isErrorDocument, retryable, s3Failure, timeoutError, type ShapedError } from './failures.js';
import { ProxyAgent, refusal, throughProxy } from './proxy-tunnel.js';
import { Wire } from './wire.js';

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
  /** Every request through Node's http, none through {@link Wire} (`STATESTORE_S3_REQUESTS=http`). */
  nodeHttp?: boolean;
  /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY of the store's environment (../../common/proxy-env.ts). */
  proxies?: ProxySettings | undefined;
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
  /** Requests whose answer is read whole (all but a streamed GetObject): see wire.ts. */
  private readonly wire: Wire | undefined;
  private readonly signer: SigV4Signer;
  private readonly secure: boolean;
  /** The cached pair; a `#` field, so that no inspection of the transport shows it. */
  #credentials: Promise<S3Credentials & { expiration?: Date }> | undefined;
  /** The same pair once it resolved (read without a promise: {@link DirectTransport.freshCredentials}). */
  #known: (S3Credentials & { expiration?: Date }) | undefined;
  private readonly transport: typeof http | typeof https;
  private readonly port: number | undefined;
  private readonly addresses = new Map<string, BucketAddress>();

  constructor(private readonly config: TransportConfig) {
    this.secure = config.endpoint.protocol === 'https:';
    this.transport = this.secure ? https : http;
    this.port = config.endpoint.port === '' ? undefined : Number(config.endpoint.port);
    const options = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      maxFreeSockets: MAX_SOCKETS,
      ...(config.ca === undefined ? {} : { ca: config.ca }),
    };
    const proxies = config.proxies;
    this.agent = !this.secure
      ? new http.Agent(options)
      : proxies?.https === undefined
        ? new https.Agent(options)
        : new ProxyAgent(options, proxies, config.connectTimeoutMs);
    this.wire = config.nodeHttp === true ? undefined : new Wire({ ...wireOptions(config), maxSockets: MAX_SOCKETS });
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
    this.wire?.close();
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
    const credentials = this.freshCredentials() ?? (await this.currentCredentials());
    const { host, hostname, path: bucketPath, root, proxy } = this.addressOf(request.bucket);
    const path = request.key === undefined ? root : `${bucketPath}/${encodeKeyPath(request.key)}`;
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
    const target = query === '' ? path : `${path}?${query}`;
    if (this.wire === undefined) return this.exchange(request, { hostname, path: target, proxy }, headers, signal);
    const port = this.port ?? (this.secure ? 443 : 80);
    const { body } = request;
    const sent = {
      method: request.method,
      hostname,
      port,
      path: target,
      headers,
      proxy,
      ...(body === undefined ? {} : { body }),
      ...(request.keepCut === true ? { keepCut: true } : {}),
    };
    const streamIf =
      request.stream === true ? (status: number, h: IncomingHttpHeaders) => streams(request, status, h) : undefined;
    const answer = await this.wire.send(sent, signal, streamIf);
    if (answer.stream !== undefined)
      return { status: answer.status, headers: answer.headers, body: EMPTY, stream: answer.stream };
    if (answer.cut !== undefined)
      return { status: answer.status, headers: answer.headers, body: answer.body, cut: answer.cut };
    if (answer.status === PROXY_AUTHENTICATION && proxy !== undefined) throw proxyAnswer(proxy, host);
    return settle(request, answer.status, answer.headers, answer.body);
  }

  /**
   * Where a bucket's requests go: its host (virtual-hosted or the endpoint's) and the path before
   * the key (the endpoint's own path, and the bucket when path-style). The same for every request
   * of the bucket, so made once per bucket (a move sends thousands to two buckets).
   */
  private addressOf(bucket: string): BucketAddress {
    let address = this.addresses.get(bucket);
    if (address === undefined) {
      const { endpoint, forcePathStyle, proxies } = this.config;
      const base = endpoint.pathname === '/' ? '' : endpoint.pathname.replace(/\/$/, '');
      const hostname = forcePathStyle ? endpoint.hostname : `${bucket}.${endpoint.hostname}`;
      address = {
        host: forcePathStyle ? endpoint.host : `${bucket}.${endpoint.host}`,
        hostname,
        path: forcePathStyle ? `${base}/${bucket}` : base,
        root: forcePathStyle ? `${base}/${bucket}` : `${base}/`,
        // NO_PROXY is matched against the host the request goes to, the bucket's own when virtual-hosted.
        proxy: proxies?.proxyFor(this.secure ? 'https' : 'http', hostname, this.port ?? (this.secure ? 443 : 80)),
      };
      this.addresses.set(bucket, address);
    }
    return address;
  }

  /**
   * One request on the wire: its answer, or a failure shaped as the SDK's. Through a proxy, an
   * https request goes by the agent's tunnel, an http one to the proxy in absolute form.
   */
  private exchange(
    request: DirectRequest,
    to: { hostname: string; path: string; proxy: ProxyServer | undefined },
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<DirectResponse> {
    const { hostname, path, proxy } = to;
    const absolute = proxy !== undefined && !this.secure ? proxy : undefined;
    const authorization = absolute?.authorization();
    const { connectTimeoutMs, socketTimeoutMs } = this.config;
    const { body } = request;
    return new Promise<DirectResponse>((resolve, reject) => {
      if (signal?.aborted === true) return reject(abortError());
      const outgoing = this.transport.request({
        agent: this.agent,
        host: absolute?.host ?? hostname,
        port: absolute?.port ?? this.port,
        method: request.method,
        path: absolute === undefined ? path : `http://${headers['host']}${path}`,
        headers: authorization === undefined ? headers : { ...headers, 'proxy-authorization': authorization },
        timeout: socketTimeoutMs,
      });
      // Without a signal (a move passes none), no listener to add and remove per request.
      const onAbort = signal === undefined ? undefined : () => outgoing.destroy(abortError());
      if (onAbort !== undefined) signal!.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
      };
      outgoing.on('timeout', () => outgoing.destroy(timeoutError('the socket was idle too long')));
      outgoing.on('socket', (socket) => connectTimer(socket, connectTimeoutMs, outgoing));
      outgoing.on('error', (err) => {
        done();
        reject(Object.assign(absolute === undefined ? err : throughProxy(err, absolute), { $metadata: {} }));
      });
      outgoing.on('response', (response) => {
        if (response.statusCode === PROXY_AUTHENTICATION && absolute !== undefined) {
          response.resume();
          done();
          return reject(proxyAnswer(absolute, headers['host'] ?? hostname));
        }
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

  /**
   * The cached credentials when they are known and not near their expiry: read without a promise,
   * as every request asks (undefined: ask {@link currentCredentials}).
   */
  private freshCredentials(): S3Credentials | undefined {
    const known = this.#known;
    if (known === undefined) return undefined;
    const expires = known.expiration?.getTime();
    return expires !== undefined && expires - Date.now() < EXPIRY_MARGIN_MS ? undefined : known;
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
      this.#known = undefined;
      pending.then(
        (value) => {
          if (this.#credentials === pending) this.#known = value;
        },
        () => {
          if (this.#credentials === pending) this.#credentials = undefined;
        },
      );
    }
    return pending;
  }
}

/** The host and the path before the key of one bucket's requests (DirectTransport.addressOf). */
interface BucketAddress {
  host: string;
  hostname: string;
  /** The path a key's `/<key>` follows. */
  path: string;
  /** The path of a request without a key (a listing). */
  root: string;
  /** The proxy its requests go through, if any. */
  proxy: ProxyServer | undefined;
}

/** The status of a proxy that wants credentials (or others than those sent) in place of the endpoint's answer. */
const PROXY_AUTHENTICATION = 407;

/** The failure of an http request `proxy` answered 407 (an https one's proxy answers CONNECT: proxy-tunnel.ts). */
function proxyAnswer(proxy: ProxyServer, host: string) {
  return refusal(proxy, host, PROXY_AUTHENTICATION, `HTTP ${PROXY_AUTHENTICATION} Proxy Authentication Required`);
}

/** Reads the answer: a 2xx resolves (streamed or collected), anything else rejects SDK-shaped. */
async function answer(request: DirectRequest, response: IncomingMessage): Promise<DirectResponse> {
  const status = response.statusCode ?? 0;
  if (streams(request, status, response.headers))
    return { status, headers: response.headers, body: EMPTY, stream: response };
  const keepCut = request.keepCut === true && status >= 200 && status < 300;
  const { body, cut } = await collectBody(response, keepCut);
  if (cut !== undefined) return { status, headers: response.headers, body, cut };
  return settle(request, status, response.headers, body);
}

/** A collected answer: a 2xx is the response, anything else (or an error document after a 200) the SDK's failure. */
function settle(request: DirectRequest, status: number, headers: IncomingHttpHeaders, body: Buffer): DirectResponse {
  const ok = status >= 200 && status < 300;
  if (ok && !(request.errorIn200 === true && isErrorDocument(body))) return { status, headers, body };
  // S3's failure after a 200 is retried as the SDK does (its throw200Exceptions: a 503).
  throw s3Failure(ok ? 503 : status, headers, body);
}

/** The wire's options of a transport's config. */
function wireOptions(config: TransportConfig) {
  return {
    secure: config.endpoint.protocol === 'https:',
    connectTimeoutMs: config.connectTimeoutMs,
    socketTimeoutMs: config.socketTimeoutMs,
    ...(config.ca === undefined ? {} : { ca: config.ca }),
  };
}

const EMPTY = Buffer.alloc(0);

/**
 * Bodies up to this size are collected even when streamed: a state store's files are mostly a few
 * KiB, and a stream chain (the answer, a checksum transform, an async iterator to collect it) cost
 * more per object than its bytes (bench/README.md, issue #29). A cut while collecting fails the
 * attempt, which is retried whole, as any request without an answer.
 */
export const SMALL_BODY = 64 * 1024;

/** Whether an answer's body is handed over as a stream: a streamed request's 2xx, unless small and collected. */
function streams(request: DirectRequest, status: number, headers: IncomingHttpHeaders): boolean {
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

/** Fails a request whose socket does not connect within `ms` (a reused socket is connected). */
function connectTimer(socket: Socket, ms: number, outgoing: http.ClientRequest): void {
  if (!socket.connecting) return;
  const timer = setTimeout(() => outgoing.destroy(timeoutError('the connection was not made in time')), ms);
  const clear = () => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
}

import type http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type https from 'node:https';
import { inListenedCall, reportRetry } from '../../../vfs/events.js';
import { backoffDelay, sleep, type RetryPolicy } from '../../../vfs/retry.js';
import type { ProxyServer, ProxySettings } from '../../common/proxy-env.js';
import type { S3Credentials } from '../types.js';
import { canonicalQuery, encodeKeyPath, SigV4Signer } from './signer.js';
import { abortError, retryable, timeoutError, type ShapedError } from './failures.js';
import { answer, connectTimer, EMPTY, settle, streams, type DirectRequest, type DirectResponse } from './request.js';
import { ProxyAgent, refusal, throughProxy } from './proxy-tunnel.js';
import { Wire, type WireRequest } from './wire.js';

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

/** Node's client for the requests that do not go by the Wire. */
interface NodeClient {
  transport: typeof http | typeof https;
  agent: http.Agent;
}

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
  /** Node's http(s) client and its agent, made on first use ({@link DirectTransport.nodeClient}). */
  private client: NodeClient | undefined;
  /** Requests whose answer is read whole (all but a streamed GetObject): see wire.ts. */
  private readonly wire: Wire | undefined;
  private readonly signer: SigV4Signer;
  private readonly secure: boolean;
  /** The cached pair; a `#` field, so that no inspection of the transport shows it. */
  #credentials: Promise<S3Credentials & { expiration?: Date }> | undefined;
  /** The same pair once it resolved (read without a promise: {@link DirectTransport.freshCredentials}). */
  #known: (S3Credentials & { expiration?: Date }) | undefined;
  private readonly port: number | undefined;
  private readonly addresses = new Map<string, BucketAddress>();

  constructor(private readonly config: TransportConfig) {
    this.secure = config.endpoint.protocol === 'https:';
    this.port = config.endpoint.port === '' ? undefined : Number(config.endpoint.port);
    this.wire = config.nodeHttp === true ? undefined : new Wire({ ...wireOptions(config), maxSockets: MAX_SOCKETS });
    this.signer = new SigV4Signer(config.region);
  }

  /**
   * Sends `request`, retrying as the SDK would; resolves with a 2xx answer, rejects SDK-shaped. The
   * first attempt is the answer's own promise, the loop of retries only entered on a failure: an
   * async frame less per request (a move sends thousands).
   */
  send(request: DirectRequest, signal?: AbortSignal): Promise<DirectResponse> {
    return this.attempt(request, signal).catch((err: unknown) => this.retried(err, request, signal));
  }

  /** The attempts after the first one's failure `first`, until one succeeds or a failure is final. */
  private async retried(first: unknown, request: DirectRequest, signal?: AbortSignal): Promise<DirectResponse> {
    let err = first;
    for (let attempt = 1; ; attempt++) {
      const delay = this.retryDelay(err, attempt, signal);
      if (delay === undefined) throw err;
      await sleep(delay, signal).catch(() => undefined);
      if (signal?.aborted === true) throw err;
      if (inListenedCall()) reportRetry(attempt + 1, err);
      try {
        return await this.attempt(request, signal);
      } catch (failure) {
        err = failure;
      }
    }
  }

  /**
   * Node's http or https and a keep-alive agent, made on the first request that goes through them
   * (a streamed GetObject, every request with `nodeHttp`): the Wire carries the rest, so a move on
   * an http:// endpoint loads neither node:http nor node:https (bench/README.md, "Move start-up II").
   */
  private nodeClient(): NodeClient {
    if (this.client !== undefined) return this.client;
    const { config } = this;
    const options = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      maxFreeSockets: MAX_SOCKETS,
      ...(config.ca === undefined ? {} : { ca: config.ca }),
    };
    if (!this.secure) {
      const transport = process.getBuiltinModule('node:http');
      return (this.client = { transport, agent: new transport.Agent(options) });
    }
    const transport = process.getBuiltinModule('node:https');
    const proxies = config.proxies;
    const agent =
      proxies?.https === undefined
        ? new transport.Agent(options)
        : new ProxyAgent(options, proxies, config.connectTimeoutMs);
    return (this.client = { transport, agent });
  }

  /** Closes the agent's sockets. */
  close(): void {
    this.client?.agent.destroy();
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

  /** One attempt: signed with the cached credentials, or once the provider gave them. */
  private attempt(request: DirectRequest, signal?: AbortSignal): Promise<DirectResponse> {
    const credentials = this.freshCredentials();
    if (credentials === undefined)
      return this.currentCredentials().then((asked) => this.signed(request, asked, signal));
    try {
      return this.signed(request, credentials, signal);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private signed(request: DirectRequest, credentials: S3Credentials, signal?: AbortSignal): Promise<DirectResponse> {
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
    const sent: WireRequest = { method: request.method, hostname, port, path: target, headers, proxy };
    if (request.body !== undefined) sent.body = request.body;
    if (request.keepCut === true) sent.keepCut = true;
    const streamIf =
      request.stream === true ? (status: number, h: IncomingHttpHeaders) => streams(request, status, h) : undefined;
    return this.wire.send(sent, signal, streamIf).then((answer) => {
      if (answer.stream !== undefined)
        return { status: answer.status, headers: answer.headers, body: EMPTY, stream: answer.stream };
      if (answer.cut !== undefined)
        return { status: answer.status, headers: answer.headers, body: answer.body, cut: answer.cut };
      if (answer.status === PROXY_AUTHENTICATION && proxy !== undefined) throw proxyAnswer(proxy, host);
      return settle(request, answer.status, answer.headers, answer.body);
    });
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
      const { transport, agent } = this.nodeClient();
      const outgoing = transport.request({
        agent,
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

/** The wire's options of a transport's config. */
function wireOptions(config: TransportConfig) {
  return {
    secure: config.endpoint.protocol === 'https:',
    connectTimeoutMs: config.connectTimeoutMs,
    socketTimeoutMs: config.socketTimeoutMs,
    ...(config.ca === undefined ? {} : { ca: config.ca }),
  };
}

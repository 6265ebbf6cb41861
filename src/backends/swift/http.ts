/**
 * How swift:// requests reach Swift: Node's `fetch`, or, when the store's environment names an
 * HTTP proxy for the URL (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, chosen by ../common/proxy-env.ts
 * as Go's ProxyFromEnvironment, which kops's gophercloud client uses), node:http through that
 * proxy. Node 20's `fetch` reads no proxy variable and takes no proxy without the undici package,
 * so a proxied request goes as the S3 backend's do: an http:// URL to the proxy in absolute form
 * (`GET http://host:port/v1/AUTH_x/c/o`, its credentials in `Proxy-Authorization`), an https://
 * one in a CONNECT tunnel (../s3/direct/proxy-tunnel.ts); either connection has 10 s to be made.
 * Requests without a proxy are unchanged.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ProxyServer, ProxySettings } from '../common/proxy-env.js';
import { timeoutError } from '../s3/direct/failures.js';
import { ProxyAgent, refusal, throughProxy } from '../s3/direct/proxy-tunnel.js';
import { connectTimer } from '../s3/direct/request.js';

/** What a Swift request sends (the subset of fetch's RequestInit the backend uses). */
export interface SwiftFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  signal?: AbortSignal | undefined;
}

/** What a streamed PUT opens (upload.ts writes its body). */
export interface OpenedRequest {
  request: http.ClientRequest;
  /** The proxy it goes through, if any: a 407 answer is then the proxy's (see {@link proxyAnswer}). */
  proxy: ProxyServer | undefined;
}

/**
 * How long a connection through the proxy may take to be made: a tunnel to open (https://), the
 * connection to the proxy (http://), as undici's connect timeout behind a direct fetch (10 s).
 */
let proxyConnectTimeoutMs = 10_000;

/**
 * Sets the proxy connect timeout of the stores opened from now on; returns the previous one. For
 * tests: a proxy that never lets a connection be made fails in `ms` instead of 10 s.
 */
export function setProxyConnectTimeout(ms: number): number {
  const previous = proxyConnectTimeoutMs;
  proxyConnectTimeoutMs = ms;
  return previous;
}

/** The status of a proxy that wants credentials (or others than those sent). */
const PROXY_AUTHENTICATION = 407;

/** Answers that carry no body (fetch's Response refuses one for them). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** One store's way to Swift: direct, or through its environment's proxy (keep-alive agents, closed with the store). */
export class SwiftTransport {
  #plainAgent: http.Agent | undefined;
  #tunnelAgent: ProxyAgent | undefined;
  readonly #connectTimeoutMs = proxyConnectTimeoutMs;

  constructor(private readonly proxies: ProxySettings | undefined) {}

  /** The proxy a request to `url` goes through, or undefined to connect directly. */
  proxyFor(url: URL): ProxyServer | undefined {
    if (this.proxies === undefined) return undefined;
    const scheme = url.protocol === 'https:' ? 'https' : 'http';
    const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
    return this.proxies.proxyFor(scheme, url.hostname, port);
  }

  /** `fetch(url, init)`, through the proxy when one applies (then a 407 is thrown as the proxy's refusal). */
  fetch(url: string, init: SwiftFetchInit): Promise<Response> {
    const target = new URL(url);
    if (this.proxyFor(target) === undefined) return fetch(url, init);
    return new Promise<Response>((resolve, reject) => {
      const headers = { ...init.headers };
      const body = init.body === undefined ? undefined : Buffer.from(init.body);
      const method = init.method ?? 'GET';
      if (body !== undefined || method === 'PUT' || method === 'POST')
        headers['content-length'] = String(body?.length ?? 0);
      const { request, proxy } = this.open(target, method, headers, init.signal);
      request.on('error', (err: Error) => reject(proxy === undefined ? err : throughProxy(err, proxy)));
      request.once('response', (answer: http.IncomingMessage) => {
        if (answer.statusCode === PROXY_AUTHENTICATION && proxy !== undefined) {
          answer.resume();
          return reject(proxyAnswer(proxy, target));
        }
        // Errors after the answer (a cut body, an abort) reach the reader through the body stream.
        answer.on('error', () => undefined);
        resolve(toResponse(answer, method));
      });
      request.end(body);
    });
  }

  /**
   * A request to `url` on node:http(s), not yet ended: directly, to the proxy in absolute form
   * (http://), or in a tunnel through it (https://). The caller writes the body and reads the answer.
   */
  open(url: URL, method: string, headers: Record<string, string>, signal: AbortSignal | undefined): OpenedRequest {
    const proxy = this.proxyFor(url);
    const secure = url.protocol === 'https:';
    const common = { method, signal, headers };
    if (proxy === undefined) return { request: (secure ? https : http).request(url, common), proxy };
    if (secure) {
      this.#tunnelAgent ??= new ProxyAgent({ keepAlive: true }, this.proxies!, this.#connectTimeoutMs);
      return { request: https.request(url, { ...common, agent: this.#tunnelAgent }), proxy };
    }
    this.#plainAgent ??= new http.Agent({ keepAlive: true });
    const authorization = proxy.authorization();
    const request = http.request({
      ...common,
      host: proxy.host,
      port: proxy.port,
      path: url.href,
      agent: this.#plainAgent,
      headers: {
        ...headers,
        host: url.host,
        ...(authorization === undefined ? {} : { 'proxy-authorization': authorization }),
      },
    });
    // A new connection to the proxy has as long as a tunnel to be made (a kept-alive one is made).
    const late = () => throughProxy(timeoutError('the connection to the proxy was not made in time'), proxy);
    request.on('socket', (socket) => connectTimer(socket, this.#connectTimeoutMs, request, late));
    return { request, proxy };
  }

  /** Closes the kept-alive connections to the proxy. */
  close(): void {
    this.#plainAgent?.destroy();
    this.#tunnelAgent?.destroy();
    this.#plainAgent = undefined;
    this.#tunnelAgent = undefined;
  }
}

/** The failure of an http:// request the proxy answered 407 (an https one's proxy refuses CONNECT: proxy-tunnel.ts). */
export function proxyAnswer(proxy: ProxyServer, url: URL): Error {
  return refusal(proxy, url.host, PROXY_AUTHENTICATION, `HTTP ${PROXY_AUTHENTICATION} Proxy Authentication Required`);
}

/** node:http's answer as fetch's Response (status, headers, the body as a web stream). */
function toResponse(answer: http.IncomingMessage, method: string): Response {
  const headers = new Headers();
  const raw = answer.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const status = answer.statusCode ?? 0;
  const empty = method === 'HEAD' || NULL_BODY_STATUSES.has(status);
  if (empty) answer.resume();
  const body = empty ? null : (Readable.toWeb(answer) as unknown as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: answer.statusMessage ?? '', headers });
}

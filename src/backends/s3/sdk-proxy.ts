import type { S3Client } from '@aws-sdk/client-s3';
import type { ProxyServer, ProxySettings } from '../common/proxy-env.js';
import { ProxyAgent, throughProxy } from './direct/proxy-tunnel.js';
import type { S3Location } from './url.js';

// The SDK client's way through HTTPS_PROXY / HTTP_PROXY: the JS SDK v3 reads neither (its Node
// handler connects where the request says), so the store gives it what the direct path uses.

/** The handler's `httpsAgent`: tunnels through HTTPS_PROXY (NO_PROXY hosts direct); `{}` without one. */
export function sdkProxyAgent(location: S3Location, connectTimeoutMs: number): { httpsAgent?: ProxyAgent } {
  const proxies = location.proxies;
  if (proxies?.https === undefined) return {};
  // The handler's own agent settings (keep-alive, 50 sockets), with AWS_CA_BUNDLE's certificates.
  const options = { keepAlive: true, maxSockets: 50, ...(location.ca === undefined ? {} : { ca: location.ca }) };
  return { httpsAgent: new ProxyAgent(options, proxies, connectTimeoutMs) };
}

/** The fields of the SDK's HttpRequest read and replaced here. */
interface SdkHttpRequest {
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
}

/** A middleware of the client's stack, with the context shared by one command's middlewares. */
type Middleware = (
  next: (args: { request: unknown }) => Promise<unknown>,
  context: { statestoreProxy?: ProxyServer },
) => (args: { request: unknown }) => Promise<unknown>;

/** The part of the client's middleware stack used here. */
interface MiddlewareStack {
  add(
    middleware: Middleware,
    options: { step: 'initialize' | 'deserialize'; priority: 'high' | 'low'; name: string; override: boolean },
  ): void;
}

/**
 * Sends the client's requests to an http:// endpoint to HTTP_PROXY, as Go's transport does: the
 * request line in absolute form (`GET http://host:port/bucket/key`), the proxy's credentials in
 * `Proxy-Authorization`. Added as the last step before the handler, after signing, so the
 * signature stays over the endpoint's own `host` header; each attempt rewrites a copy, never the
 * request the retry loop sends again. An https endpoint's requests go as they are (the agent
 * tunnels). Either way a failure of a proxied request carries the proxy's name (credentials left
 * out) for errors.ts: the handler hands socket errors on as new Errors, without the agent's own
 * naming. Nothing without a proxy.
 */
export function routeThroughHttpProxy(client: S3Client, location: S3Location): void {
  const proxies: ProxySettings | undefined = location.proxies;
  if (proxies === undefined) return;
  const plain = location.endpoint !== undefined && /^http:/i.test(location.endpoint);
  const stack = client.middlewareStack as unknown as MiddlewareStack;
  stack.add(
    (next, context) => (args) => {
      const request = args.request as SdkHttpRequest | undefined;
      if (typeof request?.hostname !== 'string') return next(args);
      const proxy = proxies.proxyFor(plain ? 'http' : 'https', request.hostname, request.port ?? (plain ? 80 : 443));
      if (proxy === undefined) return next(args);
      context.statestoreProxy = proxy;
      const sent = plain ? next({ ...args, request: inAbsoluteForm(request, proxy) }) : next(args);
      return sent.catch((err: unknown) => {
        throw ofThisRealm(err);
      });
    },
    { step: 'deserialize', priority: 'low', name: 'statestoreHttpProxy', override: true },
  );
  // Outermost: the error the command ends with (the deserializer turns a 407 into one after the
  // step above, and the SDK hands socket errors on as new Errors) names the proxy its request used.
  stack.add(
    (next, context) => (args) =>
      next(args).catch((err: unknown) => {
        throw context.statestoreProxy === undefined ? err : named(err, context.statestoreProxy);
      }),
    { step: 'initialize', priority: 'high', name: 'statestoreProxyName', override: true },
  );
}

/** A copy of `request` for `proxy`: to it, the endpoint's URL as its path, the proxy's credentials. */
function inAbsoluteForm(request: SdkHttpRequest, proxy: ProxyServer): SdkHttpRequest {
  const host = request.headers['host'] ?? `${request.hostname}${request.port === undefined ? '' : `:${request.port}`}`;
  const authorization = proxy.authorization();
  return Object.assign(Object.create(Object.getPrototypeOf(request) as object) as object, request, {
    hostname: proxy.host,
    port: proxy.port,
    path: `http://${host}${request.path}`,
    headers:
      authorization === undefined ? request.headers : { ...request.headers, 'proxy-authorization': authorization },
  });
}

/** The fields of a Node socket error that say what failed (errors.ts reads `code`; the rest for the cause). */
const SOCKET_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'proxy'] as const;

/**
 * A failure of the handler as an Error of this realm, its code kept. The SDK's retry step keeps an
 * Error as it is but turns an object of another realm (Node's own socket errors, when this code
 * runs in a vm context such as a test runner's) into `new Error("AWS SDK error wrapper for ...")`,
 * code lost: the message then ended in "(Error)" instead of "(ECONNREFUSED)". The original is the cause.
 */
function ofThisRealm(err: unknown): unknown {
  if (err instanceof Error || typeof err !== 'object' || err === null) return err;
  const source = err as Record<string, unknown>;
  const copy = new Error(typeof source['message'] === 'string' ? source['message'] : 'request failed', { cause: err });
  if (typeof source['name'] === 'string') copy.name = source['name'];
  for (const field of SOCKET_FIELDS) if (source[field] !== undefined) Object.assign(copy, { [field]: source[field] });
  return copy;
}

/** `err` naming `proxy`, unless it names one already (a CONNECT refusal does) or cannot carry a field. */
function named(err: unknown, proxy: ProxyServer): unknown {
  // No instanceof: a socket error may be of another realm (Node's own, under a test runner).
  if (typeof err !== 'object' || err === null || typeof (err as { proxy?: unknown }).proxy === 'string') return err;
  try {
    return throughProxy(err as Error, proxy);
  } catch {
    return err; // a frozen error stays as it is
  }
}

import type { S3Client } from '@aws-sdk/client-s3';
import type { ProxySettings } from '../common/proxy-env.js';
import { ProxyAgent } from './direct/proxy-tunnel.js';
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

/** The part of the client's middleware stack used here. */
interface MiddlewareStack {
  add(
    middleware: (
      next: (args: { request: unknown }) => Promise<unknown>,
    ) => (args: { request: unknown }) => Promise<unknown>,
    options: { step: 'deserialize'; priority: 'low'; name: string; override: boolean },
  ): void;
}

/**
 * Sends the client's requests to an http:// endpoint to HTTP_PROXY, as Go's transport does: the
 * request line in absolute form (`GET http://host:port/bucket/key`), the proxy's credentials in
 * `Proxy-Authorization`. Added as the last step before the handler, after signing, so the
 * signature stays over the endpoint's own `host` header; each attempt rewrites a copy, never the
 * request the retry loop sends again. Nothing for an https endpoint (the agent tunnels) or without
 * HTTP_PROXY.
 */
export function routeThroughHttpProxy(client: S3Client, location: S3Location): void {
  const proxies: ProxySettings | undefined = location.proxies;
  if (proxies?.http === undefined || location.endpoint === undefined || !/^http:/i.test(location.endpoint)) return;
  const stack = client.middlewareStack as unknown as MiddlewareStack;
  stack.add(
    (next) => (args) => {
      const request = args.request as SdkHttpRequest | undefined;
      if (typeof request?.hostname !== 'string') return next(args);
      const proxy = proxies.proxyFor('http', request.hostname, request.port ?? 80);
      if (proxy === undefined) return next(args);
      const host =
        request.headers['host'] ?? `${request.hostname}${request.port === undefined ? '' : `:${request.port}`}`;
      const authorization = proxy.authorization();
      const routed: SdkHttpRequest = Object.assign(
        Object.create(Object.getPrototypeOf(request) as object) as object,
        request,
        {
          hostname: proxy.host,
          port: proxy.port,
          path: `http://${host}${request.path}`,
          headers:
            authorization === undefined
              ? request.headers
              : { ...request.headers, 'proxy-authorization': authorization },
        },
      );
      return next({ ...args, request: routed });
    },
    { step: 'deserialize', priority: 'low', name: 'statestoreHttpProxy', override: true },
  );
}

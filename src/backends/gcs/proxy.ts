/**
 * A `gs://` store behind an HTTP proxy from the store's environment (`options.env`, default
 * `process.env`), chosen by the rules the S3 backend follows (../common/proxy-env.ts: Go's
 * `http.ProxyFromEnvironment`). The Google SDK's own transports read the proxy variables from
 * `process.env` alone, and by rules of their own (teeny-request takes `HTTP_PROXY` before
 * `HTTPS_PROXY` for any URL and proxies loopback hosts): so the store picks the proxy for its
 * endpoint itself and hands it to every request of its `Storage` through a request interceptor,
 * which teeny-request (JSON API calls, downloads) and gaxios (resumable uploads) both honour.
 */
import { StateStoreError } from '../../errors.js';
import { proxySettings, type ProxyServer } from '../common/proxy-env.js';

/** The SDK's default JSON API endpoint (its `apiEndpoint` when none is given). */
const GOOGLE_ENDPOINT = 'https://storage.googleapis.com';

/**
 * The proxy for requests to `endpoint` (default Google's) in `env`, or undefined to connect
 * directly (no proxy variable for its scheme, a NO_PROXY host, loopback). A proxy variable that is
 * not an http:// proxy URL is InvalidArgument, as for S3 stores.
 */
export function endpointProxy(
  endpoint: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ProxyServer | undefined {
  const proxies = proxySettings(env, (why) => new StateStoreError('InvalidArgument', `gcs: ${why}`));
  if (proxies === undefined) return undefined;
  const url = new URL(endpoint ?? GOOGLE_ENDPOINT);
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port);
  return proxies.proxyFor(scheme, url.hostname, port);
}

/** The part of the SDK's `Storage` that adds to every request's options. */
interface Interceptable {
  interceptors: Array<{ request(options: object): object }>;
}

/**
 * Sends every request of `storage` through `proxy`: the SDK's `proxy` request option, with the
 * proxy's credentials in its URL (the SDK's proxy agents send them as `Proxy-Authorization`).
 * Storage-wide interceptors reach each API call, download and resumable upload session.
 */
export function routeStorageThroughProxy(storage: object, proxy: ProxyServer): void {
  const url = new URL(proxy.display);
  const authorization = proxy.authorization();
  if (authorization !== undefined) {
    const pair = Buffer.from(authorization.slice('Basic '.length), 'base64').toString();
    const colon = pair.indexOf(':');
    url.username = encodeURIComponent(pair.slice(0, colon));
    url.password = encodeURIComponent(pair.slice(colon + 1));
  }
  const value = url.toString();
  (storage as Interceptable).interceptors.push({ request: (options) => ({ ...options, proxy: value }) });
}

/** How messages name `proxy`: `http://host:port (HTTPS_PROXY)`, its credentials left out. */
export function proxyName(proxy: ProxyServer): string {
  return `${proxy.display} (${proxy.variable})`;
}

/**
 * A `gs://` store behind an HTTP proxy from the store's environment (`options.env`, default
 * `process.env`), chosen by the rules the S3 backend follows (../common/proxy-env.ts: Go's
 * `http.ProxyFromEnvironment`). The Google SDK's own transports read the proxy variables from
 * `process.env` alone, and by rules of their own (teeny-request takes `HTTP_PROXY` before
 * `HTTPS_PROXY` for any URL and proxies loopback hosts): so the store picks the proxy for its
 * endpoint itself and hands it to every request of its `Storage` through a request interceptor,
 * which teeny-request (JSON API calls, downloads) and gaxios (resumable uploads) both honour; and
 * to the auth client's own requests (tokens) an agent chosen by the same rules.
 */
import http from 'node:http';
import https from 'node:https';
import { StateStoreError } from '../../errors.js';
import { proxySettings, type ProxyServer, type ProxySettings } from '../common/proxy-env.js';
import { ProxyAgent } from '../s3/direct/proxy-tunnel.js';

/** The SDK's default JSON API endpoint (its `apiEndpoint` when none is given). */
const GOOGLE_ENDPOINT = 'https://storage.googleapis.com';

/** How long a token request's tunnel through the proxy may take to open. */
const TUNNEL_TIMEOUT_MS = 10_000;

/**
 * The proxies of `env` (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), or undefined for none. A proxy
 * variable that is not an http:// proxy URL is InvalidArgument, as for S3 stores.
 */
export function storeProxies(env: Readonly<Record<string, string | undefined>>): ProxySettings | undefined {
  return proxySettings(env, (why) => new StateStoreError('InvalidArgument', `gcs: ${why}`));
}

/**
 * The proxy for requests to `endpoint` (default Google's) by `proxies`, or undefined to connect
 * directly (no proxy variable for its scheme, a NO_PROXY host, loopback).
 */
export function endpointProxy(
  endpoint: string | undefined,
  proxies: ProxySettings | undefined,
): ProxyServer | undefined {
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

/**
 * The `agent` of the requests of the Storage's auth client (google-auth-library's own gaxios
 * client: a service account's JWT exchange, a user's refresh token, and the resumable uploads the
 * SDK sends through it to Google's endpoint), so that they follow the store's environment as its
 * other requests do: gaxios would take `HTTPS_PROXY || HTTP_PROXY` of process.env for any URL,
 * and a given agent replaces that (a request's own agent still wins). node-fetch calls it for each
 * URL: an https:// one (every token endpoint of Google's) goes in a CONNECT tunnel through the
 * proxy `proxies` name for its host (directly for NO_PROXY hosts and loopback); an http:// one,
 * and any URL without a proxy variable for its scheme, directly.
 */
export function tokenRequestAgent(proxies: ProxySettings | undefined): (url: URL) => http.Agent {
  let tunnels: ProxyAgent | undefined;
  return (url) => {
    if (url.protocol !== 'https:') return http.globalAgent;
    if (proxies?.https === undefined) return https.globalAgent;
    tunnels ??= new ProxyAgent({ keepAlive: true }, proxies, TUNNEL_TIMEOUT_MS);
    return tunnels;
  };
}

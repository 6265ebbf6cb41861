/**
 * HTTP(S) proxies from the environment, chosen as Go's `http.ProxyFromEnvironment` chooses them
 * (golang.org/x/net/http/httpproxy proxy.go, which kops, rclone and the aws CLI's behaviour
 * match): `HTTPS_PROXY` for https:// requests, `HTTP_PROXY` for http:// ones (never one for the
 * other), the upper-case name first and the lower-case one when it is empty; `NO_PROXY` lists the
 * hosts reached directly. `localhost` and loopback addresses are never proxied.
 */
import net from 'node:net';
import { domainToASCII } from 'node:url';

/** The variables read, upper-case first (Go's getEnvAny: the first one set and non-empty). */
const HTTPS_NAMES = ['HTTPS_PROXY', 'https_proxy'] as const;
const HTTP_NAMES = ['HTTP_PROXY', 'http_proxy'] as const;
const NO_PROXY_NAMES = ['NO_PROXY', 'no_proxy'] as const;

/** One proxy: where to connect, and the Basic credentials of its URL (kept out of any inspection). */
export class ProxyServer {
  readonly #authorization: string | undefined;

  constructor(
    /** The proxy's host name or IP address (no brackets). */
    readonly host: string,
    readonly port: number,
    /** `http://host:port`: the proxy without its credentials, safe to print. */
    readonly display: string,
    /** The variable that set it (`HTTPS_PROXY`, `http_proxy` ...), for messages. */
    readonly variable: string,
    authorization: string | undefined,
  ) {
    this.#authorization = authorization;
  }

  /** The `Proxy-Authorization` value (`Basic ...`), or undefined for a proxy URL without a user. */
  authorization(): string | undefined {
    return this.#authorization;
  }
}

/** One NO_PROXY entry (Go's matcher): true when a host (lower case), port and IP go direct. */
type Matcher = (host: string, port: string, ip: boolean) => boolean;

/** What {@link proxySettings} found: the two proxies (either may be absent) and the NO_PROXY rules. */
export class ProxySettings {
  constructor(
    readonly https: ProxyServer | undefined,
    readonly http: ProxyServer | undefined,
    private readonly ipMatchers: readonly Matcher[],
    private readonly domainMatchers: readonly Matcher[],
  ) {}

  /** The proxy for a request to `host:port` over `scheme`, or undefined to connect directly (Go's useProxy). */
  proxyFor(scheme: 'http' | 'https', host: string, port: number): ProxyServer | undefined {
    const proxy = scheme === 'https' ? this.https : this.http;
    if (proxy === undefined) return undefined;
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if (bare === 'localhost' || isLoopback(bare)) return undefined;
    const name = bare.trim().toLowerCase();
    const ip = net.isIP(name) !== 0;
    const portText = String(port);
    if (ip && this.ipMatchers.some((match) => match(name, portText, ip))) return undefined;
    return this.domainMatchers.some((match) => match(name, portText, ip)) ? undefined : proxy;
  }
}

/**
 * The proxies of `env`, or undefined when neither HTTPS_PROXY nor HTTP_PROXY is set. A proxy
 * URL may leave out its scheme (`proxy.corp:3128` is `http://proxy.corp:3128`, as in Go) and its
 * port (80); a user and password in it are sent as `Proxy-Authorization: Basic`. Only http://
 * proxies are spoken to: an https:// or socks5:// one (which Go also accepts) is `invalid`, as is
 * a value that is no URL, rather than connecting without the proxy the operator asked for.
 */
export function proxySettings(
  env: Readonly<Record<string, string | undefined>>,
  invalid: (why: string) => Error,
): ProxySettings | undefined {
  const https = proxyFrom(env, HTTPS_NAMES, invalid);
  const http = proxyFrom(env, HTTP_NAMES, invalid);
  if (https === undefined && http === undefined) return undefined;
  const noProxy = firstSet(env, NO_PROXY_NAMES);
  const ipMatchers: Matcher[] = [];
  const domainMatchers: Matcher[] = [];
  for (const raw of (noProxy?.value ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return new ProxySettings(https, http, [() => true], [() => true]);
    addMatcher(entry, ipMatchers, domainMatchers);
  }
  return new ProxySettings(https, http, ipMatchers, domainMatchers);
}

/** Go's config.init for one NO_PROXY entry (lower case, trimmed, not `*`). */
function addMatcher(entry: string, ipMatchers: Matcher[], domainMatchers: Matcher[]): void {
  const cidr = parseCidr(entry);
  if (cidr !== undefined) {
    ipMatchers.push((host) => cidr.check(host, net.isIPv6(host) ? 'ipv6' : 'ipv4'));
    return;
  }
  const split = splitHostPort(entry);
  const port = split.port;
  let host = split.host.startsWith('[') && split.host.endsWith(']') ? split.host.slice(1, -1) : split.host;
  if (host === '') return;
  if (net.isIP(host) !== 0) {
    const address = host;
    ipMatchers.push((name, at) => sameAddress(name, address) && (port === '' || port === at));
    return;
  }
  if (host.startsWith('*.')) host = host.slice(1);
  const matchHost = !host.startsWith('.');
  const suffix = domainToASCII(matchHost ? `.${host}` : host) || (matchHost ? `.${host}` : host);
  domainMatchers.push(
    (name, at) => (name.endsWith(suffix) || (matchHost && name === suffix.slice(1))) && (port === '' || port === at),
  );
}

/** The first of `names` set and non-empty in `env`, with its name. */
function firstSet(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** The proxy one of `names` sets (Go's parseProxy), or undefined. */
function proxyFrom(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
  invalid: (why: string) => Error,
): ProxyServer | undefined {
  const set = firstSet(env, names);
  if (set === undefined) return undefined;
  const value = set.value.trim();
  // Go: a value without one of its proxy schemes is read again with `http://` before it.
  const url = /^(https?|socks5h?):\/\//i.test(value) ? parseUrl(value) : parseUrl(`http://${value}`);
  if (url === undefined || url.hostname === '')
    throw invalid(`${set.name}: not a proxy URL (expected http://[user:password@]host[:port])`);
  if (url.protocol !== 'http:')
    throw invalid(`${set.name}: ${url.protocol}// proxies are not supported (use an http:// proxy)`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? 80 : Number(url.port);
  const display = `http://${url.host}`;
  const authorization =
    url.username === '' && url.password === ''
      ? undefined
      : `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')}`;
  return new ProxyServer(host, port, display, set.name, authorization);
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `a.b/n` as a block list of that subnet, or undefined for anything else (Go's net.ParseCIDR). */
function parseCidr(entry: string): net.BlockList | undefined {
  const slash = entry.indexOf('/');
  if (slash < 0) return undefined;
  const address = entry.slice(0, slash);
  const bits = entry.slice(slash + 1);
  const family = net.isIP(address);
  if (family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return undefined;
  const list = new net.BlockList();
  list.addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

/** Go's net.SplitHostPort for a NO_PROXY entry: `host:port` or `[v6]:port`; else the whole entry, no port. */
function splitHostPort(entry: string): { host: string; port: string } {
  const match = /^(\[[^\]]*\]|[^:[\]]*):(\d*)$/.exec(entry);
  return match === null ? { host: entry, port: '' } : { host: match[1]!, port: match[2]! };
}

/** Whether two IP addresses are the same (written differently, as `::1` and `0:0::1`). */
function sameAddress(a: string, b: string): boolean {
  const list = new net.BlockList();
  list.addAddress(b, net.isIPv6(b) ? 'ipv6' : 'ipv4');
  return list.check(a, net.isIPv6(a) ? 'ipv6' : 'ipv4');
}

/** 127.0.0.0/8 and ::1, made on the first check, not at import (bench/README.md, "Move start-up II"). */
let loopback: net.BlockList | undefined;

/** Go's IP.IsLoopback: 127.0.0.0/8 and ::1. */
function isLoopback(host: string): boolean {
  const family = net.isIP(host);
  if (family === 0) return false;
  if (loopback === undefined) {
    loopback = new net.BlockList();
    loopback.addSubnet('127.0.0.0', 8, 'ipv4');
    loopback.addAddress('::1', 'ipv6');
  }
  return loopback.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

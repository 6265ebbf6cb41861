import type https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import type { ProxyServer, ProxySettings } from '../../common/proxy-env.js';
import { PROXY_REFUSED } from '../errors.js';
import { abortError, timeoutError } from './failures.js';

// Connections through an HTTP proxy (../../common/proxy-env.ts chooses it): a CONNECT tunnel with
// TLS inside for https:// endpoints (wire.ts, and the agent below for Node's https and the SDK).
// node:https and node:tls load on first use, not at import: an http:// endpoint without a proxy
// never needs them (bench/README.md, "Move start-up II").

/** The most a proxy's answer to CONNECT may take before its blank line (a sane proxy sends a few hundred bytes). */
const MAX_ANSWER_HEAD = 16 * 1024;

/** A proxy's refusal of CONNECT: its status, and the proxy (without credentials) for the message. */
export interface ProxyRefusal extends Error {
  proxyStatus: number;
  /** `http://host:port (HTTPS_PROXY)`: the proxy and the variable that set it, credentials left out. */
  proxy: string;
  $metadata: Record<string, never>;
  /** Set for a 5xx (the proxy could not reach the endpoint: transient), so that the SDK's retry takes it too. */
  $retryable?: Record<string, never>;
}

/** How a proxy is named in messages. */
export function proxyName(proxy: ProxyServer): string {
  return `${proxy.display} (${proxy.variable})`;
}

/** Names `proxy` on a failure of the connection to it (errors.ts says "through the proxy ..."). */
export function throughProxy<E extends Error>(err: E, proxy: ProxyServer): E {
  return Object.assign(err, { proxy: proxyName(proxy) });
}

/**
 * A TLS connection to `host:port` through `proxy`: CONNECT, then TLS over the tunnel with the
 * endpoint's name (SNI, and the certificate checked against it) and `ca`. Resolves once the
 * handshake is done; rejects with the proxy's refusal, a socket error naming the proxy, a
 * TimeoutError after `timeoutMs` in all, or an AbortError when `signal` fires first (the socket
 * then destroyed: a store closed meanwhile keeps nothing open).
 */
export function secureTunnel(
  proxy: ProxyServer,
  host: string,
  port: number,
  options: { ca?: string | undefined; timeoutMs: number; servername?: string | undefined; signal?: AbortSignal },
): Promise<tls.TLSSocket> {
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted === true) return reject(abortError());
    let current: net.Socket | undefined;
    const settled = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error) => {
      settled();
      current?.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(throughProxy(timeoutError('the connection through the proxy was not made in time'), proxy)),
      options.timeoutMs,
    );
    const onAbort = () => fail(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    openTunnel(proxy, host, port, (socket) => (current = socket)).then((socket) => {
      // `host` checks the certificate (tls.connect over a given socket knows no other name).
      const secure = process.getBuiltinModule('node:tls').connect({
        socket,
        host,
        servername: options.servername || (net.isIP(host) === 0 ? host : undefined),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      });
      current = secure;
      secure.once('error', fail);
      secure.once('secureConnect', () => {
        settled();
        secure.removeListener('error', fail);
        resolve(secure);
      });
    }, fail);
  });
}

/** A tunnel to `host:port` through `proxy`: the proxy's socket once it answered CONNECT with a 2xx. */
function openTunnel(
  proxy: ProxyServer,
  host: string,
  port: number,
  opened: (socket: net.Socket) => void,
): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    opened(socket);
    const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
    const authorization = proxy.authorization();
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n` +
        `${authorization === undefined ? '' : `proxy-authorization: ${authorization}\r\n`}\r\n`,
      'latin1',
    );
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_ANSWER_HEAD) settle(refusal(proxy, target, 0, 'CONNECT answered without an end'));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1', 0, Math.min(end, 64)));
      const code = status === null ? 0 : Number(status[1]);
      if (code < 200 || code > 299)
        return settle(refusal(proxy, target, code, `CONNECT answered ${statusLine(head, end)}`));
      // Bytes after the blank line are the endpoint's: give them back to whoever reads next.
      if (head.length > end + 4) socket.unshift(head.subarray(end + 4));
      settle(undefined);
    };
    const onError = (err: Error) => settle(throughProxy(err, proxy));
    const onClose = () =>
      settle(throughProxy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), proxy));
    const settle = (err: Error | undefined) => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (err === undefined) return resolve(socket);
      socket.destroy();
      reject(err);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/** The proxy's status line, printable (its reason phrase is the proxy's own text: kept short, ASCII only). */
function statusLine(head: Buffer, end: number): string {
  const line = head.toString('latin1', 0, Math.min(end, head.indexOf('\r\n'), 120));
  return line.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The failure of a request `proxy` refused: to open a tunnel (CONNECT, for https), or to forward an
 * http request (its 407 or 403 in place of the endpoint's answer).
 */
export function refusal(proxy: ProxyServer, target: string, status: number, answer: string): ProxyRefusal {
  const what = answer.startsWith('CONNECT') ? 'open a tunnel to' : 'forward the request to';
  const err = new Error(`the proxy ${proxyName(proxy)} refused to ${what} ${target}: ${answer}`);
  err.name = PROXY_REFUSED;
  return Object.assign(err, {
    proxyStatus: status,
    proxy: proxyName(proxy),
    $metadata: {},
    ...(status >= 500 ? { $retryable: {} } : {}),
  });
}

/** An https.Agent that goes through a proxy: what {@link ProxyAgent} makes. */
export type ProxyAgent = https.Agent;

/** The construct signature of {@link ProxyAgent}. */
type ProxyAgentConstructor = new (
  options: https.AgentOptions,
  settings: ProxySettings,
  connectTimeoutMs: number,
) => ProxyAgent;

/**
 * An https.Agent that connects through the proxy {@link ProxySettings} give each host (directly
 * where NO_PROXY says so): for Node's https client on the direct path (`STATESTORE_S3_REQUESTS=http`)
 * and for the SDK's handler, which takes an agent but reads no proxy variable itself. Keep-alive as
 * any agent: a tunnel carries one connection's requests, one after another.
 *
 * `new ProxyAgent(options, settings, connectTimeoutMs)` as for a class; the class itself is made
 * on the first call, since it extends https.Agent and so needs node:https, which the package's
 * import would load otherwise (bench/README.md, "Move start-up II").
 */
export const ProxyAgent = function makeProxyAgent(
  options: https.AgentOptions,
  settings: ProxySettings,
  connectTimeoutMs: number,
): ProxyAgent {
  proxyAgentClass ??= tunnelAgentClass();
  return new proxyAgentClass(options, settings, connectTimeoutMs);
} as unknown as ProxyAgentConstructor;

let proxyAgentClass: ProxyAgentConstructor | undefined;

function tunnelAgentClass(): ProxyAgentConstructor {
  return class TunnelAgent extends process.getBuiltinModule('node:https').Agent {
    constructor(
      options: https.AgentOptions,
      private readonly settings: ProxySettings,
      private readonly connectTimeoutMs: number,
    ) {
      super(options);
    }

    override createConnection(
      options: https.RequestOptions,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): Duplex | null | undefined {
      const host = options.host ?? options.hostname ?? 'localhost';
      const port = Number(options.port ?? 443);
      const proxy = this.settings.proxyFor('https', host, port);
      if (proxy === undefined) return super.createConnection(options, callback);
      const ca = typeof options.ca === 'string' ? options.ca : undefined;
      const servername = typeof options.servername === 'string' ? options.servername : undefined;
      secureTunnel(proxy, host, port, { ca, servername, timeoutMs: this.connectTimeoutMs }).then(
        (socket) => callback?.(null, socket),
        (err: Error) => callback?.(err, undefined as unknown as Duplex),
      );
      return undefined;
    }
  };
}

import net from 'node:net';
import type { ProxyServer } from '../../common/proxy-env.js';
import { abortError, hangUp, timeoutError } from './failures.js';
import { secureTunnel, throughProxy } from './proxy-tunnel.js';
import { Exchange, type StreamIf, type WireAnswer } from './wire-answer.js';

export type { StreamIf, WireAnswer } from './wire-answer.js';

/** One request for {@link Wire}: header names lower-case, `host` among them. */
export interface WireRequest {
  method: string;
  hostname: string;
  port: number;
  /** The request target: the path and query, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /**
   * The HTTP proxy to go through (../../common/proxy-env.ts): a CONNECT tunnel for https, the
   * request sent to it in absolute form (`GET http://host/path`) for http.
   */
  proxy?: ProxyServer | undefined;
  /** A 2xx body read whole and cut midway resolves with the bytes that came ({@link WireAnswer.cut}). */
  keepCut?: boolean;
}

/** How the wire connects. */
export interface WireOptions {
  secure: boolean;
  /** CA certificates (PEM) trusted instead of Node's CA store. */
  ca?: string;
  /** Connections kept per host (idle ones beyond are closed); more requests than this wait. */
  maxSockets: number;
  connectTimeoutMs: number;
  /** A request whose connection is silent this long fails (TimeoutError); an idle one is closed. */
  socketTimeoutMs: number;
}

/**
 * HTTP/1.1 with keep-alive over plain `net`/`tls` sockets: the direct path's requests, without
 * Node's `http` client, which builds a ClientRequest, an IncomingMessage stream, header validation
 * and timers per request. In a short process such as a move, where little of that is ever
 * optimised, bare CopyObject requests from a fresh process cost 387 us of CPU each through it on
 * Ceph RGW, 114 us written and parsed as here (bench/README.md, issue #29). A request is one write
 * (its head, then its body); the answer is parsed for what S3 sends: a status line, headers, and a
 * body of Content-Length bytes, chunked, or none (HEAD, 204, 304), read whole or streamed.
 */
export class Wire {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: WireOptions) {}

  /**
   * Sends `request`; resolves with the answer, rejects with the socket's error (or a timeout). Its
   * body is read whole, unless `streamIf` says from the answer's head that it streams.
   */
  send(request: WireRequest, signal?: AbortSignal, streamIf?: StreamIf): Promise<WireAnswer> {
    const { proxy } = request;
    const key =
      proxy === undefined
        ? `${request.hostname}:${request.port}`
        : `${request.hostname}:${request.port} via ${proxy.host}:${proxy.port}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new Pool(this.options, request.hostname, request.port, proxy);
      this.pools.set(key, pool);
    }
    return pool.send(request, signal, streamIf);
  }

  /** Closes every connection. */
  close(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}

/** The connections to one host: idle ones reused, at most `maxSockets` open, requests beyond wait. */
class Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Array<() => void> = [];
  private open = 0;
  /** Fires at close: tunnels still opening through a proxy are given up. */
  private readonly closer = new AbortController();

  constructor(
    private readonly options: WireOptions,
    private readonly hostname: string,
    private readonly port: number,
    private readonly proxy: ProxyServer | undefined,
  ) {}

  /** On an idle connection when there is one: the exchange's own promise, no async frame around it. */
  send(request: WireRequest, signal?: AbortSignal, streamIf?: StreamIf): Promise<WireAnswer> {
    const idle = this.idle.pop();
    return idle === undefined
      ? this.sendOnNew(request, signal, streamIf)
      : this.sendOn(idle, request, signal, streamIf);
  }

  private sendOn(connection: Connection, request: WireRequest, signal?: AbortSignal, streamIf?: StreamIf) {
    connection.hold(true);
    return connection.exchange(request, signal, streamIf, () => this.release(connection));
  }

  /** No idle connection: a new one, or the next one freed when `maxSockets` are open. */
  private async sendOnNew(request: WireRequest, signal?: AbortSignal, streamIf?: StreamIf): Promise<WireAnswer> {
    if (this.open >= this.options.maxSockets) {
      await this.turn(signal);
      const freed = this.idle.pop();
      if (freed !== undefined) return this.sendOn(freed, request, signal, streamIf);
    }
    const made = this.connect(signal);
    return this.sendOn(made instanceof Connection ? made : await made, request, signal, streamIf);
  }

  /** Waits for a connection to free up (every one busy); an abort meanwhile leaves the queue. */
  private turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(abortError());
      };
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted === true) return reject(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  /** Destroys every connection, those carrying a request too (their requests fail), as Node's agent does. */
  close(): void {
    this.closer.abort();
    for (const connection of this.all) connection.destroy();
    this.idle.length = 0;
  }

  /**
   * A new connection; through a proxy to an https endpoint, once its tunnel is open (or its
   * failure), given up when the request's `signal` fires or the pool closes meanwhile.
   */
  private connect(signal: AbortSignal | undefined): Connection | Promise<Connection> {
    this.open += 1;
    const { options, hostname, port, proxy } = this;
    if (proxy === undefined || !options.secure) return this.track(openSocket(options, hostname, port, proxy));
    const { ca, connectTimeoutMs } = options;
    const stop = signal === undefined ? this.closer.signal : AbortSignal.any([this.closer.signal, signal]);
    return secureTunnel(proxy, hostname, port, { ca, timeoutMs: connectTimeoutMs, signal: stop }).then(
      (socket) => this.track({ socket, proxy }),
      (err: Error) => {
        this.closed(undefined);
        throw Object.assign(err, { $metadata: {} });
      },
    );
  }

  private track(opened: OpenedSocket): Connection {
    const connection = new Connection(this.options, opened, (closed) => this.closed(closed));
    this.all.add(connection);
    return connection;
  }

  /** A connection closed, or one never opened: its place goes to the next request waiting. */
  private closed(connection: Connection | undefined): void {
    this.open -= 1;
    if (connection !== undefined) {
      this.all.delete(connection);
      const at = this.idle.indexOf(connection);
      if (at >= 0) this.idle.splice(at, 1);
    }
    this.waiting.shift()?.();
  }

  /** Back to the idle list when it can carry another request; else it closed (see connect). */
  private release(connection: Connection): void {
    if (!connection.reusable) return connection.destroy();
    const next = this.waiting.shift();
    if (this.idle.length >= this.options.maxSockets) connection.destroy();
    else {
      connection.hold(false);
      this.idle.push(connection);
    }
    next?.();
  }
}

/** What Node's http refuses in a header value (its checkInvalidHeaderChar): no CR, LF or NUL. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * A socket to carry requests: `connect` names the event it is connected at (undefined: it is,
 * a tunnel's TLS socket); `proxy` is set when it goes to a proxy, `absolute` when its requests
 * are written for one (an http endpoint through a proxy).
 */
interface OpenedSocket {
  socket: net.Socket;
  connect?: 'connect' | 'secureConnect';
  proxy?: ProxyServer | undefined;
  absolute?: boolean;
}

/** A socket to `hostname:port`, or to the proxy of an http endpoint. */
function openSocket(options: WireOptions, hostname: string, port: number, proxy: ProxyServer | undefined) {
  if (proxy !== undefined)
    return {
      socket: net.connect({ host: proxy.host, port: proxy.port }),
      connect: 'connect',
      proxy,
      absolute: true,
    } as const;
  if (!options.secure) return { socket: net.connect({ host: hostname, port }), connect: 'connect' } as const;
  const servername = net.isIP(hostname) === 0 ? hostname : undefined;
  return {
    // node:tls on the first https connection, not at import (bench/README.md, "Move start-up II").
    socket: process.getBuiltinModule('node:tls').connect({ host: hostname, port, servername, ca: options.ca }),
    connect: 'secureConnect',
  } as const;
}

/** One keep-alive connection, one request at a time. */
class Connection {
  private readonly socket: net.Socket;
  private current: Exchange | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly proxy: ProxyServer | undefined;
  /** Requests are written in absolute form, with the proxy's credentials (an http endpoint through a proxy). */
  private readonly absolute: boolean;
  /** False once the server said `Connection: close`, a failure, or an answer read to its end. */
  reusable = true;

  constructor(
    options: WireOptions,
    opened: OpenedSocket,
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.socket = opened.socket;
    this.proxy = opened.proxy;
    this.absolute = opened.absolute === true;
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 1000);
    if (opened.connect !== undefined) {
      this.connectTimer = setTimeout(
        () => this.socket.destroy(timeoutError('the connection was not made in time')),
        options.connectTimeoutMs,
      );
      this.socket.once(opened.connect, () => this.clearConnectTimer());
    }
    this.socket.setTimeout(options.socketTimeoutMs, () =>
      this.socket.destroy(this.current === undefined ? undefined : timeoutError('the socket was idle too long')),
    );
    this.socket.on('data', (chunk: Buffer) => {
      // Bytes with no request asking: the connection is out of step, never reused.
      if (this.current === undefined) return this.destroy();
      this.current.feed(chunk);
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      this.clearConnectTimer();
      this.reusable = false;
      this.fail(hangUp());
      this.onClose(this);
    });
  }

  /**
   * Sends `request`; `over` is called once the exchange ends (the body read, or a failure), when
   * the connection may carry another. `streamIf` says from an answer's head whether its body
   * streams ({@link WireAnswer.stream}).
   */
  exchange(request: WireRequest, signal: AbortSignal | undefined, streamIf: StreamIf | undefined, over: () => void) {
    return new Promise<WireAnswer>((resolve, reject) => {
      const head =
        signal?.aborted === true ? abortError() : requestHead(request, this.absolute ? this.proxy : undefined);
      if (head instanceof Error) {
        over();
        return reject(head);
      }
      const onAbort = signal === undefined ? undefined : () => this.socket.destroy(abortError());
      if (onAbort !== undefined) signal!.addEventListener('abort', onAbort, { once: true });
      this.current = new Exchange(request.method === 'HEAD', streamIf, request.keepCut === true, {
        answer: (err, answer) => {
          if (err !== undefined) return reject(err);
          if (String(answer!.headers['connection']).toLowerCase() === 'close') this.reusable = false;
          resolve(answer!);
        },
        end: (err) => {
          this.current = undefined;
          if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
          if (err !== undefined) this.reusable = false;
          this.socket.resume();
          over();
        },
        pause: () => this.socket.pause(),
        resume: () => this.socket.resume(),
        abandon: () => this.destroy(),
      });
      // One write without a body (CopyObject, GET, HEAD): corking one chunk costs a buffered write.
      if (request.body === undefined || request.body.length === 0) this.socket.write(head, 'latin1');
      else {
        this.socket.cork();
        this.socket.write(head, 'latin1');
        this.socket.write(request.body);
        this.socket.uncork();
      }
    });
  }

  /**
   * Whether the connection keeps the process alive: while a request is on it, not while idle (as
   * Node's agent unrefs its free sockets), so a store left open does not hold a process at exit.
   */
  hold(busy: boolean): void {
    if (busy) this.socket.ref();
    else this.socket.unref();
  }

  destroy(): void {
    this.reusable = false;
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.reusable = false;
    if (this.current === undefined) return;
    this.current.fail(Object.assign(this.proxy === undefined ? err : throughProxy(err, this.proxy), { $metadata: {} }));
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }
}

/**
 * The request line and headers, or the error Node's http would raise for a value it refuses. For
 * a `proxy` (an http endpoint through it), the target in absolute form and its credentials.
 */
function requestHead(request: WireRequest, proxy: ProxyServer | undefined): string | Error {
  let head =
    proxy === undefined
      ? `${request.method} ${request.path} HTTP/1.1\r\n`
      : `${request.method} http://${request.headers['host']}${request.path} HTTP/1.1\r\n`;
  const authorization = proxy?.authorization();
  if (authorization !== undefined) head += `proxy-authorization: ${authorization}\r\n`;
  for (const name in request.headers) {
    const value = request.headers[name]!;
    if (INVALID_VALUE.test(value))
      return Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), {
        code: 'ERR_INVALID_CHAR',
        $metadata: {},
      });
    head += `${name}: ${value}\r\n`;
  }
  // A PUT or POST without a body says so, as Node's http does.
  if (request.headers['content-length'] === undefined && (request.method === 'PUT' || request.method === 'POST'))
    head += `content-length: ${request.body?.length ?? 0}\r\n`;
  return `${head}\r\n`;
}

import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

/** One request for {@link Wire}: header names lower-case, `host` among them. */
export interface WireRequest {
  method: string;
  hostname: string;
  port: number;
  /** The request target: the path and query, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A whole answer: its status, headers (lower-case names, as Node gives them) and body. */
export interface WireAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
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
 * HTTP/1.1 with keep-alive over plain `net`/`tls` sockets, for requests whose answer is read whole
 * (every direct request but a streamed GetObject). Node's `http` client builds a ClientRequest, an
 * IncomingMessage stream, header validation and timers per request: in a short process such as a
 * move, where little of it is ever optimised, bare CopyObject requests from a fresh process cost
 * 387 us of CPU each through it on Ceph RGW, 114 us written and parsed as here (bench/README.md,
 * issue #29). The
 * request is one write (its head, then its body); the answer is parsed for what S3 sends: a
 * status line, headers, and a body of Content-Length bytes, chunked, or none (HEAD, 204, 304).
 */
export class Wire {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: WireOptions) {}

  /** Sends `request`; resolves with the whole answer, rejects with the socket's error (or a timeout). */
  send(request: WireRequest, signal?: AbortSignal): Promise<WireAnswer> {
    const key = `${request.hostname}:${request.port}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new Pool(this.options, request.hostname, request.port);
      this.pools.set(key, pool);
    }
    return pool.send(request, signal);
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
  private readonly waiting: Array<() => void> = [];
  private open = 0;

  constructor(
    private readonly options: WireOptions,
    private readonly hostname: string,
    private readonly port: number,
  ) {}

  async send(request: WireRequest, signal?: AbortSignal): Promise<WireAnswer> {
    if (this.idle.length === 0 && this.open >= this.options.maxSockets)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    const connection = this.idle.pop() ?? this.connect();
    try {
      return await connection.exchange(request, signal);
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    for (const connection of this.idle) connection.destroy();
    this.idle.length = 0;
  }

  private connect(): Connection {
    this.open += 1;
    return new Connection(this.options, this.hostname, this.port, (closed) => {
      this.open -= 1;
      const at = this.idle.indexOf(closed);
      if (at >= 0) this.idle.splice(at, 1);
      this.waiting.shift()?.();
    });
  }

  /** Back to the idle list when it can carry another request; else it closed (see connect). */
  private release(connection: Connection): void {
    if (!connection.reusable) return connection.destroy();
    const next = this.waiting.shift();
    if (this.idle.length >= this.options.maxSockets) connection.destroy();
    else this.idle.push(connection);
    next?.();
  }
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** What Node's http refuses in a header value (its checkInvalidHeaderChar): no CR, LF or NUL. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** One keep-alive connection, one request at a time. */
class Connection {
  private readonly socket: net.Socket;
  private current: Exchange | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  /** False once the server said `Connection: close`, a failure, or an answer read to its end. */
  reusable = true;

  constructor(
    options: WireOptions,
    hostname: string,
    port: number,
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.socket = options.secure
      ? tls.connect({
          host: hostname,
          port,
          servername: net.isIP(hostname) === 0 ? hostname : undefined,
          ca: options.ca,
        })
      : net.connect({ host: hostname, port });
    this.socket.setNoDelay(true);
    this.connectTimer = setTimeout(
      () => this.socket.destroy(timeoutError('the connection was not made in time')),
      options.connectTimeoutMs,
    );
    this.socket.once(options.secure ? 'secureConnect' : 'connect', () => this.clearConnectTimer());
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

  exchange(request: WireRequest, signal?: AbortSignal): Promise<WireAnswer> {
    return new Promise<WireAnswer>((resolve, reject) => {
      if (signal?.aborted === true) return reject(abortError());
      const head = requestHead(request);
      if (head instanceof Error) return reject(head);
      const onAbort = signal === undefined ? undefined : () => this.socket.destroy(abortError());
      if (onAbort !== undefined) signal!.addEventListener('abort', onAbort, { once: true });
      this.current = new Exchange(request.method === 'HEAD', (err, answer) => {
        this.current = undefined;
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
        if (err !== undefined) {
          this.reusable = false;
          return reject(err);
        }
        if (answer!.headers['connection'] === 'close') this.reusable = false;
        resolve(answer!);
      });
      this.socket.cork();
      this.socket.write(head, 'latin1');
      if (request.body !== undefined && request.body.length > 0) this.socket.write(request.body);
      this.socket.uncork();
    });
  }

  destroy(): void {
    this.reusable = false;
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.reusable = false;
    this.current?.fail(Object.assign(err, { $metadata: {} }));
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }
}

/** The request line and headers, or the error Node's http would raise for a value it refuses. */
function requestHead(request: WireRequest): string | Error {
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const name in request.headers) {
    const value = request.headers[name]!;
    if (INVALID_VALUE.test(value))
      return Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), {
        code: 'ERR_INVALID_CHAR',
        $metadata: {},
      });
    head += `${name}: ${value}\r\n`;
  }
  // A PUT without a body says so, as Node's http does.
  if (request.headers['content-length'] === undefined && request.method === 'PUT')
    head += `content-length: ${request.body?.length ?? 0}\r\n`;
  return `${head}\r\n`;
}

/** The answer to one request, parsed as its bytes arrive. */
class Exchange {
  private pending: Buffer | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders | undefined;
  /** Content-Length's bytes still to come, or -1 for a chunked body. */
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private settled = false;

  constructor(
    private readonly headRequest: boolean,
    private readonly done: (err: Error | undefined, answer?: WireAnswer) => void,
  ) {}

  feed(chunk: Buffer): void {
    if (this.settled) return;
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    if (this.headers === undefined) {
      const end = data.indexOf(HEAD_END);
      if (end < 0) return void (this.pending = data);
      if (!this.readHead(data.toString('latin1', 0, end))) return;
      data = data.subarray(end + 4);
      // An interim answer (100 Continue, never asked for) is skipped: the real one follows.
      if (this.status < 200) {
        this.headers = undefined;
        return data.length === 0 ? undefined : this.feed(data);
      }
      if (this.bodyless()) return this.finish();
    }
    if (this.remaining >= 0) this.readLength(data);
    else this.readChunks(data);
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.done(err);
  }

  /** Status line and headers; false when malformed (the exchange failed). */
  private readHead(text: string): boolean {
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
    if (status === null) return (this.malformed('a bad status line'), false);
    this.status = Number(status[1]);
    const headers: IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const known = headers[name];
      headers[name] = known === undefined ? value : `${String(known)}, ${value}`;
    }
    this.headers = headers;
    const length = headers['content-length'];
    if (headers['transfer-encoding']?.toString().toLowerCase().includes('chunked')) this.remaining = -1;
    else if (length !== undefined) this.remaining = Number(length);
    else if (!this.bodyless()) return (this.malformed('an answer with neither a length nor chunks'), false);
    if (!Number.isSafeInteger(this.remaining) || this.remaining < -1) return (this.malformed('a bad length'), false);
    return true;
  }

  private bodyless(): boolean {
    return this.headRequest || this.status === 204 || this.status === 304 || this.status < 200;
  }

  private readLength(data: Buffer): void {
    const take = Math.min(this.remaining, data.length);
    if (take > 0) this.chunks.push(take === data.length ? data : data.subarray(0, take));
    this.remaining -= take;
    if (this.remaining === 0) this.finish();
  }

  /** A chunked body: `<hex size>[;ext]\r\n<bytes>\r\n`..., ending with a 0 chunk and trailers. */
  private readChunks(data: Buffer): void {
    let at = 0;
    for (;;) {
      const lineEnd = data.indexOf(CRLF, at);
      if (lineEnd < 0) break;
      const size = parseInt(data.toString('latin1', at, lineEnd).split(';')[0]!, 16);
      if (!Number.isSafeInteger(size) || size < 0) return this.malformed('a bad chunk size');
      // The last chunk: done once its trailers (usually none) end with an empty line.
      if (size === 0) {
        if (data.indexOf(HEAD_END, lineEnd) < 0) break;
        return this.finish();
      }
      if (data.length < lineEnd + 2 + size + 2) break;
      this.chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    if (at < data.length) this.pending = data.subarray(at);
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.done(undefined, { status: this.status, headers: this.headers!, body });
  }

  private malformed(what: string): void {
    this.fail(Object.assign(new Error(`s3: the server sent ${what}`), { code: 'HPE_INVALID', $metadata: {} }));
  }
}

function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** The failure of an aborted request (its name as the SDK's). */
export function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return Object.assign(err, { $metadata: {} });
}

/** The failure of a request that timed out (its name as the SDK's). */
export function timeoutError(why: string): Error {
  const err = new Error(why);
  err.name = 'TimeoutError';
  return Object.assign(err, { $metadata: {} });
}

import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { abortError } from './failures.js';

// The answer side of wire.ts: an HTTP/1.1 answer parsed as its bytes arrive.

/** An answer: its status, headers (lower-case names, as Node gives them) and body. */
export interface WireAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body read whole (empty when streamed). */
  body: Buffer;
  /** The body as it arrives (when `streamIf` said so); destroying it closes the connection. */
  stream?: Readable;
  /** Why a 2xx body read whole ended early (an exchange that keeps cuts): `body` has what came. */
  cut?: Error;
}

/** Whether an answer's body streams instead of being read whole, from its status and headers. */
export type StreamIf = (status: number, headers: IncomingHttpHeaders) => boolean;

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** An answer's head may be this long (Node's http allows 16 KiB): a server cannot fill memory with headers. */
const MAX_HEAD = 64 * 1024;

/** What an {@link Exchange} tells its connection. */
export interface ExchangeEvents {
  /** The answer (whole, or its head with a streamed body), or the failure before it: once. */
  answer(err: Error | undefined, answer?: WireAnswer): void;
  /** The exchange is over (the body read to its end, or a failure): once, after `answer`. */
  end(err: Error | undefined): void;
  /** Backpressure of a streamed body: stop and restart reading the socket. */
  pause(): void;
  resume(): void;
  /** The reader of a streamed body gave up before its end: the connection cannot be reused. */
  abandon(): void;
}

/** The answer to one request, parsed as its bytes arrive. */
export class Exchange {
  private pending: Buffer | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders | undefined;
  /** Content-Length's bytes still to come, or -1 for a chunked body. */
  private remaining = 0;
  /** In a chunked body: the current chunk's bytes still to come (then its CRLF), or -1 between chunks. */
  private chunkLeft = -1;
  private readonly chunks: Buffer[] = [];
  private stream: Readable | undefined;
  private answered = false;
  private over = false;

  constructor(
    private readonly headRequest: boolean,
    private readonly streamIf: StreamIf | undefined,
    /** A 2xx body read whole and cut midway is an answer with what came, not a failure. */
    private readonly keepCut: boolean,
    private readonly events: ExchangeEvents,
  ) {}

  feed(chunk: Buffer): void {
    if (this.over) return;
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    if (this.headers === undefined) {
      const end = data.indexOf(HEAD_END);
      if (end < 0 && data.length > MAX_HEAD) return this.malformed('headers longer than 64 KiB');
      if (end < 0) return void (this.pending = data);
      if (!this.readHead(data.toString('latin1', 0, end))) return;
      data = data.subarray(end + 4);
      // An interim answer (100 Continue, never asked for) is skipped: the real one follows.
      if (this.status < 200) {
        this.headers = undefined;
        return data.length === 0 ? undefined : this.feed(data);
      }
      if (this.bodyless()) return this.finish();
      if (this.streamIf?.(this.status, this.headers!) === true) this.startStream();
    }
    if (this.remaining >= 0) this.readLength(data);
    else this.readChunks(data);
  }

  fail(err: Error): void {
    if (this.over) return;
    this.over = true;
    if (!this.answered) {
      this.answered = true;
      const cut = this.keepCut && this.headers !== undefined && this.status >= 200 && this.status < 300;
      if (cut)
        this.events.answer(undefined, {
          status: this.status,
          headers: this.headers!,
          body: this.collected(),
          cut: err,
        });
      else this.events.answer(err);
    } else this.stream?.destroy(err);
    this.events.end(err);
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

  /** The answer goes now, its body as a stream fed by {@link take} (backpressure: pause/resume). */
  private startStream(): void {
    const stream = new Readable({
      read: () => this.events.resume(),
      destroy: (err, callback) => {
        if (!this.over) {
          this.over = true;
          this.events.abandon();
          this.events.end(err ?? abortError());
        }
        callback(err);
      },
    });
    this.stream = stream;
    this.answered = true;
    this.events.answer(undefined, { status: this.status, headers: this.headers!, body: EMPTY, stream });
  }

  /** Body bytes: into the stream, or kept for the whole answer. */
  private take(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.stream === undefined) this.chunks.push(bytes);
    else if (!this.stream.push(bytes)) this.events.pause();
  }

  private readLength(data: Buffer): void {
    const take = Math.min(this.remaining, data.length);
    this.take(take === data.length ? data : data.subarray(0, take));
    this.remaining -= take;
    if (this.remaining === 0) this.finish();
  }

  /** A chunked body: `<hex size>[;ext]\r\n<bytes>\r\n`..., ending with a 0 chunk and trailers. */
  private readChunks(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      if (this.chunkLeft > 0) {
        // Inside a chunk: its bytes as they come, however the chunk was cut into packets.
        const take = Math.min(this.chunkLeft, data.length - at);
        this.take(data.subarray(at, at + take));
        this.chunkLeft -= take;
        at += take;
        continue;
      }
      // Between chunks: the CRLF that ends the last one (if any), then the next size line.
      const lineEnd = data.indexOf(CRLF, at);
      if (lineEnd < 0) break;
      if (this.chunkLeft === 0) {
        if (lineEnd !== at) return this.malformed('a chunk longer than its size');
        this.chunkLeft = -1;
        at = lineEnd + 2;
        continue;
      }
      const size = parseInt(data.toString('latin1', at, lineEnd).split(';')[0]!, 16);
      if (!Number.isSafeInteger(size) || size < 0) return this.malformed('a bad chunk size');
      // The last chunk: done once its trailers (usually none) end with an empty line.
      if (size === 0) {
        if (data.indexOf(HEAD_END, lineEnd) < 0) break;
        return this.finish();
      }
      this.chunkLeft = size;
      at = lineEnd + 2;
    }
    if (at < data.length) this.pending = data.subarray(at);
  }

  private finish(): void {
    if (this.over) return;
    this.over = true;
    if (this.stream !== undefined) this.stream.push(null);
    else {
      this.answered = true;
      this.events.answer(undefined, { status: this.status, headers: this.headers!, body: this.collected() });
    }
    this.events.end(undefined);
  }

  private collected(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }

  private malformed(what: string): void {
    this.fail(Object.assign(new Error(`s3: the server sent ${what}`), { code: 'HPE_INVALID', $metadata: {} }));
  }
}

const EMPTY = Buffer.alloc(0);

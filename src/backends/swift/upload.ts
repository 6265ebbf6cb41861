import type http from 'node:http';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { SwiftHttpError } from './errors.js';
import { throughProxy } from '../s3/direct/proxy-tunnel.js';
import { proxyAnswer, type SwiftTransport } from './http.js';

/** How long to wait for `100 Continue` before sending the body regardless (RFC 9110 §10.1.1). */
const CONTINUE_WAIT_MS = 3000;

/** One streamed PUT: where, with which headers, and what watches each chunk sent. */
export interface StreamUpload {
  /** Full URL of the object. */
  url: string;
  headers: Record<string, string>;
  body: Readable | AsyncIterable<Uint8Array>;
  /** Sees every chunk as it is sent (MD5 and size of what was sent). */
  seen: (chunk: Uint8Array) => void;
  signal?: AbortSignal;
  /** Direct, or through the store's proxy (http.ts). */
  transport: SwiftTransport;
}

/**
 * PUTs a stream with chunked transfer encoding through node:http (through the store's proxy, if any), writing a chunk only when the
 * socket drained the previous one, so memory stays at a chunk or two whatever the size (fetch's
 * stream bodies buffered a whole 64 MiB object here). `Expect: 100-continue` lets Swift refuse
 * (412 on `If-None-Match: *`, 401, 404) before any byte is sent. Swift keeps nothing of a body
 * that did not end: an aborted or failed upload leaves no object. Resolves with the answer's
 * headers on 2xx; throws {@link SwiftHttpError} otherwise.
 */
export async function putStream(upload: StreamUpload): Promise<Headers> {
  const url = new URL(upload.url);
  const sent = { ...upload.headers, 'Transfer-Encoding': 'chunked', Expect: '100-continue' };
  const { request, proxy } = upload.transport.open(url, 'PUT', sent, upload.signal);
  // A failed connection to the proxy names it (errors.ts: "through the proxy ...").
  const answered = (once(request, 'response') as Promise<[http.IncomingMessage]>).catch((err: Error) => {
    throw proxy === undefined ? err : throughProxy(err, proxy);
  });
  try {
    // A proxy that ignores Expect would wait for the body forever: send it after a while anyway
    // (a refusal that comes later still stops the body, see sendBody).
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), CONTINUE_WAIT_MS);
    });
    const proceed = await Promise.race([
      once(request, 'continue').then(() => true),
      answered.then(() => false),
      waited,
    ]).finally(() => clearTimeout(timer));
    const early = answered.then(() => true);
    const whole = proceed && (await sendBody(request, upload, early));
    // Swift answered before the body ended (a refusal): drop the connection, never end the body.
    if (whole) request.end();
    else request.destroy();
  } catch (err) {
    answered.catch(() => undefined);
    request.destroy();
    throw err;
  }
  const [response] = await answered;
  response.resume();
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const status = response.statusCode ?? 0;
  if (status === 407 && proxy !== undefined) throw proxyAnswer(proxy, url);
  if (status < 200 || status > 299) throw new SwiftHttpError(status, 'object');
  return headers;
}

/** Writes the body with backpressure; false when Swift answered before it ended. */
async function sendBody(request: http.ClientRequest, upload: StreamUpload, early: Promise<boolean>): Promise<boolean> {
  const answeredYet = () => Promise.race([early, Promise.resolve(false)]);
  for await (const value of upload.body as AsyncIterable<Uint8Array | string>) {
    const chunk = typeof value === 'string' ? Buffer.from(value) : value;
    upload.seen(chunk);
    if (!request.write(chunk)) await Promise.race([once(request, 'drain'), early]);
    if (await answeredYet()) return false;
  }
  return !(await answeredYet());
}

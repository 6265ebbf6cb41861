import http from 'node:http';
import https from 'node:https';
import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { File } from '@google-cloud/storage';
import { StateStoreError } from '../../errors.js';
import { collect } from '../common/bytes.js';

/** The parts of the SDK's `Storage` a download needs (its JSON API base and its authentication). */
interface StorageParts {
  baseUrl?: string;
  apiEndpoint?: string;
  customEndpoint?: boolean;
  useAuthWithCustomEndpoint?: boolean;
  authClient?: { authorizeRequest(options: { headers: Record<string, string> }): Promise<{ headers?: unknown }> };
}

/**
 * Starts a download of the pinned `file` from byte `start`; resolves with the body once the answer
 * is a success. The request is this module's own `fetch` (the URL and the authentication are the
 * SDK's: its `baseUrl`, and its `authClient` unless it talks to an emulator, as the SDK decides),
 * not `File.createReadStream`'s: that one hands out a copy of the answer piped from the socket, so
 * destroying it leaves the socket open with the rest of the answer unread, and a store that aborts
 * reads would leak a connection each time. Here a body that closes before its end aborts the
 * request, which closes the connection. An error status rejects with an Error whose `code` is the
 * status (as the SDK's ApiError), for the driver's `mapError`.
 *
 * `viaSdk` sends the SDK's own request instead ({@link sdkRead}): for a caller's own `Storage`
 * (its agent and interceptors apply) and behind an HTTP proxy from the store's environment, which
 * ./proxy.ts hands to the SDK's requests (Node's `fetch` takes no proxy).
 */
export async function openRead(file: File, start: number, viaSdk = false): Promise<Readable> {
  if (viaSdk) return sdkRead(file, start);
  const storage = file.storage as unknown as StorageParts;
  const base = storage.baseUrl ?? `${storage.apiEndpoint ?? 'https://storage.googleapis.com'}/storage/v1`;
  const query = new URLSearchParams({ alt: 'media', generation: String(file.generation) });
  const url = `${base}/b/${encodeURIComponent(file.bucket.name)}/o/${encodeURIComponent(file.name)}?${query.toString()}`;
  let headers: Record<string, string> = {
    'Cache-Control': 'no-store',
    ...(start > 0 ? { Range: `bytes=${start}-` } : {}),
  };
  if (storage.customEndpoint !== true || storage.useAuthWithCustomEndpoint === true) {
    const authorized = await storage.authClient?.authorizeRequest({ headers });
    headers = { ...headers, ...(authorized?.headers as Record<string, string> | undefined) };
  }
  const request = new AbortController();
  const answer = await fetch(url, { headers, signal: request.signal });
  if (answer.ok && answer.body === null) return Readable.from([]);
  if (answer.ok && answer.body !== null) {
    const body = Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>);
    body.once('close', () => {
      if (!body.readableEnded) request.abort(); // a reader that stopped early frees the connection
    });
    return body;
  }
  // The status is what counts; the body only adds the service's message, if it arrives whole.
  const message = await answer.text().catch(() => '');
  throw Object.assign(new Error(message === '' ? `HTTP ${answer.status}` : message), { code: answer.status });
}

/**
 * The download as `File.createReadStream` requests it, without its answer handling: for an error
 * status it reads the error body with no rejection handler (an unhandled rejection, and a stream
 * that never ends, when that body is cut), and it emits 'response' before checking the status.
 * Its body is a copy piped from the socket: a reader that stops early leaves the socket to the
 * server's idle timeout (the cost of the caller's own client or a proxy, see {@link openRead}).
 */
async function sdkRead(file: File, start: number): Promise<Readable> {
  const request = file.requestStream({
    uri: '',
    qs: { alt: 'media', generation: file.generation },
    headers: { 'Cache-Control': 'no-store', ...(start > 0 ? { Range: `bytes=${start}-` } : {}) },
  }) as unknown as Readable;
  // As in createReadStream: the bytes are read from the answer the 'response' event carries, and
  // the request stream itself is drained. Its errors reach the answer too.
  request.on('error', () => undefined);
  const body = new PassThrough();
  try {
    const answer = await new Promise<Readable & { statusCode?: number }>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
      request.resume();
    });
    answer.on('error', (err) => body.destroy(err));
    answer.pipe(body);
    body.once('close', () => {
      if (!answer.readableEnded) answer.destroy();
    });
    const status = answer.statusCode ?? 200;
    if (status < 300) return body;
    const message = await collect(body).then(
      (bytes) => bytes.toString('utf8'),
      () => '',
    );
    throw Object.assign(new Error(message === '' ? `HTTP ${status}` : message), { code: status });
  } catch (err) {
    request.destroy();
    body.destroy();
    throw err;
  }
}

/**
 * An HTTP agent of its own for the resumable upload of `file` (given to the SDK's upload requests
 * through a request interceptor of this `File` alone), closed once the upload is over. An upload
 * whose stream is destroyed part-way (an abort, a stall) is destroyed by the SDK without an error,
 * which its in-flight request never hears of: the request waits for body bytes that never come,
 * holding its connection, and a request still to come (the session was being created) would do
 * the same. Closing destroys the agent's connections and fails any request it is asked for later.
 */
export function uploadAgent(file: File): { close(): void } {
  const storage = file.storage as unknown as StorageParts;
  const secure = (storage.apiEndpoint ?? 'https:').startsWith('https:');
  const agent = secure ? new https.Agent() : new http.Agent();
  let closed = false;
  const connector = agent as unknown as { createConnection: (options: object, done: ConnectionCallback) => unknown };
  const connect = connector.createConnection.bind(agent);
  connector.createConnection = (options, done) => {
    if (!closed) return connect(options, done);
    process.nextTick(done, new Error('gcs: the upload was abandoned'));
    return undefined;
  };
  (file as unknown as { interceptors: Array<{ request(options: object): object }> }).interceptors.push({
    request: (options) => ({ ...options, agent }),
  });
  return {
    close: () => {
      closed = true;
      agent.destroy();
    },
  };
}

type ConnectionCallback = (err: Error | null, socket?: unknown) => void;

/**
 * `pending`, or a retryable Unavailable once it has had no answer for `timeoutMs`: the SDK's HTTP
 * client (node-fetch 2) waits forever for the rest of an answer whose connection was cut mid-body,
 * and uploads have no timeout of their own in the SDK.
 */
export function answered<T>(pending: Promise<T>, timeoutMs: number, key: string | undefined, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const where = key === undefined ? what : `${what} ${JSON.stringify(key)}`;
      reject(
        new StateStoreError('Unavailable', `gcs: ${where}: no answer within ${timeoutMs} ms`, {
          ...(key === undefined ? {} : { key }),
          backend: 'gcs',
          retryable: true,
        }),
      );
    }, timeoutMs);
  });
  pending.catch(() => undefined); // a late failure of an abandoned request is not news
  return Promise.race([pending, late]).finally(() => clearTimeout(timer));
}

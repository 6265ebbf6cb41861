import { PassThrough, type Readable } from 'node:stream';
import type { File } from '@google-cloud/storage';
import { StateStoreError } from '../../errors.js';
import { collect } from '../common/bytes.js';

/**
 * Starts a download of the pinned `file` from byte `start`; resolves with the body once the answer
 * is a success. This is the request `File.createReadStream` makes, without its answer handling:
 * for an error status it reads the error body with no rejection handler (an unhandled rejection,
 * and a stream that never ends, when that body is cut), and it emits 'response' before checking
 * the status. An error status rejects with an Error whose `code` is the status (as the SDK's
 * ApiError), for the driver's `mapError`.
 */
export async function openRead(file: File, start: number): Promise<Readable> {
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
      if (!answer.readableEnded) answer.destroy(); // a reader that stopped early frees the connection
    });
    const status = answer.statusCode ?? 200;
    if (status < 300) return body;
    // The status is what counts; the body only adds the service's message, if it arrives whole.
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

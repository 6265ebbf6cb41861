/**
 * Decoder for the `aws-chunked` content encoding that AWS SDKs use for streaming uploads
 * (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER` or `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`):
 *
 *   <hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0[;...]\r\n<trailer: value>\r\n...\r\n
 *
 * S3 stores the decoded bytes; s3rver stores the frames. The trailer (the SDK's default
 * `x-amz-checksum-crc32`) is collected; the CRC32 is checked like S3 does (400 BadDigest).
 */
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';

/** True when the request body is aws-chunked framed. */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((part) => part.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/** A request body that fails its framing or checksum; the compat layer answers it with 400. */
export class BodyIntegrityError extends Error {
  constructor(
    readonly code: 'BadDigest' | 'IncompleteBody',
    message: string,
  ) {
    super(message);
  }
}

const crc32: ((data: Uint8Array, value?: number) => number) | undefined = (
  zlib as { crc32?: (data: Uint8Array, value?: number) => number }
).crc32;

/** Transform from aws-chunked frames to the payload. `trailers` is filled when the stream ends. */
export class AwsChunkedDecoder extends Transform {
  readonly trailers: Record<string, string> = {};
  private state: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private crc = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      this.drain();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== 'trailer')
      return callback(new BodyIntegrityError('IncompleteBody', 'the aws-chunked body ended early'));
    for (const line of this.pending.toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const expected = this.trailers['x-amz-checksum-crc32'];
    if (expected !== undefined && crc32 !== undefined) {
      const actual = Buffer.alloc(4);
      actual.writeUInt32BE(this.crc >>> 0);
      if (actual.toString('base64') !== expected) {
        return callback(
          new BodyIntegrityError('BadDigest', 'The CRC32 you specified did not match the calculated checksum.'),
        );
      }
    }
    callback();
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'size') {
        const end = this.pending.indexOf('\r\n');
        if (end === -1) return;
        const header = this.pending.subarray(0, end).toString('latin1');
        const size = parseInt(header.split(';')[0]!, 16);
        if (!Number.isFinite(size) || size < 0)
          throw new BodyIntegrityError('IncompleteBody', 'malformed aws-chunked frame');
        this.pending = this.pending.subarray(end + 2);
        this.remaining = size;
        this.state = size === 0 ? 'trailer' : 'data';
      } else if (this.state === 'data') {
        if (this.pending.length === 0) return;
        const take = Math.min(this.remaining, this.pending.length);
        const data = this.pending.subarray(0, take);
        if (crc32 !== undefined) this.crc = crc32(data, this.crc);
        this.push(Buffer.from(data));
        this.pending = this.pending.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'crlf';
      } else if (this.state === 'crlf') {
        if (this.pending.length < 2) return;
        this.pending = this.pending.subarray(2);
        this.state = 'size';
      } else {
        return; // trailer: parsed at the end
      }
    }
  }
}

/**
 * Passes a plain (not aws-chunked) body through and checks it against the CRC32 its
 * `x-amz-checksum-crc32` header announced, failing with BadDigest at the end, as S3 does.
 */
export class Crc32Verifier extends Transform {
  private crc = 0;

  constructor(private readonly expected: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (crc32 !== undefined) this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (crc32 === undefined) return callback();
    const actual = Buffer.alloc(4);
    actual.writeUInt32BE(this.crc >>> 0);
    if (actual.toString('base64') !== this.expected) {
      return callback(
        new BodyIntegrityError('BadDigest', 'The CRC32 you specified did not match the calculated checksum.'),
      );
    }
    callback();
  }
}

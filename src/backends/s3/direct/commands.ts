import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createHash, type Hash } from 'node:crypto';
import { Crc32c, Crc64Nvme, type Checksum } from './crc.js';
import { SMALL_BODY, type DirectRequest, type DirectResponse } from './request.js';
import { abortUpload, completeUpload, createUpload, uploadPart, type RequestTarget } from './multipart-commands.js';
import { parseCopyResult, parseListPage } from './xml.js';

/**
 * The SDK commands the direct path sends itself: each one's input turned into a request, and the
 * answer into the output the SDK would give (only the fields the S3 driver reads). An input with
 * any field not listed here is not translated (undefined): the SDK sends it.
 */
export interface Translation {
  request: DirectRequest;
  output: (response: DirectResponse) => unknown;
}

/** Input fields that become request headers, by SDK field name. */
const HEADERS: Record<string, string> = {
  IfMatch: 'if-match',
  IfNoneMatch: 'if-none-match',
  ContentType: 'content-type',
  CopySource: 'x-amz-copy-source',
  CopySourceIfMatch: 'x-amz-copy-source-if-match',
  ServerSideEncryption: 'x-amz-server-side-encryption',
  SSEKMSKeyId: 'x-amz-server-side-encryption-aws-kms-key-id',
  ACL: 'x-amz-acl',
  Range: 'range',
};

/** The fields each command may carry on the direct path (Bucket always; Key where it has one). */
const ACCEPTED: Record<string, ReadonlySet<string>> = {
  GetObjectCommand: new Set(['Bucket', 'Key', 'IfMatch', 'Range']),
  HeadObjectCommand: new Set(['Bucket', 'Key', 'IfMatch']),
  DeleteObjectCommand: new Set(['Bucket', 'Key', 'IfMatch']),
  PutObjectCommand: new Set([
    'Bucket',
    'Key',
    'Body',
    'ContentLength',
    'ContentType',
    'IfMatch',
    'IfNoneMatch',
    'ServerSideEncryption',
    'SSEKMSKeyId',
    'ACL',
  ]),
  CopyObjectCommand: new Set([
    'Bucket',
    'Key',
    'CopySource',
    'CopySourceIfMatch',
    'IfMatch',
    'IfNoneMatch',
    'ServerSideEncryption',
    'SSEKMSKeyId',
    'ACL',
  ]),
  ListObjectsV2Command: new Set(['Bucket', 'Prefix', 'Delimiter', 'MaxKeys', 'ContinuationToken', 'EncodingType']),
  // A small multipart upload (the dialect probe's; one with a checksum algorithm goes through the SDK).
  CreateMultipartUploadCommand: new Set(['Bucket', 'Key', 'ContentType', 'ServerSideEncryption', 'SSEKMSKeyId', 'ACL']),
  UploadPartCommand: new Set(['Bucket', 'Key', 'UploadId', 'PartNumber', 'Body', 'ContentLength']),
  CompleteMultipartUploadCommand: new Set(['Bucket', 'Key', 'UploadId', 'MultipartUpload', 'IfMatch', 'IfNoneMatch']),
  AbortMultipartUploadCommand: new Set(['Bucket', 'Key', 'UploadId']),
};

/** PutObject bodies above this go through the SDK (its Expect: 100-continue, streaming). */
export const DIRECT_PUT_LIMIT = 8 * 1024 * 1024;

/** A GetObject whose caller reads the body whole (lazy-sdk.ts readWhole). */
export interface WholeBody {
  /** Bodies of at most this many bytes (and {@link SMALL_BODY}) are collected; larger ones stream. */
  limit: number;
  /**
   * A 2xx body cut while collected is handed over as the bytes that came, its stream failing with
   * the cut after them, for the caller to resume from there (s3/whole-read.ts); without it the
   * attempt is retried whole.
   */
  keepCut: boolean;
}

/** How the store's checksums apply (`options.s3.checksum`: `when_supported` adds CRC32s). */
export interface TranslateOptions {
  checksums: boolean;
  /** A GetObject whose caller reads the body whole: a small one is collected (transport.ts SMALL_BODY). */
  wholeBody?: WholeBody;
}

/** The direct request of an SDK command, or undefined when the SDK must send it. */
export function translate(
  name: string,
  input: Record<string, unknown>,
  options: TranslateOptions,
): Translation | undefined {
  const accepted = ACCEPTED[name];
  if (accepted === undefined || typeof input['Bucket'] !== 'string') return undefined;
  const headers: Record<string, string> = {};
  // `for...in`: no array of pairs per request (the inputs are plain objects built by the driver).
  for (const field in input) {
    const value = input[field];
    if (value === undefined) continue;
    if (!accepted.has(field)) return undefined;
    const header = HEADERS[field];
    if (header !== undefined) {
      if (typeof value !== 'string') return undefined;
      headers[header] = value;
    }
  }
  const bucket = input['Bucket'];
  const key = typeof input['Key'] === 'string' ? input['Key'] : undefined;
  switch (name) {
    case 'GetObjectCommand':
      if (options.checksums) headers['x-amz-checksum-mode'] = 'ENABLED';
      return { request: getRequest(bucket, key, headers, options.wholeBody), output: getOutput };
    case 'HeadObjectCommand':
      return { request: { method: 'HEAD', bucket, key, headers }, output: (r) => headFields(r) };
    case 'DeleteObjectCommand':
      return { request: { method: 'DELETE', bucket, key, headers }, output: () => ({}) };
    case 'PutObjectCommand':
      return putObject(bucket, key, headers, input, options);
    case 'CopyObjectCommand':
      return {
        request: { method: 'PUT', bucket, key, headers, errorIn200: true },
        output: (r) => ({ CopyObjectResult: parseCopyResult(r.body.toString('utf8')) }),
      };
    case 'ListObjectsV2Command':
      return listObjects(bucket, input, headers);
    default:
      return multipart(name, { bucket, key, headers }, input, options);
  }
}

function multipart(
  name: string,
  to: RequestTarget,
  input: Record<string, unknown>,
  options: TranslateOptions,
): Translation | undefined {
  if (name === 'CreateMultipartUploadCommand') return createUpload(to);
  if (name === 'CompleteMultipartUploadCommand') return completeUpload(to, input);
  if (name === 'AbortMultipartUploadCommand') return abortUpload(to, input);
  const body = bufferedBody(input, to.headers, options);
  return body === undefined ? undefined : uploadPart(to, input, body);
}

function getRequest(
  bucket: string,
  key: string | undefined,
  headers: Record<string, string>,
  whole: WholeBody | undefined,
): DirectRequest {
  const request: DirectRequest = { method: 'GET', bucket, key, headers, stream: true };
  if (whole === undefined) return request;
  request.collectUpTo = Math.min(SMALL_BODY, whole.limit);
  if (whole.keepCut) request.keepCut = true;
  return request;
}

function putObject(
  bucket: string,
  key: string | undefined,
  headers: Record<string, string>,
  input: Record<string, unknown>,
  options: TranslateOptions,
): Translation | undefined {
  const body = bufferedBody(input, headers, options);
  if (body === undefined) return undefined;
  return {
    request: { method: 'PUT', bucket, key, headers, body },
    output: (r) => ({ ...etagOf(r) }),
  };
}

/**
 * The body of a PutObject or UploadPart, when a buffer or text of at most {@link DIRECT_PUT_LIMIT}
 * bytes that its ContentLength (if any) matches; its CRC32 header added when the store checksums.
 */
function bufferedBody(
  input: Record<string, unknown>,
  headers: Record<string, string>,
  options: TranslateOptions,
): Buffer | undefined {
  const raw = input['Body'] ?? '';
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) return undefined;
  const body = typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (body.length > DIRECT_PUT_LIMIT) return undefined;
  const length = input['ContentLength'];
  if (length !== undefined && length !== body.length) return undefined;
  // The SDK's flexible checksum of a buffered body: a header (a streamed one goes as a trailer).
  if (options.checksums) headers['x-amz-checksum-crc32'] = crc32Base64(body);
  return body;
}

function listObjects(bucket: string, input: Record<string, unknown>, headers: Record<string, string>): Translation {
  const query: Record<string, string> = { 'list-type': '2' };
  const params: Array<[string, string]> = [
    ['Prefix', 'prefix'],
    ['Delimiter', 'delimiter'],
    ['MaxKeys', 'max-keys'],
    ['ContinuationToken', 'continuation-token'],
    ['EncodingType', 'encoding-type'],
  ];
  for (const [field, name] of params) if (input[field] !== undefined) query[name] = String(input[field]);
  return {
    request: { method: 'GET', bucket, query, headers },
    output: (r) => parseListPage(r.body.toString('utf8')),
  };
}

/** zlib's CRC-32, zlib loaded on the first checksum (a move sends none), not at import: bench/README.md, "Move start-up II". */
function crc32(data: Buffer, value?: number): number {
  return process.getBuiltinModule('node:zlib').crc32(data, value);
}

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
}

function etagOf(response: DirectResponse): { ETag?: string } {
  const etag = response.headers['etag'];
  return typeof etag === 'string' ? { ETag: etag } : {};
}

/** The last Last-Modified parsed, and its time: a move's objects share a few seconds. */
let lastModified = { text: '', time: 0 };

function parsedDate(text: string): Date {
  if (text !== lastModified.text) lastModified = { text, time: new Date(text).getTime() };
  return new Date(lastModified.time);
}

/** The HeadObject fields of an answer's headers (GetObject's too), onto `out`. */
function headFields(response: DirectResponse, out: Record<string, unknown> = {}): Record<string, unknown> {
  const { headers } = response;
  const etag = headers['etag'];
  if (typeof etag === 'string') out['ETag'] = etag;
  const length = headers['content-length'];
  if (length !== undefined) out['ContentLength'] = Number(length);
  const modified = headers['last-modified'];
  if (modified !== undefined) out['LastModified'] = parsedDate(modified);
  if (headers['content-type'] !== undefined) out['ContentType'] = headers['content-type'];
  const sse = headers['x-amz-server-side-encryption'];
  if (typeof sse === 'string') out['ServerSideEncryption'] = sse;
  return out;
}

/** Checksums the direct path validates, by the header S3 answers them in, in the SDK's order of preference. */
const VALIDATED: Array<[string, string, () => Checksum]> = [
  ['x-amz-checksum-crc32', 'ChecksumCRC32', () => new Crc32()],
  ['x-amz-checksum-crc32c', 'ChecksumCRC32C', () => new Crc32c()],
  ['x-amz-checksum-crc64nvme', 'ChecksumCRC64NVME', () => new Crc64Nvme()],
  ['x-amz-checksum-sha1', 'ChecksumSHA1', () => new Digest(createHash('sha1'))],
  ['x-amz-checksum-sha256', 'ChecksumSHA256', () => new Digest(createHash('sha256'))],
];

/**
 * A GetObject answer: its fields, and its body checked against a whole-object checksum when the
 * answer has one this path computes (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256; a composite `...-N`
 * one is skipped, as the SDK skips it). A mismatch fails the stream with a bare Error, as the SDK's check does, which
 * the driver tells apart as IntegrityError (objects.ts isBareError).
 */
function getOutput(response: DirectResponse): Record<string, unknown> {
  const { stream, cut } = response;
  const out = headFields(response, stream === undefined && cut === undefined ? new CollectedOutput(response.body) : {});
  if (cut !== undefined) {
    // Cut while collected: what came, then the cut, for the reader to resume (no checksum of a part).
    for (const [header, field] of VALIDATED)
      if (typeof response.headers[header] === 'string') out[field] = response.headers[header];
    out['Body'] = Readable.from(cutBody(response.body, cut), { objectMode: false });
    return out;
  }
  for (const [header, field, make] of VALIDATED) {
    const expected = response.headers[header];
    if (typeof expected !== 'string' || /-\d+$/.test(expected)) continue;
    out[field] = expected;
    if (stream === undefined) {
      // Collected (a small body): checked at once; a mismatch fails its stream as a streamed one would.
      const checksum = make();
      checksum.update(response.body);
      if (checksum.base64() !== expected) out['Body'] = validated(bufferedStream(response.body), expected, make());
    } else out['Body'] = validated(stream, expected, make());
    return out;
  }
  if (stream !== undefined) out['Body'] = stream;
  return out;
}

/**
 * A GetObject output whose body the direct path collected: `Body` is a stream of it made only when
 * asked for (a whole read never asks: no stream per object), unless set (a failed checksum's).
 */
class CollectedOutput {
  [field: string]: unknown;
  readonly #bytes: Buffer;
  #body: Readable | undefined;
  #set = false;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  get Body(): Readable {
    return (this.#body ??= bufferedStream(this.#bytes));
  }

  set Body(body: Readable) {
    this.#body = body;
    this.#set = true;
  }

  /** The bytes, when checked (or with no checksum to check): not once another `Body` was set. */
  get checked(): Buffer | undefined {
    return this.#set ? undefined : this.#bytes;
  }
}

/**
 * The whole body of a GetObject output whose body the direct path collected and checked, or
 * undefined (a streamed body, a failed checksum, or the SDK's output): the caller takes these
 * bytes, and never touches `Body`.
 */
export function collectedBytes(output: object): Buffer | undefined {
  return output instanceof CollectedOutput ? output.checked : undefined;
}

/** The bytes that came of a body cut while collected, then its failure. */
async function* cutBody(bytes: Buffer, cut: Error): AsyncGenerator<Buffer> {
  if (bytes.length > 0) yield bytes;
  throw cut;
}

/** A readable of `bytes`. */
function bufferedStream(bytes: Buffer): Readable {
  const stream = new Readable({ read: () => undefined });
  if (bytes.length > 0) stream.push(bytes);
  stream.push(null);
  return stream;
}

class Crc32 implements Checksum {
  private value = 0;
  update(chunk: Buffer): void {
    this.value = crc32(chunk, this.value);
  }
  base64(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out.toString('base64');
  }
}

class Digest implements Checksum {
  constructor(private readonly hash: Hash) {}
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  base64(): string {
    return this.hash.digest('base64');
  }
}

function validated(body: Readable, expected: string, checksum: Checksum): Readable {
  const check = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      checksum.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = checksum.base64();
      // A bare Error: what the SDK's checksum stream raises (see objects.ts isBareError).
      callback(
        actual === expected ? null : new Error(`Checksum mismatch: expected "${expected}" but received "${actual}"`),
      );
    },
  });
  body.on('error', (err) => check.destroy(err));
  check.on('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  return body.pipe(check);
}

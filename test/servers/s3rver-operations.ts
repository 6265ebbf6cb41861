/**
 * The operations the compatibility layer of `s3rver-middleware.ts` answers itself or wraps
 * (listing, copies, multipart completion, request body checks), and the per-key locks that make
 * conditional writes atomic. Split from the middleware so that each file holds one concern; the
 * middleware passes its state in as a {@link Compat}.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { AwsChunkedDecoder, Crc32Verifier, isAwsChunked } from './aws-chunked.js';
import type { ChecksumSidecars } from './s3rver-checksums.js';
import type { KoaContext, RecordedRequest } from './s3rver-middleware.js';
import { listObjects, type S3rverStore } from './s3rver-store.js';

/** Koa's `next`. */
export type Next = () => Promise<void>;

/** What the operations need of the middleware's state. */
export interface Compat {
  store: S3rverStore;
  checksums: ChecksumSidecars;
  /** An S3 error response to throw. */
  fail(status: number, code: string, message: string, detail?: Record<string, unknown>): Error;
  withLocks<T>(names: string[], fn: () => Promise<T>): Promise<T>;
  /** The write preconditions (If-None-Match, If-Match) of the request on `bucket/key`. */
  checkWrite(ctx: KoaContext, bucket: string, key: string, kind: 'put' | 'copy' | 'complete'): Promise<void>;
  /** The copy source exists and matches `x-amz-copy-source-if-match`; resolves to its ETag. */
  checkCopySource(ctx: KoaContext, bucket: string, key: string): Promise<string>;
}

/** A lock table: `withLocks(names, fn)` serialises everything done on one key (a promise chain per key). */
export function keyLocks(): <T>(names: string[], fn: () => Promise<T>) => Promise<T> {
  const locks = new Map<string, Promise<void>>();
  return async <T>(names: string[], fn: () => Promise<T>): Promise<T> => {
    const unique = [...new Set(names)].sort();
    const releases: Array<() => void> = [];
    for (const name of unique) {
      const previous = locks.get(name) ?? Promise.resolve();
      let release!: () => void;
      const current = new Promise<void>((resolve) => (release = resolve));
      const chained = previous.then(() => current);
      locks.set(name, chained);
      releases.push(() => {
        release();
        if (locks.get(name) === chained) locks.delete(name);
      });
      await previous;
    }
    try {
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  };
}

/** A request header's (first) value. */
export const header = (ctx: KoaContext, name: string): string | undefined => {
  const value = ctx.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The bucket and key of `x-amz-copy-source`, decoded fully (s3rver's `decodeURI` is not enough). */
export const copySource = (ctx: KoaContext): { bucket: string; key: string } => {
  let source = header(ctx, 'x-amz-copy-source') ?? '';
  source = source.split('?')[0]!;
  source = decodeURIComponent(source.startsWith('/') ? source.slice(1) : source);
  const slash = source.indexOf('/');
  return { bucket: source.slice(0, slash), key: source.slice(slash + 1) };
};

/** Where s3rver keeps a multipart upload's parts. */
export const uploadDir = (store: S3rverStore, bucket: string, uploadId: string): string =>
  path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);

/** The lock of one object. */
export const lockName = (bucket: string, key: string): string => `${bucket}\0${key}`;

/** ListObjectsV2 as S3 answers it (UTF-8 byte order, opaque tokens, `encoding-type=url`). */
export async function list(c: Compat, ctx: KoaContext, bucket: string): Promise<void> {
  if (!(await fs.stat(path.join(c.store.rootDirectory, bucket)).catch(() => undefined))) {
    throw c.fail(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  }
  const q = (name: string): string => {
    const value = ctx.query[name];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const token = q('continuation-token');
  const maxKeys = q('max-keys') === '' ? 1000 : Math.min(1000, Number(q('max-keys')));
  const result = await listObjects(c.store, bucket, {
    prefix: q('prefix'),
    delimiter: q('delimiter'),
    startAfter: token !== '' ? Buffer.from(token, 'base64url').toString('utf8') : q('start-after'),
    maxKeys,
  });
  const url = q('encoding-type') === 'url';
  const enc = (value: string): string =>
    xml(url ? encodeURIComponent(value).replace(/%2F/g, '/').replace(/%20/g, '+') : value);
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${xml(bucket)}</Name><Prefix>${enc(q('prefix'))}</Prefix><KeyCount>${result.objects.length + result.prefixes.length}</KeyCount>`,
    `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${result.truncated}</IsTruncated>`,
    q('delimiter') === '' ? '' : `<Delimiter>${enc(q('delimiter'))}</Delimiter>`,
    url ? '<EncodingType>url</EncodingType>' : '',
    token === '' ? '' : `<ContinuationToken>${xml(token)}</ContinuationToken>`,
    result.truncated && result.last !== undefined
      ? `<NextContinuationToken>${Buffer.from(result.last, 'utf8').toString('base64url')}</NextContinuationToken>`
      : '',
    ...result.objects.map(
      (o) =>
        `<Contents><Key>${enc(o.key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xml(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    ),
    ...result.prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`),
    '</ListBucketResult>',
  ];
  ctx.type = 'application/xml';
  ctx.body = parts.join('');
}

/** CopyObject with its source and destination conditions, on both keys' locks. */
export async function copyObject(c: Compat, ctx: KoaContext, bucket: string, key: string): Promise<void> {
  const source = copySource(ctx);
  await c.withLocks([lockName(bucket, key), lockName(source.bucket, source.key)], async () => {
    await c.checkCopySource(ctx, source.bucket, source.key);
    await c.checkWrite(ctx, bucket, key, 'copy');
    const replace = header(ctx, 'x-amz-metadata-directive') === 'REPLACE';
    if (source.bucket === bucket && source.key === key && !replace) {
      throw c.fail(
        400,
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const metadata = await c.store.copyObject(
      source.bucket,
      source.key,
      bucket,
      key,
      replace ? (ctx.headers as Record<string, unknown>) : null,
    );
    await c.checksums.copy(source.bucket, source.key, bucket, key);
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>${new Date(String(metadata['last-modified'])).toISOString()}</LastModified><ETag>${xml(String(metadata['etag']))}</ETag></CopyObjectResult>`;
  });
}

/** UploadPartCopy, with `x-amz-copy-source-range`. */
export async function uploadPartCopy(c: Compat, ctx: KoaContext, bucket: string): Promise<void> {
  const source = copySource(ctx);
  const range = /^bytes=(\d+)-(\d+)$/.exec(header(ctx, 'x-amz-copy-source-range') ?? '');
  const uploadId = String(ctx.query['uploadId']);
  const partNumber = String(ctx.query['partNumber']);
  await c.withLocks([lockName(source.bucket, source.key)], async () => {
    await c.checkCopySource(ctx, source.bucket, source.key);
    if (!(await fs.stat(uploadDir(c.store, bucket, uploadId)).catch(() => undefined)))
      throw c.fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
    const object = await c.store.getObject(
      source.bucket,
      source.key,
      range ? { start: Number(range[1]), end: Number(range[2]) } : undefined,
    );
    if (object === null || object.content === null)
      throw c.fail(416, 'InvalidRange', 'The requested range is not satisfiable');
    const { md5 } = await c.store.putPart(bucket, uploadId, partNumber, object.content);
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?><CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`;
  });
}

/** CompleteMultipartUpload with its write conditions; the ETag is `md5(part md5s)-N`, as on S3. */
export async function completeMultipart(
  c: Compat,
  ctx: KoaContext,
  bucket: string,
  key: string,
  next: Next,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const partEtags = [...body.toString('utf8').matchAll(/<ETag>([^<]*)<\/ETag>/g)].map((m) =>
    m[1]!.replace(/&quot;|"/g, ''),
  );
  ctx.req = Readable.from([body]);
  await c.withLocks([lockName(bucket, key)], async () => {
    await c.checkWrite(ctx, bucket, key, 'complete');
    if (!(await fs.stat(uploadDir(c.store, bucket, String(ctx.query['uploadId']))).catch(() => undefined))) {
      throw c.fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    await next();
    if (ctx.status !== 200) return;
    const md5s = Buffer.concat(partEtags.map((etag) => Buffer.from(etag, 'hex')));
    const etag = `${createHash('md5').update(md5s).digest('hex')}-${partEtags.length}`;
    await fs.writeFile(c.store.getResourcePath(bucket, key, 'object.md5'), etag);
    await c.checksums.set(bucket, key, undefined);
    if (typeof ctx.body === 'string')
      ctx.body = ctx.body.replace(/<ETag>[^<]*<\/ETag>/, `<ETag>&quot;${etag}&quot;</ETag>`);
  });
}

/**
 * Puts a checking stream between the request and s3rver: the aws-chunked decoder (which also
 * strips `aws-chunked` from the stored Content-Encoding), or a CRC32 check of a plain body that
 * announced one. The stream remembers a failure in `errored`.
 */
export function checkBody(ctx: KoaContext, entry: RecordedRequest): AwsChunkedDecoder | Crc32Verifier | undefined {
  const announced = ctx.headers['x-amz-checksum-crc32'];
  if (!isAwsChunked(ctx.headers)) {
    if (typeof announced !== 'string' || 'x-amz-copy-source' in ctx.headers) return undefined;
    const verifier = new Crc32Verifier(announced);
    verifier.on('error', () => undefined);
    const source = ctx.req;
    source.on('error', (err) => verifier.destroy(err));
    ctx.req = source.pipe(verifier);
    return verifier;
  }
  const decoder = new AwsChunkedDecoder();
  decoder.on('end', () => (entry.trailers = decoder.trailers));
  // The body may be fully decoded (and fail) before the store starts reading it: keep the error
  // on the stream (`errored`) instead of letting an unhandled 'error' event kill the server.
  decoder.on('error', () => undefined);
  const headers = ctx.request.req.headers;
  const encoding = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== 'aws-chunked');
  if (encoding.length === 0) delete headers['content-encoding'];
  else headers['content-encoding'] = encoding.join(',');
  const source = ctx.req;
  source.on('error', (err) => decoder.destroy(err));
  ctx.req = source.pipe(decoder);
  return decoder;
}

function xml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

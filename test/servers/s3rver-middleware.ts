/**
 * A thin compatibility layer in front of s3rver 3.7.1 (Koa middleware, run first), so the S3
 * backend is tested against the behaviour of real Amazon S3 where s3rver differs. What it adds,
 * each as S3 documents it:
 *
 * - aws-chunked request bodies (the SDK's default for streamed PutObject/UploadPart, with an
 *   `x-amz-checksum-crc32` trailer) are decoded before storing, the CRC32 trailer is checked
 *   (400 BadDigest) and `aws-chunked` is removed from the stored Content-Encoding. A plain body
 *   sent with an `x-amz-checksum-crc32` header is checked the same way.
 * - Stored checksums: the CRC32 an object was uploaded with is returned by GetObject/HeadObject
 *   under `x-amz-checksum-mode: ENABLED` (see `s3rver-checksums.ts`), so the SDK's default
 *   download validation runs.
 * - Conditional writes: PutObject, CompleteMultipartUpload and CopyObject honour
 *   `If-None-Match: *` (412 PreconditionFailed when the key exists) and `If-Match: <etag>`
 *   (412 on a different ETag, 404 NoSuchKey when the key is missing); GetObject/HeadObject and
 *   DeleteObject honour `If-Match` (412); CopyObject and UploadPartCopy honour
 *   `x-amz-copy-source-if-match` (412). Requests on one key are serialised, and writes are
 *   atomic (see `s3rver-store.ts`), so of N racing conditional writers exactly one wins, as on S3.
 * - ListObjectsV2 in UTF-8 byte order, `max-keys` counting objects and common prefixes,
 *   opaque continuation tokens, `encoding-type=url` (spaces as `+`, like S3).
 * - Multipart: the completed object's ETag is `md5(part md5s)-N`; AbortMultipartUpload and
 *   UploadPartCopy (with `x-amz-copy-source-range`) work; CopyObject decodes the copy source
 *   fully (s3rver's `decodeURI` breaks keys with `+`, `%` or `&`).
 * - Bucket regions: a bucket started with a region answers `x-amz-bucket-region` on HeadBucket
 *   and 301 PermanentRedirect to requests signed for another region.
 *
 * Test-only additions, outside the S3 namespace (`/__s3rver/...`): a log of the requests
 * received (method, key, headers without the signature), injected faults (status + S3 error
 * code for the next N matching requests) to exercise 409/503 mappings over real HTTP, and
 * `corrupt` (flip a stored byte) to exercise download validation.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { AwsChunkedDecoder, BodyIntegrityError, Crc32Verifier, isAwsChunked } from './aws-chunked.js';
import { ChecksumSidecars } from './s3rver-checksums.js';
import { listObjects, type S3rverStore } from './s3rver-store.js';

/** What the middleware needs of a Koa context (s3rver ships no types). */
export interface KoaContext {
  method: string;
  path: string;
  querystring: string;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  req: Readable & { socket?: { localPort?: number } };
  request: { req: { headers: Record<string, string | string[] | undefined>; socket: { localPort?: number } } };
  status: number;
  body: unknown;
  type: string;
  set(name: string, value: string): void;
}

/** s3rver's error class: thrown errors become S3 XML error responses. */
export type S3ErrorClass = new (
  code: string,
  message: string,
  detail?: Record<string, unknown>,
) => Error & { status: number; headers: Record<string, string> };

/** One received request, as the tests see it. */
export interface RecordedRequest {
  method: string;
  port: number | undefined;
  bucket: string | undefined;
  key: string | undefined;
  query: string;
  headers: Record<string, string>;
  trailers?: Record<string, string>;
  status?: number;
}

/** A fault to inject: the next `times` matching requests get this S3 error. */
export interface Fault {
  method?: string;
  key?: string;
  status: number;
  code: string;
  times: number;
}

/** Options of {@link compatMiddleware}. */
export interface CompatOptions {
  store: S3rverStore;
  S3Error: S3ErrorClass;
  /** Buckets with a region other than us-east-1. */
  regions: Record<string, string>;
}

type Next = () => Promise<void>;

const MAX_LOG = 5000;

/** Builds the middleware. See the file header for what it changes. */
export function compatMiddleware(options: CompatOptions): (ctx: KoaContext, next: Next) => Promise<void> {
  const { store, S3Error, regions } = options;
  const log: RecordedRequest[] = [];
  let faults: Fault[] = [];
  const locks = new Map<string, Promise<void>>();
  const checksums = new ChecksumSidecars(store);

  const fail = (status: number, code: string, message: string, detail: Record<string, unknown> = {}): Error => {
    const err = new S3Error(code, message, detail);
    err.status = status;
    return err;
  };

  /** Serialises everything done on one key (a promise chain per key). */
  const withLocks = async <T>(names: string[], fn: () => Promise<T>): Promise<T> => {
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

  const currentEtag = async (bucket: string, key: string): Promise<string | undefined> => {
    try {
      return String((await store.getMetadata(bucket, key))['etag']).replace(/"/g, '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };

  const header = (ctx: KoaContext, name: string): string | undefined => {
    const value = ctx.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };

  /** The write preconditions of PutObject, CompleteMultipartUpload and CopyObject. */
  const checkWrite = async (ctx: KoaContext, bucket: string, key: string): Promise<void> => {
    const ifNoneMatch = header(ctx, 'if-none-match');
    const ifMatch = header(ctx, 'if-match');
    if (ifNoneMatch === undefined && ifMatch === undefined) return;
    const etag = await currentEtag(bucket, key);
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && etag !== undefined) {
      throw fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-None-Match',
      });
    }
    if (ifMatch !== undefined) {
      if (etag === undefined) throw fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      if (ifMatch.trim() !== '*' && ifMatch.replace(/"/g, '').trim() !== etag) {
        throw fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
          Condition: 'If-Match',
        });
      }
    }
  };

  const checkReadOrDelete = async (ctx: KoaContext, bucket: string, key: string): Promise<void> => {
    const ifMatch = header(ctx, 'if-match');
    if (ifMatch === undefined) return;
    const etag = await currentEtag(bucket, key);
    if (etag === undefined) throw fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    if (ifMatch.trim() !== '*' && ifMatch.replace(/"/g, '').trim() !== etag) {
      throw fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-Match',
      });
    }
  };

  const copySource = (ctx: KoaContext): { bucket: string; key: string } => {
    let source = header(ctx, 'x-amz-copy-source') ?? '';
    source = source.split('?')[0]!;
    source = decodeURIComponent(source.startsWith('/') ? source.slice(1) : source);
    const slash = source.indexOf('/');
    return { bucket: source.slice(0, slash), key: source.slice(slash + 1) };
  };

  const checkCopySource = async (ctx: KoaContext, bucket: string, key: string): Promise<string> => {
    const etag = await currentEtag(bucket, key);
    if (etag === undefined) throw fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    const ifMatch = header(ctx, 'x-amz-copy-source-if-match');
    if (ifMatch !== undefined && ifMatch.replace(/"/g, '').trim() !== etag) {
      throw fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'x-amz-copy-source-If-Match',
      });
    }
    return etag;
  };

  const uploadDir = (bucket: string, uploadId: string): string =>
    path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);

  const lockName = (bucket: string, key: string): string => `${bucket}\0${key}`;

  async function control(ctx: KoaContext): Promise<void> {
    const what = ctx.path.slice('/__s3rver/'.length);
    if (what === 'requests' && ctx.method === 'GET') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(log);
    } else if (what === 'requests' && ctx.method === 'DELETE') {
      log.length = 0;
      ctx.status = 204;
    } else if (what === 'faults' && ctx.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      faults.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Fault);
      ctx.status = 204;
    } else if (what === 'corrupt' && ctx.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      const target = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { bucket: string; key: string };
      await withLocks([lockName(target.bucket, target.key)], () => checksums.corrupt(target.bucket, target.key));
      ctx.status = 204;
    } else if (what === 'faults' && ctx.method === 'DELETE') {
      faults = [];
      ctx.status = 204;
    } else {
      ctx.status = 404;
    }
  }

  async function list(ctx: KoaContext, bucket: string): Promise<void> {
    if (!(await fs.stat(path.join(store.rootDirectory, bucket)).catch(() => undefined))) {
      throw fail(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
    const q = (name: string): string => {
      const value = ctx.query[name];
      return (Array.isArray(value) ? value[0] : value) ?? '';
    };
    const token = q('continuation-token');
    const maxKeys = q('max-keys') === '' ? 1000 : Math.min(1000, Number(q('max-keys')));
    const result = await listObjects(store, bucket, {
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

  async function copyObject(ctx: KoaContext, bucket: string, key: string): Promise<void> {
    const source = copySource(ctx);
    await withLocks([lockName(bucket, key), lockName(source.bucket, source.key)], async () => {
      await checkCopySource(ctx, source.bucket, source.key);
      await checkWrite(ctx, bucket, key);
      const replace = header(ctx, 'x-amz-metadata-directive') === 'REPLACE';
      if (source.bucket === bucket && source.key === key && !replace) {
        throw fail(
          400,
          'InvalidRequest',
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        );
      }
      const metadata = await store.copyObject(
        source.bucket,
        source.key,
        bucket,
        key,
        replace ? (ctx.headers as Record<string, unknown>) : null,
      );
      await checksums.copy(source.bucket, source.key, bucket, key);
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>${new Date(String(metadata['last-modified'])).toISOString()}</LastModified><ETag>${xml(String(metadata['etag']))}</ETag></CopyObjectResult>`;
    });
  }

  async function uploadPartCopy(ctx: KoaContext, bucket: string): Promise<void> {
    const source = copySource(ctx);
    const range = /^bytes=(\d+)-(\d+)$/.exec(header(ctx, 'x-amz-copy-source-range') ?? '');
    const uploadId = String(ctx.query['uploadId']);
    const partNumber = String(ctx.query['partNumber']);
    await withLocks([lockName(source.bucket, source.key)], async () => {
      await checkCopySource(ctx, source.bucket, source.key);
      if (!(await fs.stat(uploadDir(bucket, uploadId)).catch(() => undefined)))
        throw fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
      const object = await store.getObject(
        source.bucket,
        source.key,
        range ? { start: Number(range[1]), end: Number(range[2]) } : undefined,
      );
      if (object === null || object.content === null)
        throw fail(416, 'InvalidRange', 'The requested range is not satisfiable');
      const { md5 } = await store.putPart(bucket, uploadId, partNumber, object.content);
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`;
    });
  }

  async function completeMultipart(ctx: KoaContext, bucket: string, key: string, next: Next): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const partEtags = [...body.toString('utf8').matchAll(/<ETag>([^<]*)<\/ETag>/g)].map((m) =>
      m[1]!.replace(/&quot;|"/g, ''),
    );
    ctx.req = Readable.from([body]);
    await withLocks([lockName(bucket, key)], async () => {
      await checkWrite(ctx, bucket, key);
      if (!(await fs.stat(uploadDir(bucket, String(ctx.query['uploadId']))).catch(() => undefined))) {
        throw fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
      }
      await next();
      if (ctx.status !== 200) return;
      const md5s = Buffer.concat(partEtags.map((etag) => Buffer.from(etag, 'hex')));
      const etag = `${createHash('md5').update(md5s).digest('hex')}-${partEtags.length}`;
      await fs.writeFile(store.getResourcePath(bucket, key, 'object.md5'), etag);
      await checksums.set(bucket, key, undefined);
      if (typeof ctx.body === 'string')
        ctx.body = ctx.body.replace(/<ETag>[^<]*<\/ETag>/, `<ETag>&quot;${etag}&quot;</ETag>`);
    });
  }

  async function dispatch(
    ctx: KoaContext,
    bucket: string | undefined,
    key: string | undefined,
    next: Next,
    entry: RecordedRequest,
  ): Promise<void> {
    if (bucket === undefined) return next();
    const q = ctx.query;
    if (key === undefined) {
      if (ctx.method === 'GET' && q['list-type'] === '2') return list(ctx, bucket);
      if (ctx.method === 'HEAD') {
        if (!(await fs.stat(path.join(store.rootDirectory, bucket)).catch(() => undefined)))
          throw fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
        ctx.status = 200;
        return;
      }
      return next();
    }
    const lock = lockName(bucket, key);
    if (ctx.method === 'PUT' && 'uploadId' in q) {
      if (header(ctx, 'x-amz-copy-source') !== undefined) return uploadPartCopy(ctx, bucket);
      if (!(await fs.stat(uploadDir(bucket, String(q['uploadId']))).catch(() => undefined)))
        throw fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
      return next();
    }
    if (
      ctx.method === 'PUT' &&
      header(ctx, 'x-amz-copy-source') !== undefined &&
      Object.keys(q).every((name) => name === 'x-id')
    )
      return copyObject(ctx, bucket, key);
    if (ctx.method === 'PUT' && Object.keys(q).every((name) => name === 'x-id')) {
      return withLocks([lock], async () => {
        await checkWrite(ctx, bucket, key);
        await next();
        if (ctx.status === 200)
          await checksums.set(
            bucket,
            key,
            header(ctx, 'x-amz-checksum-crc32') ?? entry.trailers?.['x-amz-checksum-crc32'],
          );
      });
    }
    if (ctx.method === 'POST' && 'uploadId' in q) return completeMultipart(ctx, bucket, key, next);
    if (ctx.method === 'DELETE' && 'uploadId' in q) {
      const dir = uploadDir(bucket, String(q['uploadId']));
      if (!(await fs.stat(dir).catch(() => undefined)))
        throw fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'DELETE') {
      return withLocks([lock], async () => {
        await checkReadOrDelete(ctx, bucket, key);
        await next();
        if (ctx.method === 'DELETE' && ctx.status === 204) await checksums.set(bucket, key, undefined);
        if (ctx.method !== 'DELETE' && ctx.status === 200 && header(ctx, 'x-amz-checksum-mode') === 'ENABLED') {
          const crc32 = await checksums.get(bucket, key);
          if (crc32 !== undefined) {
            ctx.set('x-amz-checksum-crc32', crc32);
            ctx.set('x-amz-checksum-type', 'FULL_OBJECT');
          }
        }
      });
    }
    return next();
  }

  return async function s3Compat(ctx: KoaContext, next: Next): Promise<void> {
    if (ctx.path.startsWith('/__s3rver/')) return control(ctx);
    const segments = ctx.path.split('/');
    const bucket = segments[1] ? decodeURIComponent(segments[1]) : undefined;
    const rawKey = segments.slice(2).join('/');
    const key = rawKey === '' ? undefined : decodeURIComponent(rawKey);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.headers)) {
      if (value === undefined) continue;
      headers[name] =
        name === 'authorization' ? String(value).replace(/Signature=[0-9a-f]+/i, 'Signature=REDACTED') : String(value);
    }
    const entry: RecordedRequest = {
      method: ctx.method,
      port: ctx.request.req.socket.localPort,
      bucket,
      key,
      query: ctx.querystring,
      headers,
    };
    let bodyCheck: AwsChunkedDecoder | Crc32Verifier | undefined;
    log.push(entry);
    if (log.length > MAX_LOG) log.shift();
    try {
      if (bucket !== undefined) {
        const region = regions[bucket] ?? 'us-east-1';
        ctx.set('x-amz-bucket-region', region);
        const signed = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(headers['authorization'] ?? '')?.[1];
        if (signed !== undefined && signed !== region) {
          throw fail(
            301,
            'PermanentRedirect',
            'The bucket you are attempting to access must be addressed using the specified endpoint.',
            { Bucket: bucket },
          );
        }
      }
      const fault = faults.find(
        (f) =>
          f.times > 0 && (f.method === undefined || f.method === ctx.method) && (f.key === undefined || f.key === key),
      );
      if (fault !== undefined) {
        fault.times--;
        throw fail(fault.status, fault.code, `injected ${fault.code}`);
      }
      if (ctx.method === 'PUT' && key !== undefined) bodyCheck = checkBody(ctx, entry);
      await dispatch(ctx, bucket, key, next, entry);
      entry.status = ctx.status;
    } catch (err) {
      // A bad frame or checksum surfaces wherever the store happened to read the body; the
      // decoder remembers it, and it decides the answer (400, like S3).
      const cause = bodyCheck?.errored instanceof BodyIntegrityError ? bodyCheck.errored : err;
      entry.status = cause instanceof BodyIntegrityError ? 400 : ((err as { status?: number }).status ?? 500);
      if (cause instanceof BodyIntegrityError) throw fail(400, cause.code, cause.message);
      throw err;
    }
  };
}

/**
 * Puts a checking stream between the request and s3rver: the aws-chunked decoder (which also
 * strips `aws-chunked` from the stored Content-Encoding), or a CRC32 check of a plain body that
 * announced one. The stream remembers a failure in `errored`.
 */
function checkBody(ctx: KoaContext, entry: RecordedRequest): AwsChunkedDecoder | Crc32Verifier | undefined {
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

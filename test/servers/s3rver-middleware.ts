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
 * `corrupt` (flip a stored byte) to exercise download validation, and `dialect` switches that
 * make conditional requests behave as other S3 servers do (see `s3rver-dialect.ts`).
 *
 * Listing, copies, multipart completion, body checks and the per-key locks are in
 * `s3rver-operations.ts`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { BodyIntegrityError, type AwsChunkedDecoder, type Crc32Verifier } from './aws-chunked.js';
import { ChecksumSidecars, type ChecksumAnswer } from './s3rver-checksums.js';
import {
  checkBody,
  completeMultipart,
  copyObject,
  header,
  keyLocks,
  list,
  lockName,
  uploadDir,
  uploadPartCopy,
  type Compat,
  type Next,
} from './s3rver-operations.js';
import type { S3rverStore } from './s3rver-store.js';
import { AWS_SWITCHES, readSwitches, writeVerdict, type DialectSwitches, type WriteKind } from './s3rver-dialect.js';

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

const MAX_LOG = 5000;

/** Builds the middleware. See the file header for what it changes. */
export function compatMiddleware(options: CompatOptions): (ctx: KoaContext, next: Next) => Promise<void> {
  const { store, S3Error, regions } = options;
  const log: RecordedRequest[] = [];
  let faults: Fault[] = [];
  let switches: DialectSwitches = { ...AWS_SWITCHES };
  const withLocks = keyLocks();
  const checksums = new ChecksumSidecars(store);
  let checksumAnswer: ChecksumAnswer = 'crc32';

  const fail = (status: number, code: string, message: string, detail: Record<string, unknown> = {}): Error => {
    const err = new S3Error(code, message, detail);
    err.status = status;
    return err;
  };

  const currentEtag = async (bucket: string, key: string): Promise<string | undefined> => {
    try {
      return String((await store.getMetadata(bucket, key))['etag']).replace(/"/g, '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };

  /** The write preconditions of PutObject, CompleteMultipartUpload and CopyObject. */
  const checkWrite = async (ctx: KoaContext, bucket: string, key: string, kind: WriteKind): Promise<void> => {
    const verdict = writeVerdict(switches, kind, header(ctx, 'if-none-match'), header(ctx, 'if-match'));
    if ('refuse' in verdict) throw fail(verdict.refuse.status, verdict.refuse.code, verdict.refuse.message);
    if (!verdict.check) return;
    const { ifNoneMatch, ifMatch } = verdict;
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
    if (ifMatch === undefined || (ctx.method === 'DELETE' && switches.deleteIfMatch === 'ignore')) return;
    const etag = await currentEtag(bucket, key);
    if (etag === undefined) throw fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    if (ifMatch.trim() !== '*' && ifMatch.replace(/"/g, '').trim() !== etag) {
      throw fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'If-Match',
      });
    }
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

  const compat: Compat = { store, checksums, fail, withLocks, checkWrite, checkCopySource };

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
    } else if (what === 'checksum-answer' && ctx.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      checksumAnswer = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { answer: ChecksumAnswer }).answer;
      ctx.status = 204;
    } else if (what === 'dialect' && ctx.method === 'POST') {
      switches = await readSwitches(ctx, switches);
      ctx.status = 204;
    } else if (what === 'dialect' && ctx.method === 'DELETE') {
      switches = { ...AWS_SWITCHES };
      ctx.status = 204;
    } else if (what === 'faults' && ctx.method === 'DELETE') {
      faults = [];
      ctx.status = 204;
    } else {
      ctx.status = 404;
    }
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
      if (ctx.method === 'GET' && q['list-type'] === '2') return list(compat, ctx, bucket);
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
      if (header(ctx, 'x-amz-copy-source') !== undefined) return uploadPartCopy(compat, ctx, bucket);
      if (!(await fs.stat(uploadDir(store, bucket, String(q['uploadId']))).catch(() => undefined)))
        throw fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
      return next();
    }
    if (
      ctx.method === 'PUT' &&
      header(ctx, 'x-amz-copy-source') !== undefined &&
      Object.keys(q).every((name) => name === 'x-id')
    )
      return copyObject(compat, ctx, bucket, key);
    if (ctx.method === 'PUT' && Object.keys(q).every((name) => name === 'x-id')) {
      return withLocks([lock], async () => {
        await checkWrite(ctx, bucket, key, 'put');
        await next();
        if (ctx.status === 200) {
          await checksums.set(
            bucket,
            key,
            header(ctx, 'x-amz-checksum-crc32') ?? entry.trailers?.['x-amz-checksum-crc32'],
          );
          // Only while asked for (an extra read of every upload otherwise).
          if (checksumAnswer !== 'crc32') await checksums.recordOthers(bucket, key);
        }
      });
    }
    if (ctx.method === 'POST' && 'uploadId' in q) return completeMultipart(compat, ctx, bucket, key, next);
    if (ctx.method === 'DELETE' && 'uploadId' in q) {
      const dir = uploadDir(store, bucket, String(q['uploadId']));
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
          const answer = await checksums.answer(bucket, key, checksumAnswer);
          if (answer !== undefined) {
            ctx.set(answer[0], answer[1]);
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

import type { Readable } from 'node:stream';
import { StateStoreError } from '../../errors.js';
import { NO_CONDITION } from '../../vfs/driver.js';
import { collect } from '../common/bytes.js';
import { sameEtag } from '../common/etag.js';
import { etagForServer, honours, writeConditions } from './dialect.js';
import { collectedBytes } from './direct/commands.js';
import { readWhole } from './lazy-sdk.js';
import { s3ErrorCode, s3Status } from './errors.js';
import { bodyIsValidated, isBareError, type GetOutput } from './objects.js';
import {
  type UploadResult,
  uploadMultipart,
  copyMultipart,
  encodeCopySourceKey,
  MAX_SINGLE_COPY,
  type CopySource,
  type MultipartContext,
} from './multipart.js';

/** What a server-side copy produced. */
export interface Copied {
  etag: string;
  /** The service's time for CopyObject; the client's clock for a multipart copy (S3 gives none). */
  lastModified: Date;
}

/** How {@link copyInto} copies. */
export interface CopyPlan {
  /** The ACL and SSE headers of the destination (see write-settings.ts). */
  fields: Record<string, string>;
  /** Above this size, the copy goes part by part (CopyObject takes at most 5 GiB). */
  threshold: number;
  partSize: number;
  /**
   * Whether CopyObject is pinned to `from.etag` (`x-amz-copy-source-if-match`). A multipart copy
   * always is: its parts must all come from one version.
   */
  pinned: boolean;
  /**
   * `best-effort`: a create-only copy stays inside the server where neither CopyObject nor
   * CompleteMultipartUpload honours `If-None-Match` (Ceph RGW 16.2), without the condition
   * (DriverCopyOptions.ifNoneMatchInService). Absent or `enforce`: way 3 below.
   */
  ifNoneMatchInService?: 'enforce' | 'best-effort';
}

/**
 * Copies `from` (any bucket of the same endpoint) to the multipart context's object, with the
 * destination's condition, by the first way the server's dialect lets carry it:
 * 1. one CopyObject (up to the threshold), where CopyObject honours the condition;
 * 2. UploadPartCopy parts completed with the condition, where CompleteMultipartUpload honours it;
 * 3. the source's bytes read (pinned to its ETag) and written with a conditional PutObject
 *    (buffered up to one part, streamed above; at most 5 GiB, PutObject's limit).
 * With `plan.ifNoneMatchInService: 'best-effort'`, a create-only copy that neither 1 nor 2 can
 * condition is 1 or 2 without the condition instead of 3: inside the server, one CopyObject for
 * a small object. A source of unknown size or version is asked for them (HeadObject) when 2 or 3
 * needs them.
 */
export function copyInto(
  ctx: MultipartContext,
  from: Omit<CopySource, 'size' | 'etag'> & { size?: number; etag?: string },
  plan: CopyPlan,
): Promise<Copied> {
  // Not async: one CopyObject (a move's every small file) is that request's promise, no frame around it.
  const small = from.size === undefined || from.size <= plan.threshold;
  if (small && honours(ctx.dialect, 'copy', ctx.condition)) return copyObject(ctx, from, plan);
  const complete = honours(ctx.dialect, 'complete', ctx.condition);
  const unconditioned = !complete && dropsCondition(ctx, plan) ? { ...ctx, condition: NO_CONDITION } : undefined;
  if (small && unconditioned !== undefined) return copyObject(unconditioned, from, plan);
  return copyLarge(ctx, from, plan, complete, unconditioned);
}

/** Ways 2 and 3 of {@link copyInto}. */
async function copyLarge(
  ctx: MultipartContext,
  from: Omit<CopySource, 'size' | 'etag'> & { size?: number; etag?: string },
  plan: CopyPlan,
  complete: boolean,
  unconditioned: MultipartContext | undefined,
): Promise<Copied> {
  const source = await known(ctx, from);
  if (complete || unconditioned !== undefined)
    return { etag: await copyMultipart(unconditioned ?? ctx, source, plan.partSize), lastModified: new Date() };
  return putFromSource(ctx, source, plan);
}

/** True when the caller lets a create-only copy go without its condition where the server ignores it. */
function dropsCondition(ctx: MultipartContext, plan: CopyPlan): boolean {
  return plan.ifNoneMatchInService === 'best-effort' && ctx.condition.kind === 'absent';
}

function copyObject(
  ctx: MultipartContext,
  from: Omit<CopySource, 'size' | 'etag'> & { etag?: string },
  plan: CopyPlan,
): Promise<Copied> {
  let command: object;
  try {
    command = new ctx.sdk.CopyObjectCommand({
      Bucket: ctx.bucket,
      Key: ctx.objectKey,
      CopySource: `${from.bucket}/${encodeCopySourceKey(from.key)}`,
      ...(plan.pinned && from.etag !== undefined ? { CopySourceIfMatch: etagForServer(ctx.dialect, from.etag) } : {}),
      ...plan.fields,
      ...writeConditions(ctx.dialect, ctx.condition, 'copy'),
    });
  } catch (err) {
    return Promise.reject(err);
  }
  return ctx.send<{ CopyObjectResult?: { ETag?: string; LastModified?: Date } }>(command, true).then((output) => ({
    etag: output.CopyObjectResult?.ETag ?? '',
    lastModified: output.CopyObjectResult?.LastModified ?? new Date(),
  }));
}

/** The source with its size and ETag, asked when the caller did not know them. */
async function known(
  ctx: MultipartContext,
  from: Omit<CopySource, 'size' | 'etag'> & { size?: number; etag?: string },
): Promise<CopySource> {
  if (from.size !== undefined && from.etag !== undefined) return { ...from, size: from.size, etag: from.etag };
  const head = await ctx.send<{ ContentLength?: number; ETag?: string }>(
    new ctx.sdk.HeadObjectCommand({ Bucket: from.bucket, Key: from.key }),
  );
  return { bucket: from.bucket, key: from.key, size: head.ContentLength ?? 0, etag: head.ETag ?? '' };
}

/**
 * Way 3 of {@link copyInto}: GetObject pinned to the source's ETag (checked on the answer too, for
 * servers that ignore If-Match on reads), then PutObject with the condition.
 */
export async function putFromSource(ctx: MultipartContext, source: CopySource, plan: CopyPlan): Promise<Copied> {
  if (source.size > MAX_SINGLE_COPY)
    throw new StateStoreError(
      'Unsupported',
      `s3: a conditional copy of ${source.size} bytes needs CopyObject or CompleteMultipartUpload to honour the condition (this server ignores it there; see options.s3.dialect), and one PutObject takes at most 5 GiB`,
      { backend: 's3' },
    );
  // A streamed body is cut when the server refuses early, and the SDK then reports the cut rather
  // than the 412: a condition already failing is found first (the PutObject still decides a race).
  if (source.size > plan.partSize) await precheck(ctx);
  const changed = (cause?: unknown) =>
    new StateStoreError('Conflict', `s3: copy: the source ${JSON.stringify(source.key)} changed while it was copied`, {
      backend: 's3',
      cause,
    });
  const got = await ctx
    .send<GetOutput>(
      readWhole(
        new ctx.sdk.GetObjectCommand({
          Bucket: source.bucket,
          Key: source.key,
          IfMatch: etagForServer(ctx.dialect, source.etag),
        }),
      ),
    )
    .catch((err: unknown) => {
      const cause = (err as { cause?: unknown }).cause ?? err;
      throw s3Status(cause) === 412 || s3ErrorCode(cause) === 'PreconditionFailed' ? changed(err) : err;
    });
  if (got.ETag !== undefined && !sameEtag(got.ETag, source.etag)) {
    got.Body?.destroy();
    throw changed();
  }
  const body = source.size <= plan.partSize ? await sourceBytes(got, source) : got.Body;
  const contentType = got.ContentType ?? (ctx.createFields['ContentType'] as string | undefined);
  const output = await ctx.send<{ ETag?: string }>(
    new ctx.sdk.PutObjectCommand({
      Bucket: ctx.bucket,
      Key: ctx.objectKey,
      Body: body ?? Buffer.alloc(0),
      ContentLength: source.size,
      ...(contentType === undefined ? {} : { ContentType: contentType }),
      ...plan.fields,
      ...writeConditions(ctx.dialect, ctx.condition, 'put'),
    }),
    true,
  );
  return { etag: output.ETag ?? '', lastModified: new Date() };
}

/** Refuses, as the conditional PutObject would, a condition the destination already fails. */
async function precheck(ctx: MultipartContext): Promise<void> {
  const { condition } = ctx;
  if (condition.kind === 'none') return;
  const head = await ctx
    .send<{ ETag?: string }>(new ctx.sdk.HeadObjectCommand({ Bucket: ctx.bucket, Key: ctx.objectKey }))
    .catch((err: unknown) => {
      if (s3Status((err as { cause?: unknown }).cause ?? err) === 404) return undefined;
      throw err;
    });
  const where = `s3: write ${JSON.stringify(ctx.objectKey)} in bucket ${JSON.stringify(ctx.bucket)}`;
  if (condition.kind === 'absent' && head !== undefined)
    throw new StateStoreError('AlreadyExists', `${where}: the object exists`, { backend: 's3' });
  if (condition.kind === 'version' && !sameEtag(head?.ETag, condition.version))
    throw new StateStoreError('PreconditionFailed', `${where}: the object is not at the expected version`, {
      backend: 's3',
    });
}

/**
 * The source's body, read whole. A body that fails its checksum (the SDK's bare Error, which the
 * direct path raises too: objects.ts isBareError) is IntegrityError, and nothing is written.
 */
async function sourceBytes(got: GetOutput, source: CopySource): Promise<Buffer> {
  const collected = collectedBytes(got);
  if (collected !== undefined) return collected;
  return bytesOf(got.Body).catch((err: unknown) => {
    if (!bodyIsValidated(got) || !isBareError(err)) throw err;
    throw new StateStoreError(
      'IntegrityError',
      `s3: copy: the source ${JSON.stringify(source.key)} did not match its checksum (${source.bucket})`,
      { backend: 's3', cause: err },
    );
  });
}

async function bytesOf(body: Readable | undefined): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0);
  return collect(body);
}

/**
 * A conditional stream for a server whose CompleteMultipartUpload ignores the condition: the
 * parts are uploaded to `stage` (a scratch key, unconditionally), then copied to `target` with
 * {@link putFromSource} (a conditional PutObject), and the scratch key deleted (best effort).
 */
export async function uploadStaged(
  stage: MultipartContext,
  target: MultipartContext,
  body: { first: Buffer; rest: AsyncIterator<Buffer> },
  plan: CopyPlan,
): Promise<UploadResult> {
  const staged = await uploadMultipart(stage, body.first, body.rest);
  try {
    const source = { bucket: stage.bucket, key: stage.objectKey, size: staged.size, etag: staged.etag };
    const written = await putFromSource(target, source, plan);
    return { ...staged, etag: written.etag };
  } finally {
    await stage
      .send(new stage.sdk.DeleteObjectCommand({ Bucket: stage.bucket, Key: stage.objectKey }))
      .catch(() => undefined);
  }
}

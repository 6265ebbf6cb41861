import { copyMultipart, encodeCopySourceKey, type CopySource, type MultipartContext } from './multipart.js';

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
}

/**
 * Copies `from` (any bucket of the same endpoint) to the multipart context's object, with the
 * destination's conditions: one CopyObject up to the threshold, UploadPartCopy above it. A
 * source of unknown size (`size` undefined) is copied with CopyObject.
 */
export async function copyInto(
  ctx: MultipartContext,
  from: Omit<CopySource, 'size' | 'etag'> & { size?: number; etag?: string },
  plan: CopyPlan,
): Promise<Copied> {
  if (from.size !== undefined && from.etag !== undefined && from.size > plan.threshold) {
    const source = { bucket: from.bucket, key: from.key, size: from.size, etag: from.etag };
    return { etag: await copyMultipart(ctx, source, plan.partSize), lastModified: new Date() };
  }
  const output = await ctx.send<{ CopyObjectResult?: { ETag?: string; LastModified?: Date } }>(
    new ctx.sdk.CopyObjectCommand({
      Bucket: ctx.bucket,
      Key: ctx.objectKey,
      CopySource: `${from.bucket}/${encodeCopySourceKey(from.key)}`,
      ...(plan.pinned && from.etag !== undefined ? { CopySourceIfMatch: from.etag } : {}),
      ...plan.fields,
      ...ctx.conditions,
    }),
    true,
  );
  return {
    etag: output.CopyObjectResult?.ETag ?? '',
    lastModified: output.CopyObjectResult?.LastModified ?? new Date(),
  };
}

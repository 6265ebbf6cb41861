import type { Readable } from 'node:stream';
import { StateStoreError } from '../../errors.js';
import type { Condition } from '../../vfs/driver.js';
import type { ListOptions, ListPage, ObjectInfo } from '../../vfs/types.js';
import { sameEtag, unquotedEtag } from '../common/etag.js';

/**
 * How S3's answers become ObjectInfo and a Condition becomes request fields: the S3 driver's
 * plumbing around its SDK calls, kept out of the driver so that it holds only the calls.
 */

/** The metadata fields S3 returns for one object (GetObject, HeadObject). */
export interface HeadFields {
  ETag?: string;
  ContentLength?: number;
  LastModified?: Date;
  ContentType?: string;
  ServerSideEncryption?: string;
}

/** The checksum fields of a GetObject answer (present when checksum mode is enabled). */
export interface ChecksumFields {
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
}

/** A GetObject answer. */
export type GetOutput = HeadFields & ChecksumFields & { Body?: Readable };

/** A ListObjectsV2 answer. */
export interface ListOutput {
  Contents?: Array<{ Key?: string; Size?: number; ETag?: string; LastModified?: Date }>;
  CommonPrefixes?: Array<{ Prefix?: string }>;
  IsTruncated?: boolean;
  NextContinuationToken?: string;
  EncodingType?: string;
}

/**
 * A single-part ETag is the content's MD5, except under SSE-KMS (and SSE-C), where it is not.
 * `kms` is whether the object is known to be SSE-KMS encrypted.
 */
export function md5OfEtag(etag: string, kms: boolean): string | undefined {
  const hex = unquotedEtag(etag);
  return !kms && /^[0-9a-f]{32}$/.test(hex) ? hex : undefined;
}

/** The ObjectInfo of a GetObject or HeadObject answer; `kms` as the store last saw it. */
export function objectInfo(key: string, head: HeadFields, kms: boolean): ObjectInfo {
  const etag = head.ETag ?? '';
  const sse = head.ServerSideEncryption;
  const md5 = md5OfEtag(etag, sse === undefined ? kms : sse.startsWith('aws:kms'));
  return {
    key,
    size: head.ContentLength ?? 0,
    version: etag,
    ...(md5 === undefined ? {} : { md5 }),
    lastModified: head.LastModified ?? new Date(0),
    ...(head.ContentType === undefined ? {} : { contentType: head.ContentType }),
  };
}

/**
 * True when the SDK validates this answer's body against a whole-object checksum: it does for
 * the checksums S3 returns in checksum mode, and skips composite (multipart, `...-N`) ones.
 */
export function bodyIsValidated(output: ChecksumFields): boolean {
  return [
    output.ChecksumCRC32,
    output.ChecksumCRC32C,
    output.ChecksumCRC64NVME,
    output.ChecksumSHA1,
    output.ChecksumSHA256,
  ].some((value) => value !== undefined && !/-\d+$/.test(value));
}

/**
 * True for the failure the SDK's checksum stream raises when the body's checksum did not match:
 * a bare Error, with no `code` (which every Node network error has), no `$metadata` (which every
 * SDK request error has) and no `cause`. The SDK gives it no name of its own, so these missing
 * fields, on a body the SDK validates, are how it is told apart without reading its message.
 */
export function isBareError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const shape = err as { name?: unknown; code?: unknown; $metadata?: unknown; cause?: unknown };
  return (
    shape.name === 'Error' && shape.code === undefined && shape.$metadata === undefined && shape.cause === undefined
  );
}

/** The ListObjectsV2 input of one page of `options` under `root`. */
export function listInput(bucket: string, root: string, options: ListOptions) {
  return {
    Bucket: bucket,
    Prefix: root + (options.prefix ?? ''),
    ...(options.delimiter === undefined ? {} : { Delimiter: options.delimiter }),
    MaxKeys: Math.min(options.pageSize ?? 1000, 1000),
    ...(options.pageToken === undefined ? {} : { ContinuationToken: options.pageToken }),
    // Keys are URL-encoded in the XML, so any character (even ones XML 1.0 cannot carry) survives.
    EncodingType: 'url' as const,
  };
}

/** One listing page from a ListObjectsV2 answer, keys made relative to `root`. */
export function listPageFrom(output: ListOutput, root: string, kms: boolean): ListPage {
  // Keys are URL-encoded in the XML (EncodingType=url), so any character survives.
  const decode = (value: string) =>
    output.EncodingType === 'url' ? decodeURIComponent(value.replace(/\+/g, ' ')) : value;
  const objects = (output.Contents ?? []).map((entry) => {
    const etag = entry.ETag ?? '';
    const md5 = md5OfEtag(etag, kms);
    return {
      key: decode(entry.Key ?? '').slice(root.length),
      size: entry.Size ?? 0,
      version: etag,
      ...(md5 === undefined ? {} : { md5 }),
      lastModified: entry.LastModified ?? new Date(0),
    };
  });
  const prefixes = (output.CommonPrefixes ?? []).map((entry) => decode(entry.Prefix ?? '').slice(root.length));
  const next = output.IsTruncated === true ? output.NextContinuationToken : undefined;
  return { objects, prefixes, ...(next ? { nextPageToken: next } : {}) };
}

/**
 * S3 already refused a mismatch with 412; this guards against services that ignore If-Match on
 * reads. Versions compare with or without their quotes.
 */
export function checkVersion(info: ObjectInfo, condition: Condition, op: string, bucket: string): void {
  if (condition.kind !== 'version') return;
  const expected = condition.version;
  if (sameEtag(expected, info.version)) return;
  throw new StateStoreError(
    'PreconditionFailed',
    `s3: ${op} key ${JSON.stringify(info.key)} in bucket ${JSON.stringify(bucket)}: the object is not at the expected version`,
    { key: info.key, backend: 's3' },
  );
}

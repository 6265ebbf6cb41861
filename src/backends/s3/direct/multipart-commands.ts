import type { DirectRequest, DirectResponse } from './request.js';
import { element } from './xml.js';

// The multipart requests of the direct path (commands.ts translate): a small upload, as the S3
// dialect probe makes on every store that probes (dialect-probe.ts), sent without loading the
// SDK; each one's input into a request, and its answer into the fields the driver reads.

/** Where a request goes: its bucket, key and the headers of its input's fields. */
export interface RequestTarget {
  bucket: string;
  key: string | undefined;
  headers: Record<string, string>;
}

/** One translated request and how its answer becomes the SDK's output; undefined: the SDK sends it. */
export type MultipartTranslation =
  { request: DirectRequest; output: (response: DirectResponse) => unknown } | undefined;

/** CreateMultipartUpload (`POST ?uploads`), without a checksum algorithm (commands.ts): its UploadId. */
export function createUpload({ bucket, key, headers }: RequestTarget): MultipartTranslation {
  return {
    request: { method: 'POST', bucket, key, query: { uploads: '' }, headers },
    output: (r) => optional('UploadId', element(r.body.toString('utf8'), 'UploadId')),
  };
}

/** UploadPart (`PUT ?partNumber&uploadId`) of a buffered body: its ETag, and its CRC32 when sent. */
export function uploadPart(
  { bucket, key, headers }: RequestTarget,
  input: Record<string, unknown>,
  body: Buffer,
): MultipartTranslation {
  const { UploadId: uploadId, PartNumber: number } = input;
  if (typeof uploadId !== 'string' || typeof number !== 'number') return undefined;
  return {
    request: { method: 'PUT', bucket, key, query: { partNumber: String(number), uploadId }, headers, body },
    output: (r) => ({
      ...optional('ETag', r.headers['etag']),
      ...optional('ChecksumCRC32', r.headers['x-amz-checksum-crc32']),
    }),
  };
}

/**
 * CompleteMultipartUpload (`POST ?uploadId`) of parts named by number and ETag only (a part with a
 * checksum goes through the SDK): its ETag. S3 may fail after its 200 (an error document).
 */
export function completeUpload(
  { bucket, key, headers }: RequestTarget,
  input: Record<string, unknown>,
): MultipartTranslation {
  const uploadId = input['UploadId'];
  const parts = (input['MultipartUpload'] as { Parts?: unknown } | undefined)?.Parts;
  if (typeof uploadId !== 'string' || !Array.isArray(parts)) return undefined;
  let xml = '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
  for (const part of parts as Array<Record<string, unknown>>) {
    const { PartNumber: number, ETag: etag } = part;
    if (Object.keys(part).some((field) => field !== 'PartNumber' && field !== 'ETag')) return undefined;
    if (typeof number !== 'number' || typeof etag !== 'string') return undefined;
    xml += `<Part><ETag>${escapeXml(etag)}</ETag><PartNumber>${number}</PartNumber></Part>`;
  }
  xml += '</CompleteMultipartUpload>';
  return {
    request: {
      method: 'POST',
      bucket,
      key,
      query: { uploadId },
      headers: { ...headers, 'content-type': 'application/xml' },
      body: Buffer.from(xml),
      errorIn200: true,
    },
    output: (r) => optional('ETag', element(r.body.toString('utf8'), 'ETag')),
  };
}

/** AbortMultipartUpload (`DELETE ?uploadId`). */
export function abortUpload(
  { bucket, key, headers }: RequestTarget,
  input: Record<string, unknown>,
): MultipartTranslation {
  const uploadId = input['UploadId'];
  if (typeof uploadId !== 'string') return undefined;
  return { request: { method: 'DELETE', bucket, key, query: { uploadId }, headers }, output: () => ({}) };
}

function optional(field: string, value: unknown): Record<string, string> {
  return typeof value === 'string' ? { [field]: value } : {};
}

/** Text as XML element content (an ETag's quotes kept, as the SDK's XML builder keeps them). */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

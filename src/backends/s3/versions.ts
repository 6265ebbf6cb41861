/**
 * The bucket's object versioning (S3 `versionId`): an object's versions, newest first, one
 * version's bytes, and deleting one version (undoing a write that lost a race:
 * store/versioned-write.ts). kops writes with unconditional PUTs, so where versioning is on every
 * kops write is a version here too (docs/history.md, "The provider's object versions").
 */
import { Readable } from 'node:stream';
import type { VfsDriver } from '../../vfs/driver.js';
import type { ObjectVersion, ReadResult } from '../../vfs/types.js';
import { readAll } from '../common/read-all.js';
import { objectInfo, type GetOutput } from './objects.js';
import type { S3Requests } from './requests.js';

/** Where the driver's objects are: its bucket and key prefix. */
interface VersionedLocation {
  requests: S3Requests;
  bucket: string;
  root: string;
}

/** The driver contract's object-version calls for an S3 store (added to the driver by index.ts). */
export function objectVersions(
  requests: S3Requests,
  location: { bucket: string; prefix: string },
): Required<Pick<VfsDriver, 'listObjectVersions' | 'readObjectVersion' | 'deleteObjectVersion'>> {
  const where = { requests, bucket: location.bucket, root: location.prefix === '' ? '' : `${location.prefix}/` };
  return {
    listObjectVersions: (key, options) => listObjectVersions(where, key, options.signal),
    readObjectVersion: (key, versionId, options) =>
      readObjectVersion(where, key, versionId, requests.kms, options.signal),
    deleteObjectVersion: async (key, versionId, options) => {
      // DeleteObject with a VersionId removes that version for good (no delete marker).
      const input = { Bucket: where.bucket, Key: where.root + key, VersionId: versionId };
      await requests.send(new requests.sdk.DeleteObjectCommand(input), options.signal);
    },
  };
}

interface VersionFields {
  Key?: string;
  VersionId?: string;
  IsLatest?: boolean;
  LastModified?: Date;
  ETag?: string;
  Size?: number;
}

interface ListVersionsOutput {
  Versions?: VersionFields[];
  DeleteMarkers?: VersionFields[];
  IsTruncated?: boolean;
  NextKeyMarker?: string;
  NextVersionIdMarker?: string;
}

/** Pages a listing of versions can take before the key is passed (one key: a handful at most). */
const MAX_PAGES = 100;

/** ListObjectVersions for one key, every page: its versions and delete markers, newest first. */
async function listObjectVersions(
  where: VersionedLocation,
  key: string,
  signal?: AbortSignal,
): Promise<ObjectVersion[]> {
  const fullKey = where.root + key;
  const versions: ObjectVersion[] = [];
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await where.requests.send<ListVersionsOutput>(
      new where.requests.sdk.ListObjectVersionsCommand({ Bucket: where.bucket, Prefix: fullKey, ...markers }),
      signal,
    );
    const own = (item: VersionFields) => item.Key === fullKey;
    for (const item of (output.Versions ?? []).filter(own)) versions.push(versionOf(item, false));
    for (const item of (output.DeleteMarkers ?? []).filter(own)) versions.push(versionOf(item, true));
    // The prefix also matches longer keys (config-old): past ours, nothing more is ours.
    if (output.IsTruncated !== true || (output.NextKeyMarker ?? '') > fullKey) break;
    markers = { KeyMarker: output.NextKeyMarker, VersionIdMarker: output.NextVersionIdMarker };
  }
  return versions.sort(
    (a, b) => Number(b.isLatest) - Number(a.isLatest) || b.lastModified.getTime() - a.lastModified.getTime(),
  );
}

function versionOf(item: VersionFields, deleted: boolean): ObjectVersion {
  return {
    versionId: item.VersionId ?? 'null',
    ...(deleted || item.ETag === undefined ? {} : { version: item.ETag }),
    lastModified: item.LastModified ?? new Date(0),
    size: deleted ? 0 : (item.Size ?? 0),
    isLatest: item.IsLatest === true,
    deleted,
  };
}

/** GetObject of one version, whole. */
async function readObjectVersion(
  where: VersionedLocation,
  key: string,
  versionId: string,
  kms: boolean,
  signal?: AbortSignal,
): Promise<ReadResult> {
  const output = await where.requests.send<GetOutput>(
    new where.requests.sdk.GetObjectCommand({ Bucket: where.bucket, Key: where.root + key, VersionId: versionId }),
    signal,
  );
  return readAll(Promise.resolve({ body: output.Body ?? Readable.from([]), info: objectInfo(key, output, kms) }));
}

import { StateStoreError } from '../../errors.js';

/** A provider's limit on the full name of an object (store prefix included). */
export interface NameLimit {
  /** The backend, for the error (`s3`, `gcs`, `azure`). */
  backend: string;
  /** What the provider calls it, for the message: "S3 object keys". */
  what: string;
  max: number;
  /** S3 and GCS count UTF-8 bytes; Azure counts characters (UTF-16 code units here: never fewer). */
  unit: 'bytes' | 'characters';
}

/** S3's (and Ceph RGW's) limit: 1,024 UTF-8 bytes. */
export const S3_KEY_LIMIT: NameLimit = { backend: 's3', what: 'S3 object keys', max: 1024, unit: 'bytes' };
/** Cloud Storage's limit: 1,024 UTF-8 bytes (https://cloud.google.com/storage/docs/objects#naming). */
export const GCS_NAME_LIMIT: NameLimit = {
  backend: 'gcs',
  what: 'Cloud Storage object names',
  max: 1024,
  unit: 'bytes',
};
/** Azure's limit: 1,024 characters (https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata). */
export const AZURE_NAME_LIMIT: NameLimit = {
  backend: 'azure',
  what: 'Azure blob names',
  max: 1024,
  unit: 'characters',
};

/**
 * The object name of a store key (`root` is the store's prefix with its `/`, or `''`). The portable
 * layer checks keys without the prefix (src/vfs/keys.ts); the prefix can push a name past the
 * provider's limit, refused here with InvalidArgument naming it, before any request (the service
 * would answer 400).
 */
export function prefixedName(root: string, key: string, limit: NameLimit): string {
  const full = root + key;
  const size = limit.unit === 'bytes' ? Buffer.byteLength(full, 'utf8') : full.length;
  if (size <= limit.max) return full;
  const shown = key.length > 80 ? `${key.slice(0, 80)}...` : key;
  throw new StateStoreError(
    'InvalidArgument',
    `${limit.backend}: key ${JSON.stringify(shown)} is ${size} ${limit.unit} with the store's prefix ${JSON.stringify(root)}; ${limit.what} are limited to ${limit.max} ${limit.unit}`,
    { key, backend: limit.backend },
  );
}

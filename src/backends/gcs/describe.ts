import type { Bucket } from '@google-cloud/storage';
import type { StoreFacts } from '../../vfs/types.js';

/** The bucket resource fields read here. */
interface BucketMeta {
  versioning?: { enabled?: boolean };
  encryption?: { defaultKmsKeyName?: string };
}

/**
 * The GCS driver's `describeStore`: the bucket's object versioning and default encryption, from
 * its metadata (`storage.buckets.get`). GCS always encrypts: `google-managed` keys unless the
 * bucket names a Cloud KMS key (`cloud-kms <key name>`). A refusal (no `storage.buckets.get`
 * permission) leaves both out.
 */
export async function describeBucket(bucket: Bucket): Promise<StoreFacts> {
  const meta = await bucket.getMetadata().then(
    ([metadata]) => metadata as BucketMeta,
    () => undefined,
  );
  if (meta === undefined) return {};
  const kms = meta.encryption?.defaultKmsKeyName;
  return {
    versioning: meta.versioning?.enabled === true ? 'enabled' : 'off',
    defaultEncryption: kms === undefined || kms === '' ? 'google-managed' : `cloud-kms ${kms}`,
  };
}

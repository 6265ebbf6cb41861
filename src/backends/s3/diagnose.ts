import type { StoreFacts } from '../../vfs/types.js';
import { formatS3Dialect, type S3Dialect } from './dialect.js';
import type { S3Requests } from './requests.js';
import type { S3Location } from './url.js';

/** What GetBucketVersioning answers (the SDK's output, the fields read here). */
interface VersioningOutput {
  Status?: string;
}

/** What GetBucketEncryption answers (the SDK's output, the fields read here). */
interface EncryptionOutput {
  ServerSideEncryptionConfiguration?: {
    Rules?: Array<{ ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }>;
  };
}

/**
 * The S3 driver's `describeStore`: the bucket's versioning (GetBucketVersioning: `Enabled`,
 * `Suspended`, or no status for a bucket never versioned) and default encryption
 * (GetBucketEncryption: the first rule's algorithm; `ServerSideEncryptionConfigurationNotFoundError`
 * means none). Any other refusal (no permission, a server without the API) leaves the field out.
 * The dialect the store sends conditions in needs no request: it was settled at open.
 */
export async function describeBucket(
  requests: S3Requests,
  location: S3Location,
  dialect: S3Dialect,
  signal?: AbortSignal,
): Promise<StoreFacts> {
  const bucket = location.bucket;
  const facts: StoreFacts = {
    s3Dialect: { name: formatS3Dialect(dialect), probed: location.dialect === 'probe', setBy: location.dialectSetBy },
  };
  const versioning = await requests
    .send<VersioningOutput>(new requests.sdk.GetBucketVersioningCommand({ Bucket: bucket }), signal)
    .catch(() => undefined);
  if (versioning !== undefined) {
    const status = versioning.Status;
    facts.versioning = status === 'Enabled' ? 'enabled' : status === 'Suspended' ? 'suspended' : 'off';
  }
  const encryption = await requests
    .send<EncryptionOutput>(new requests.sdk.GetBucketEncryptionCommand({ Bucket: bucket }), signal)
    .catch((err: unknown) =>
      (err as { name?: unknown }).name === 'ServerSideEncryptionConfigurationNotFoundError' ? null : undefined,
    );
  if (encryption === null) facts.defaultEncryption = 'none';
  else if (encryption !== undefined) {
    const rule = encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    facts.defaultEncryption = rule?.SSEAlgorithm ?? 'none';
  }
  return facts;
}

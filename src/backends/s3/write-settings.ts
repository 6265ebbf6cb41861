/**
 * The headers every S3 write carries (PutObject, CreateMultipartUpload, CopyObject), decided as
 * kops decides them in `util/pkg/vfs/s3fs.go` and `s3context.go`; explicit store options win.
 *
 * - ACL: `options.s3.acl`, else `KOPS_STATE_S3_ACL` (trimmed; s3fs.go `getRequestACL`), else none.
 * - Server-side encryption: `options.s3.serverSideEncryption`, else kops's default. kops builds
 *   `s3://` paths with `sse: true` and `do://`, `scw://`, `hos://`, `linode://` with `sse: false`
 *   (`util/pkg/vfs/context.go`, `buildS3Path` and the provider builders). With `sse`, kops asks the
 *   bucket once (`GetBucketEncryption`, `hasServerSideEncryptionByDefault`): a rule with
 *   `ApplyServerSideEncryptionByDefault` means "send nothing, the bucket encrypts"; anything else,
 *   an error included, means `AES256` (s3fs.go `getServerSideEncryption`). No environment
 *   variable turns this off in kops; `serverSideEncryption: "none"` does here.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { StateStoreError } from '../../errors.js';
import type { OpenVfsOptions } from '../options.js';
import type { S3Sdk } from './types.js';
import type { S3CannedAcl } from './types.js';

/** S3's canned ACLs for objects (`types.ObjectCannedACL` of the SDK kops uses). */
export const S3_CANNED_ACLS: readonly S3CannedAcl[] = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
];

/** What a store was asked to send, before the bucket is asked anything. */
export interface WritePolicy {
  /** The ACL and where it came from (for messages); undefined sends none. */
  acl: { value: string; from: 'options.s3.acl' | 'KOPS_STATE_S3_ACL' } | undefined;
  /** `ask-bucket`: kops's default for `s3://` (AES256 unless the bucket encrypts by default). */
  sse: 'ask-bucket' | 'none' | 'AES256' | 'aws:kms';
  kmsKeyId: string | undefined;
}

/** The fields added to every write command, and whether its ETags are MD5s. */
export interface WriteFields {
  fields: Record<string, string>;
  /** Objects written are SSE-KMS encrypted (explicitly or by the bucket): ETags are not MD5s. */
  kms: boolean;
}

/** Reads the policy from the options and kops's environment. Never does I/O. */
export function writePolicy(scheme: string, options: OpenVfsOptions): WritePolicy {
  const s3 = options.s3 ?? {};
  const envAcl = (options.env ?? process.env)['KOPS_STATE_S3_ACL']?.trim();
  const acl =
    s3.acl !== undefined
      ? { value: s3.acl, from: 'options.s3.acl' as const }
      : envAcl !== undefined && envAcl !== ''
        ? { value: envAcl, from: 'KOPS_STATE_S3_ACL' as const }
        : undefined;
  const sse = s3.serverSideEncryption ?? (scheme === 's3' ? 'ask-bucket' : 'none');
  return { acl, sse, kmsKeyId: s3.kmsKeyId };
}

/**
 * Refuses an ACL S3 does not know before anything is sent. kops passes `KOPS_STATE_S3_ACL` on
 * unchecked and S3 then refuses the write; checking here gives the same outcome (nothing written)
 * with a message that names the variable, and leaves reads alone.
 */
export function checkAcl(policy: WritePolicy): void {
  const acl = policy.acl;
  if (acl !== undefined && !(S3_CANNED_ACLS as readonly string[]).includes(acl.value)) {
    throw new StateStoreError(
      'InvalidArgument',
      `s3: ${acl.from}=${JSON.stringify(acl.value)} is not an S3 canned ACL (one of ${S3_CANNED_ACLS.join(', ')})`,
      { backend: 's3' },
    );
  }
}

/** The bucket's default encryption, as kops reads it: `undefined` when there is none or it cannot be read. */
export interface BucketDefault {
  algorithm: string | undefined;
}

/**
 * Asks the bucket for its default encryption with one request and no retry (kops makes "only one
 * attempt ... even if there's an error"). Any failure means "no default", hence AES256, as in kops.
 */
export async function askBucketDefault(
  sdk: S3Sdk,
  probe: S3Client,
  bucket: string,
): Promise<BucketDefault | undefined> {
  try {
    const output = await probe.send(new sdk.GetBucketEncryptionCommand({ Bucket: bucket }));
    const rule = output.ServerSideEncryptionConfiguration?.Rules?.find(
      (candidate) => candidate.ApplyServerSideEncryptionByDefault !== undefined,
    );
    return rule === undefined ? undefined : { algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm };
  } catch {
    return undefined;
  }
}

/**
 * Asks the bucket on a one-shot client (closed after, unless `owned` is false: a caller's own
 * client is asked as it is and left open), then gives the fields for `policy`.
 */
export async function fieldsFromBucket(
  policy: WritePolicy,
  makeProbe: () => S3Client,
  sdk: S3Sdk,
  bucket: string,
  owned = true,
): Promise<WriteFields> {
  const probe = makeProbe();
  try {
    return fieldsFor(policy, await askBucketDefault(sdk, probe, bucket));
  } finally {
    if (owned) probe.destroy();
  }
}

/** The fields for a policy once the bucket's default (for `ask-bucket`) is known. */
export function fieldsFor(policy: WritePolicy, bucketDefault: BucketDefault | undefined): WriteFields {
  const fields: Record<string, string> = {};
  let kms = false;
  if (policy.sse === 'ask-bucket') {
    if (bucketDefault === undefined) fields['ServerSideEncryption'] = 'AES256';
    else kms = (bucketDefault.algorithm ?? '').startsWith('aws:kms');
  } else if (policy.sse !== 'none') {
    fields['ServerSideEncryption'] = policy.sse;
    kms = policy.sse === 'aws:kms';
    if (policy.kmsKeyId !== undefined) fields['SSEKMSKeyId'] = policy.kmsKeyId;
  }
  if (policy.acl !== undefined) fields['ACL'] = policy.acl.value;
  return { fields, kms };
}

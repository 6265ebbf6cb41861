/** Options of the S3 backend (`s3://`, and `do://`, `scw://`, `hos://`, `linode://`). */

import type { S3Dialect } from './dialect.js';

export type { S3Dialect } from './dialect.js';

/** Static S3 credentials. Never printed. */
export interface S3Credentials {
  /** The access key id (`AWS_ACCESS_KEY_ID`). */
  accessKeyId: string;
  /** Its secret (`AWS_SECRET_ACCESS_KEY`). Never logged nor put in an error message. */
  secretAccessKey: string;
  /** The session token of temporary credentials (`AWS_SESSION_TOKEN`). */
  sessionToken?: string;
}

/**
 * An `S3Client` of `@aws-sdk/client-s3`, typed by the little statestore calls so that this
 * package's types do not need the SDK installed. Pass the SDK's own client; it is used as given.
 */
export interface S3ClientLike {
  /** The SDK client's `send`. */
  send(...args: never[]): Promise<unknown>;
  /** The SDK client's `destroy`; statestore never calls it on a client it did not create. */
  destroy(): void;
}

/** S3 canned ACLs, applied to every object the store writes. */
export type S3CannedAcl =
  | 'private'
  | 'public-read'
  | 'public-read-write'
  | 'authenticated-read'
  | 'aws-exec-read'
  | 'bucket-owner-read'
  | 'bucket-owner-full-control';

/**
 * Per-store options of the S3 backend, under `openVfs(url, { s3: { ... } })`. Anything given
 * here wins over kops's environment variables (`S3_ENDPOINT`, `S3_REGION`, `S3_ACCESS_KEY_ID`,
 * `S3_SECRET_ACCESS_KEY`, `KOPS_STATE_S3_ACL`, read from `options.env ?? process.env`), which are
 * only defaults.
 * Two stores opened with different options are fully independent, in one process.
 */
export interface S3BackendOptions {
  /**
   * Your own `S3Client` (custom middleware, a proxy agent, an existing credential setup, tracing),
   * used as given: its region, endpoint, credentials and retry strategy apply, and `close()` does
   * not destroy it. Exclusive with `credentials`, `endpoint`, `region`, `forcePathStyle`,
   * `connectTimeoutMs` and `requestTimeoutMs` (InvalidArgument naming both); kops's S3
   * environment variables are not read. Only stores opened with the very same client copy
   * between each other server-side.
   */
  client?: S3ClientLike;
  /**
   * The bucket's region. Without it (and without `S3_REGION`), an `s3://` store asks the bucket
   * (HeadBucket's `x-amz-bucket-region`) on first use and remembers the answer per bucket.
   */
  region?: string;
  /**
   * An S3-compatible endpoint, e.g. `https://nyc3.digitaloceanspaces.com` (a missing scheme means
   * https). `do://`, `scw://`, `hos://` and `linode://` derive it from the region when absent.
   */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`). Default: true with an endpoint, like kops. */
  forcePathStyle?: boolean;
  /**
   * Static credentials or a function returning them (called when they are needed and on expiry).
   * Default: `S3_ACCESS_KEY_ID`/`S3_SECRET_ACCESS_KEY` when both are set, else the AWS SDK's
   * default provider chain (environment, shared config, SSO, web identity, instance metadata).
   */
  credentials?: S3Credentials | (() => Promise<S3Credentials>);
  /**
   * Server-side encryption of every object the store writes (PutObject, multipart uploads,
   * copies). Default, as kops (`util/pkg/vfs/s3fs.go`): an `s3://` store asks its bucket once
   * (GetBucketEncryption, on the first write) and sends `AES256` unless the bucket has a default
   * encryption rule (then nothing, and the bucket encrypts); `do://`, `scw://`, `hos://` and
   * `linode://` send nothing. `"none"` sends no header (services that refuse it).
   */
  serverSideEncryption?: 'AES256' | 'aws:kms' | 'none';
  /** KMS key id or ARN; only with `serverSideEncryption: "aws:kms"` (default: the account's S3 key). */
  kmsKeyId?: string;
  /**
   * Canned ACL for every object the store writes. Default: `KOPS_STATE_S3_ACL` (trimmed), as kops
   * (`util/pkg/vfs/s3fs.go`), else none. kops passes that variable on unchecked; statestore refuses a
   * value that is not a canned ACL at the first write, with InvalidArgument naming it.
   */
  acl?: S3CannedAcl;
  /**
   * The SDK's flexible checksums: `when_supported` (default; CRC32 on uploads, validated on
   * downloads) or `when_required` (only where S3 demands one; for S3-compatible services
   * that reject checksum headers or aws-chunked trailers).
   */
  checksum?: 'when_supported' | 'when_required';
  /** Multipart part size for `writeStream`, in bytes. Default 8 MiB, at least 5 MiB. */
  partSize?: number;
  /** Objects larger than this are copied with UploadPartCopy. Default and maximum 5 GiB. */
  multipartCopyThreshold?: number;
  /**
   * Which conditional headers the server honours (see `S3Dialect`). `'auto'` (default; also from
   * `STATESTORE_S3_DIALECT`): `'aws'` on AWS's own endpoints (no endpoint, or an `amazonaws.com`
   * one), `'probe'` wherever an endpoint is set or the scheme is an S3-compatible one (`do://`,
   * `scw://`, `hos://`, `linode://`). `'probe'`: ask the server on the store's first conditional
   * write, copy or delete (or `Vfs.loadCapabilities`), never for reads, once per endpoint and
   * bucket in this process (about 15 requests on scratch keys under the store's prefix; see
   * `probeS3Dialect`). A dialect's name (`'aws'`, `'rgw'`, `'none'`), a list such as
   * `'if-match=unquoted, put-if-none-match'` (as `probeS3Dialect` prints it), or an `S3Dialect`
   * object: used as given, no probe. Bad values are InvalidArgument at open.
   */
  dialect?: 'auto' | 'aws' | 'probe' | (string & {}) | S3Dialect;
  /** TCP connect timeout in milliseconds. Default 5,000. */
  connectTimeoutMs?: number;
  /** Socket idle timeout of one request in milliseconds. Default 120,000. */
  requestTimeoutMs?: number;
}

/** The SDK module, loaded on first use of an S3 scheme (it is an optional peer dependency). */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

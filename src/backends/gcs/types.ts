import type { RetryPolicy } from '../../vfs/retry.js';

/** Service-account credentials, as in a JSON key file. */
export interface GcsCredentials {
  /** The service account's e-mail, as in its JSON key file. */
  client_email: string;
  /** The service account's private key (PEM), as in its JSON key file. Never logged. */
  private_key: string;
}

/**
 * A `Storage` of `@google-cloud/storage`, typed by the little statestore calls so that this
 * package's types do not need the SDK installed. Pass the SDK's own client; it is used as given.
 */
export interface GcsStorageLike {
  /** The SDK's `Storage.bucket`. */
  bucket(name: string): unknown;
}

/** Options of the `gs://` backend (section `gcs` of `OpenVfsOptions`). */
export interface GcsBackendOptions {
  /**
   * Your own `Storage` (a custom `apiEndpoint`, agent or interceptors, an existing credential
   * setup), used as given; statestore keeps no resources of it to release. Exclusive with
   * `projectId`, `credentials`, `keyFilename` and `apiEndpoint` (InvalidArgument naming both).
   * Its own `retryOptions` apply on top of statestore's retries: build it with
   * `retryOptions: { autoRetry: false }` to have statestore's policy alone.
   */
  storage?: GcsStorageLike;
  /** Google Cloud project; default from the environment (Application Default Credentials). */
  projectId?: string;
  /** Explicit service-account credentials. Never logged or put in an error message. */
  credentials?: GcsCredentials;
  /** Path of a service-account JSON key file. */
  keyFilename?: string;
  /** JSON API endpoint, e.g. an emulator's `http://127.0.0.1:9199`. */
  apiEndpoint?: string;
  /** Cloud KMS key (CMEK) for new objects: `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
  kmsKeyName?: string;
  /** Bodies up to this many bytes go in one request; larger streams use a resumable upload. Default 8 MiB. */
  resumableThreshold?: number;
  /**
   * Milliseconds a request may wait for its answer, and a download for its next bytes, before it
   * counts as a cut connection (Unavailable, retried). A streamed (resumable) upload in which
   * nothing moves for this long (the upload stalls, or the body stops coming) fails with
   * Unavailable too. Default 60,000 (the SDK's request timeout).
   */
  timeoutMs?: number;
  /** Retry policy; overrides `OpenVfsOptions.retry` for this backend. */
  retry?: RetryPolicy;
}

export type { RetryPolicy };

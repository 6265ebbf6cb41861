import type { VfsEvents } from '../vfs/events.js';
import type { RetryPolicy } from '../vfs/retry.js';
import type { AzureBackendOptions } from './azure/types.js';
import type { FileBackendOptions } from './file/types.js';
import type { GcsBackendOptions } from './gcs/types.js';
import type { S3BackendOptions } from './s3/types.js';
import type { SwiftBackendOptions } from './swift/types.js';

/** Options of `openVfs` and `openStateStore`; each backend reads its own section. */
export interface OpenVfsOptions {
  /**
   * Hooks called for this store's calls and retries (see docs/integration.md). The same events are
   * published for every store on the `statestore:request` and `statestore:retry` diagnostics channels.
   */
  events?: VfsEvents;
  /** Retry policy for transient failures (Unavailable, RateLimited, Conflict). */
  retry?: RetryPolicy;
  /** Environment to read defaults from (kops's variables). Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Options of the `file://` backend. */
  file?: FileBackendOptions;
  /**
   * Options of the `memfs://` backend. `versioning: true` keeps every version of every object of
   * that named store from then on, as a bucket with object versioning does (`Vfs.listObjectVersions`).
   */
  memory?: {
    /** Keep every version of every object written from now on (default false). */
    versioning?: boolean;
  };
  /** Options of the S3 backend (`s3://`, `do://`, `scw://`, `hos://`, `linode://`). */
  s3?: S3BackendOptions;
  /** Options of the Google Cloud Storage backend (`gs://`). */
  gcs?: GcsBackendOptions;
  /** Options of the Azure Blob backend (`azureblob://`). */
  azure?: AzureBackendOptions;
  /** Options of the OpenStack Swift backend (`swift://`). */
  swift?: SwiftBackendOptions;
}

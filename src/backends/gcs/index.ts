import { StateStoreError } from '../../errors.js';
import { DEFAULT_RETRY } from '../../vfs/retry.js';
import type { BackendFactory } from '../factory.js';
import { loadOptionalPeer } from '../optional-peer.js';
import { GcsDriver } from './driver.js';

export type { GcsBackendOptions, GcsCredentials } from './types.js';

/** GCS bucket names: 3-222 characters of lowercase letters, digits, `-`, `_` and `.`. */
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/**
 * The Google Cloud Storage backend: `gs://bucket/prefix`. `@google-cloud/storage` is an optional
 * peer dependency, loaded on first use. The version is the object generation.
 *
 * @example
 * ```ts
 * const vfs = await openVfs('gs://my-state-store/prod', { gcs: { kmsKeyName: 'projects/p/locations/l/keyRings/r/cryptoKeys/k' } });
 * const { body, info } = await vfs.read('cluster.example.com/config');
 * await vfs.write('cluster.example.com/config', body, { ifMatch: info.version });
 * ```
 */
export const gcsBackend: BackendFactory = {
  schemes: ['gs'],
  async open(url, options) {
    const bucket = url.host;
    if (!BUCKET.test(bucket))
      throw new StateStoreError('InvalidArgument', `invalid GCS bucket name in ${JSON.stringify(url.redacted)}`);
    const prefix = url.path.replace(/^\/+|\/+$/g, '');
    const gcs = options.gcs ?? {};
    const { Storage } = await loadOptionalPeer('@google-cloud/storage', () => import('@google-cloud/storage'), 'gs');
    const storage = new Storage({
      ...(gcs.projectId === undefined ? {} : { projectId: gcs.projectId }),
      ...(gcs.credentials === undefined ? {} : { credentials: gcs.credentials }),
      ...(gcs.keyFilename === undefined ? {} : { keyFilename: gcs.keyFilename }),
      ...(gcs.apiEndpoint === undefined ? {} : { apiEndpoint: gcs.apiEndpoint }),
      // statestore retries itself (withRetry), with the conditions it knows it sent. Nothing is
      // "retryable" to the SDK either: its resumable uploads then fail with the answer's status
      // as `code` (or the network error itself), not a bare "Retry limit exceeded" Error.
      retryOptions: { autoRetry: false, retryableErrorFn: () => false },
    });
    return new GcsDriver(storage, bucket, prefix, gcs, { ...DEFAULT_RETRY, ...options.retry, ...gcs.retry });
  },
};

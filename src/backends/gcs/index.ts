import { StateStoreError } from '../../errors.js';
import { DEFAULT_RETRY } from '../../vfs/retry.js';
import type { BackendFactory } from '../factory.js';
import { loadOptionalPeer } from '../optional-peer.js';
import { GcsDriver } from './driver.js';
import { endpointProxy, proxyName, routeStorageThroughProxy, storeProxies, tokenRequestAgent } from './proxy.js';
import { redactInspection } from '../../vfs/redact.js';

import type { GcsBackendOptions } from './types.js';
import type { Storage } from '@google-cloud/storage';

export type { GcsBackendOptions, GcsCredentials, GcsStorageLike } from './types.js';

/** Options that configure only the SDK client: a caller's own `Storage` already has them. */
const CLIENT_SETTINGS = ['projectId', 'credentials', 'keyFilename', 'apiEndpoint'] as const;

/** GCS bucket names: 3-222 characters of lowercase letters, digits, `-`, `_` and `.`. */
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/**
 * The Google Cloud Storage backend: `gs://bucket/prefix`. `@google-cloud/storage` is an optional
 * peer dependency, loaded on first use. The version is the object generation.
 *
 * @example
 * ```ts
 * import { openVfs } from 'kops-statestore';
 *
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
    const retry = { ...DEFAULT_RETRY, ...options.retry, ...gcs.retry };
    if (gcs.storage !== undefined) return new GcsDriver(ownStorage(gcs), bucket, prefix, gcs, retry);
    const { Storage } = await loadOptionalPeer('@google-cloud/storage', () => import('@google-cloud/storage'), 'gs');
    // The proxies of the store's environment: the SDK would read process.env alone (./proxy.ts).
    const proxies = storeProxies(options.env ?? process.env);
    const storage = new Storage({
      ...(gcs.projectId === undefined ? {} : { projectId: gcs.projectId }),
      ...(gcs.credentials === undefined ? {} : { credentials: gcs.credentials }),
      ...(gcs.keyFilename === undefined ? {} : { keyFilename: gcs.keyFilename }),
      ...(gcs.apiEndpoint === undefined ? {} : { apiEndpoint: gcs.apiEndpoint }),
      // statestore retries itself (withRetry), with the conditions it knows it sent. Nothing is
      // "retryable" to the SDK either: its resumable uploads then fail with the answer's status
      // as `code` (or the network error itself), not a bare "Retry limit exceeded" Error.
      retryOptions: { autoRetry: false, retryableErrorFn: () => false },
      // Token requests (google-auth-library's gaxios) through the same proxies as the rest.
      clientOptions: { transporterOptions: { agent: tokenRequestAgent(proxies) } },
    });
    // The Storage and its auth client keep the service account's private key (#25.5).
    redactInspection(storage.authClient, 'GoogleAuth');
    redactInspection(storage, 'Storage', () => ({ apiEndpoint: storage.apiEndpoint }));
    const proxy = endpointProxy(gcs.apiEndpoint, proxies);
    if (proxy !== undefined) routeStorageThroughProxy(storage, proxy);
    return new GcsDriver(storage, bucket, prefix, gcs, retry, proxy === undefined ? undefined : proxyName(proxy));
  },
};

/** The caller's own `Storage`, once checked: no client setting beside it (it has its own). */
function ownStorage(gcs: GcsBackendOptions): Storage {
  const storage = gcs.storage as { bucket?: unknown } | undefined;
  if (typeof storage?.bucket !== 'function')
    throw new StateStoreError('InvalidArgument', 'gcs.storage must be a Storage of @google-cloud/storage');
  const clash = CLIENT_SETTINGS.find((name) => gcs[name] !== undefined);
  if (clash !== undefined)
    throw new StateStoreError(
      'InvalidArgument',
      `gcs.storage and gcs.${clash} are exclusive: the Storage brings its own ${clash}; configure it there`,
    );
  return storage as unknown as Storage;
}

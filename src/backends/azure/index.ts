import { DEFAULT_RETRY } from '../../vfs/retry.js';
import type { BackendFactory } from '../factory.js';
import { loadOptionalPeer } from '../optional-peer.js';
import { resolveAzureSettings } from './credentials.js';
import { AzureDriver } from './driver.js';
import { resolveAzureUrl } from './url.js';

export type { AzureBackendOptions } from './types.js';

/**
 * The Azure Blob Storage backend: `azureblob://account/container/prefix`, or kops's
 * `azureblob://container/prefix` with `AZURE_STORAGE_ACCOUNT` (see `resolveAzureUrl` for the rule).
 * `@azure/storage-blob` is an optional peer dependency, loaded on first use; `@azure/identity`
 * only when no key, SAS or connection string is configured. The version is the ETag.
 *
 * @example
 * ```ts
 * const vfs = await openVfs('azureblob://myaccount/kops-state/prod', { azure: { accountKey: process.env.KEY } });
 * const { body, info } = await vfs.read('cluster.example.com/config');
 * await vfs.write('cluster.example.com/config', body, { ifMatch: info.version });
 * ```
 */
export const azureBackend: BackendFactory = {
  schemes: ['azureblob'],
  async open(url, options) {
    const azure = options.azure ?? {};
    const settings = resolveAzureSettings(azure, options.env ?? process.env);
    const location = resolveAzureUrl(url, settings.configuredAccount);
    const sdk = await loadOptionalPeer('@azure/storage-blob', () => import('@azure/storage-blob'), 'azureblob');
    // statestore retries itself (withRetry), knowing which condition it sent.
    const pipeline = { retryOptions: { maxTries: 1 } };
    const endpoint = (settings.endpoint ?? `https://${location.account}.blob.core.windows.net`).replace(/\/+$/, '');
    const auth = settings.auth;
    let service;
    if (auth.kind === 'connectionString') {
      service = sdk.BlobServiceClient.fromConnectionString(auth.connectionString, pipeline);
    } else if (auth.kind === 'sharedKey') {
      service = new sdk.BlobServiceClient(
        endpoint,
        new sdk.StorageSharedKeyCredential(location.account, auth.accountKey),
        pipeline,
      );
    } else if (auth.kind === 'sas') {
      service = new sdk.BlobServiceClient(
        `${endpoint}?${auth.sasToken.replace(/^\?/, '')}`,
        new sdk.AnonymousCredential(),
        pipeline,
      );
    } else {
      const identity = await loadOptionalPeer('@azure/identity', () => import('@azure/identity'), 'azureblob');
      service = new sdk.BlobServiceClient(endpoint, new identity.DefaultAzureCredential(), pipeline);
    }
    const canonical = `azureblob://${location.account}/${location.container}${location.prefix === '' ? '' : `/${location.prefix}`}`;
    return new AzureDriver(service.getContainerClient(location.container), canonical, location.prefix, azure, {
      ...DEFAULT_RETRY,
      ...options.retry,
      ...azure.retry,
    });
  },
};

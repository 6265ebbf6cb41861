import type { BlobServiceClient } from '@azure/storage-blob';
import { StateStoreError } from '../../errors.js';
import { DEFAULT_RETRY } from '../../vfs/retry.js';
import type { BackendFactory } from '../factory.js';
import { loadOptionalPeer } from '../optional-peer.js';
import { resolveAzureSettings, type AzureSettings } from './credentials.js';
import { AzureDriver } from './driver.js';
import type { AzureBackendOptions } from './types.js';
import { resolveAzureUrl } from './url.js';
import { redactInspection } from '../../vfs/redact.js';

type AzureSdk = typeof import('@azure/storage-blob');

export type { AzureBackendOptions, AzureServiceClientLike } from './types.js';

/**
 * The Azure Blob Storage backend: `azureblob://account/container/prefix`, or kops's
 * `azureblob://container/prefix` with `AZURE_STORAGE_ACCOUNT` (see `resolveAzureUrl` for the rule).
 * `@azure/storage-blob` is an optional peer dependency, loaded on first use; `@azure/identity`
 * only when no key, SAS or connection string is configured. The version is the ETag.
 *
 * @example
 * ```ts
 * import { openVfs } from 'kops-statestore';
 *
 * const vfs = await openVfs('azureblob://myaccount/kops-state/prod', { azure: { accountKey: process.env.KEY } });
 * const { body, info } = await vfs.read('cluster.example.com/config');
 * await vfs.write('cluster.example.com/config', body, { ifMatch: info.version });
 * ```
 */
export const azureBackend: BackendFactory = {
  schemes: ['azureblob'],
  async open(url, options) {
    const azure = options.azure ?? {};
    const own = azure.serviceClient === undefined ? undefined : ownServiceClient(azure);
    const settings = own === undefined ? resolveAzureSettings(azure, options.env ?? process.env) : undefined;
    // A caller's client names its account: the URL's two forms are told apart by it.
    const location = resolveAzureUrl(url, own === undefined ? settings!.configuredAccount : own.accountName);
    const sdk = await loadOptionalPeer('@azure/storage-blob', () => import('@azure/storage-blob'), 'azureblob');
    const service = own ?? (await serviceClient(sdk, settings!, location.account));
    const canonical = `azureblob://${location.account}/${location.container}${location.prefix === '' ? '' : `/${location.prefix}`}`;
    // Clients keep their credential (account key, connection string, SAS): they print as the URL (#25.5).
    const container = redactInspection(service.getContainerClient(location.container), 'ContainerClient', () => ({
      url: canonical,
    }));
    // Our own client's credential (the key as bytes) and pipeline (which holds it) too; a caller's are theirs.
    if (own === undefined)
      for (const held of [service, service.credential, (service as unknown as { pipeline: object }).pipeline])
        redactInspection(held, held.constructor.name, () => ({ account: location.account }));
    return new AzureDriver(container, canonical, location.prefix, azure, {
      ...DEFAULT_RETRY,
      ...options.retry,
      ...azure.retry,
    });
  },
};

/** Options that configure only the SDK client: a caller's own client already has them. */
const CLIENT_SETTINGS = ['accountKey', 'connectionString', 'sasToken', 'endpoint'] as const;

/** The caller's own `BlobServiceClient`, once checked: no client setting beside it (it has its own). */
function ownServiceClient(azure: AzureBackendOptions): BlobServiceClient {
  const client = azure.serviceClient as { getContainerClient?: unknown; accountName?: unknown } | undefined;
  if (typeof client?.getContainerClient !== 'function' || typeof client.accountName !== 'string')
    throw new StateStoreError(
      'InvalidArgument',
      'azure.serviceClient must be a BlobServiceClient of @azure/storage-blob',
    );
  const clash = CLIENT_SETTINGS.find((name) => azure[name] !== undefined);
  if (clash !== undefined)
    throw new StateStoreError(
      'InvalidArgument',
      `azure.serviceClient and azure.${clash} are exclusive: the client brings its own ${clash}; configure it there`,
    );
  if (azure.accountName !== undefined && azure.accountName !== client.accountName)
    throw new StateStoreError(
      'InvalidArgument',
      `azure.accountName ${JSON.stringify(azure.accountName)} is not the account of azure.serviceClient (${JSON.stringify(client.accountName)})`,
    );
  return client as unknown as BlobServiceClient;
}

/** The store's own client, from the resolved credential (connection string, key, SAS, else DefaultAzureCredential). */
async function serviceClient(sdk: AzureSdk, settings: AzureSettings, account: string): Promise<BlobServiceClient> {
  // statestore retries itself (withRetry), knowing which condition it sent.
  const pipeline = { retryOptions: { maxTries: 1 } };
  const endpoint = (settings.endpoint ?? `https://${account}.blob.core.windows.net`).replace(/\/+$/, '');
  const auth = settings.auth;
  if (auth.kind === 'connectionString')
    return sdk.BlobServiceClient.fromConnectionString(auth.connectionString, pipeline);
  if (auth.kind === 'sharedKey')
    return new sdk.BlobServiceClient(endpoint, new sdk.StorageSharedKeyCredential(account, auth.accountKey), pipeline);
  if (auth.kind === 'sas')
    return new sdk.BlobServiceClient(
      `${endpoint}?${auth.sasToken.replace(/^\?/, '')}`,
      new sdk.AnonymousCredential(),
      pipeline,
    );
  const identity = await loadOptionalPeer('@azure/identity', () => import('@azure/identity'), 'azureblob');
  return new sdk.BlobServiceClient(endpoint, new identity.DefaultAzureCredential(), pipeline);
}

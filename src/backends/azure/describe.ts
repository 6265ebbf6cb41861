import type { ContainerClient } from '@azure/storage-blob';
import type { StoreFacts } from '../../vfs/types.js';

/**
 * The Azure driver's `describeStore`: the container's default encryption scope (Azure always
 * encrypts: `microsoft-managed` keys unless the container names a scope). Blob versioning is a
 * setting of the account's management plane, which the data-plane credential cannot read: left
 * out. A refusal leaves everything out.
 */
export async function describeContainer(container: ContainerClient, signal?: AbortSignal): Promise<StoreFacts> {
  const properties = await container
    .getProperties(signal === undefined ? {} : { abortSignal: signal })
    .catch(() => undefined);
  if (properties === undefined) return {};
  const scope = properties.defaultEncryptionScope;
  return { defaultEncryption: scope === undefined || scope === '' ? 'microsoft-managed' : `scope ${scope}` };
}

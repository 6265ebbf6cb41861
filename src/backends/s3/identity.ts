import type { S3Location } from './url.js';

/**
 * Who a store talks to, as a string: two S3 stores may copy server-side only when one client
 * could do both, that is the same endpoint (or AWS itself) and the same static credentials (or
 * both the default chain, or the very same provider function).
 */
export function s3Identity(location: S3Location): string {
  // A caller's client could be any account anywhere: only that very client is the same identity.
  if (location.client !== undefined) return `client-${providerId(location.client)}`;
  const credentials = location.credentials;
  const who =
    credentials === undefined
      ? 'default-chain'
      : typeof credentials === 'function'
        ? `provider-${providerId(credentials)}`
        : credentials.accessKeyId;
  return `${location.endpoint ?? 'aws'}|${who}`;
}

/** Provider functions and callers' clients get stable ids: only the same object counts as the same identity. */
const providerIds = new WeakMap<object, number>();
let nextProviderId = 1;
function providerId(provider: object): number {
  const known = providerIds.get(provider);
  if (known !== undefined) return known;
  const id = nextProviderId++;
  providerIds.set(provider, id);
  return id;
}

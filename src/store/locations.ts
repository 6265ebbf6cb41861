import type { Vfs } from '../vfs/types.js';

/**
 * Where one kind of a cluster's files lives: a Vfs and the folder inside it (ending in `/`).
 * kops lets a cluster keep its keys and secrets outside `{store}/{cluster}/` (`spec.configStore`,
 * the older `spec.keyStore` / `spec.secretStore`), so pki and secrets code works on a location
 * rather than on a cluster name.
 */
export interface StoreLocation {
  vfs: Vfs;
  /** The folder, relative to the Vfs root, ending in `/` (e.g. `prod.example.com/pki/`). */
  prefix: string;
}

/** The default key store of a cluster: `{cluster}/pki/` in the same store (kops's default). */
export function defaultKeyStore(vfs: Vfs, cluster: string): StoreLocation {
  return { vfs, prefix: `${cluster}/pki/` };
}

/** The default secret store of a cluster: `{cluster}/secrets/` in the same store (kops's default). */
export function defaultSecretStore(vfs: Vfs, cluster: string): StoreLocation {
  return { vfs, prefix: `${cluster}/secrets/` };
}

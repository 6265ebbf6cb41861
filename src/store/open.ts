import path from 'node:path';
import { openVfs } from '../backends/registry.js';
import type { OpenVfsOptions } from '../backends/options.js';
import type { Vfs } from '../vfs/types.js';
import type { StateStore } from './state-store.js';
import type { StateStoreOptions } from './store-options.js';

/**
 * Options of {@link openStateStore}: the backend's (credentials, endpoints, retry: see
 * `OpenVfsOptions`) and the store's own (encryption, separate stores: see `StateStoreOptions`).
 * Given an open `Vfs`, the backend options only open the separate key or secret stores a cluster names.
 */
export interface OpenStateStoreOptions extends OpenVfsOptions, StateStoreOptions {}

/** The folder used when neither a URL nor KOPS_STATE_STORE is given: `./.statestore`. */
export const DEFAULT_STORE_FOLDER = '.statestore';

/**
 * Opens a state store: the one way to get a {@link StateStore}. Without a URL, uses
 * `KOPS_STATE_STORE` like kops does, and without that, a local folder `./.statestore` (the
 * embedded default: no cloud account needed to start). Given an open `Vfs`, wraps it (closing the
 * store then closes that `Vfs`). Close the store when done.
 *
 * @example
 * ```ts
 * import { openStateStore } from 'kops-statestore';
 * declare const key: string; // 32 bytes, base64
 *
 * const store = await openStateStore(); // KOPS_STATE_STORE, or ./.statestore
 * const s3 = await openStateStore('s3://state', { s3: { region: 'eu-west-1' } });
 * const sealed = await openStateStore('s3://state', { encryption: key }); // secrets and private keys encrypted
 * ```
 */
export async function openStateStore(
  urlOrVfs?: string | Vfs,
  options: OpenStateStoreOptions = {},
): Promise<StateStore> {
  const storeOptions: StateStoreOptions = {
    ...(options.encryption === undefined ? {} : { encryption: options.encryption }),
    ...(options.allowPlaintext === undefined ? {} : { allowPlaintext: options.allowPlaintext }),
    ...(options.history === undefined ? {} : { history: options.history }),
    // A cluster's separate key or secret store opens with these same backend options (credentials, endpoints, retry).
    openStore: options.openStore ?? ((url) => openVfs(url, options)),
  };
  // The store's code (documents, keys, history, leases, watch, apply: ~190 KB of the bundle) is
  // imported here, on the first open, so that a process that never opens a StateStore (a move, a
  // validation, `statestore --help`) does not compile it (bench/README.md, "Cold start").
  const { VfsStateStore } = await import('./vfs-state-store.js');
  if (typeof urlOrVfs === 'object' && urlOrVfs !== null) return new VfsStateStore(urlOrVfs, storeOptions);
  const env = options.env ?? process.env;
  const url = urlOrVfs ?? env.KOPS_STATE_STORE ?? path.resolve(DEFAULT_STORE_FOLDER);
  return new VfsStateStore(await openVfs(url, options), storeOptions);
}

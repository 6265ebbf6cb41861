import path from 'node:path';
import { openVfs } from '../backends/registry.js';
import type { OpenVfsOptions } from '../backends/options.js';
import type { Vfs } from '../vfs/types.js';
import { StateStore } from './state-store.js';

/** The folder used when neither a URL nor KOPS_STATE_STORE is given: `./.statestore`. */
export const DEFAULT_STORE_FOLDER = '.statestore';

/**
 * Opens a state store. Without a URL, uses `KOPS_STATE_STORE` like kops does, and without that, a
 * local folder `./.statestore` (the embedded default: no cloud account needed to start).
 *
 * @example
 * ```ts
 * const store = await openStateStore();                       // KOPS_STATE_STORE, or ./.statestore
 * const s3 = await openStateStore('s3://state', { s3: { region: 'eu-west-1' } });
 * ```
 */
export async function openStateStore(urlOrVfs?: string | Vfs, options: OpenVfsOptions = {}): Promise<StateStore> {
  if (typeof urlOrVfs === 'object' && urlOrVfs !== null) return new StateStore(urlOrVfs);
  const env = options.env ?? process.env;
  const url = urlOrVfs ?? env.KOPS_STATE_STORE ?? path.resolve(DEFAULT_STORE_FOLDER);
  return new StateStore(await openVfs(url, options));
}

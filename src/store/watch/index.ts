import { StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import type { StoreWatch } from './types.js';

export type { StoreWatch, WatchEvent, WatchOptions } from './types.js';

/** SEAM (being built this session): watching a cluster's documents. */
export function createStoreWatch(vfs: Vfs): StoreWatch {
  return {
    watch: () => {
      throw new StateStoreError('Unsupported', `watch is not built yet (${vfs.url})`);
    },
  };
}

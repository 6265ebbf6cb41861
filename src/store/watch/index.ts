import type { Vfs } from '../../vfs/types.js';
import type { StoreWatch } from './types.js';
import { watchCluster } from './watcher.js';

export type { StoreWatch, WatchChange, WatchEvent, WatchKind, WatchOptions } from './types.js';

/** Watching a cluster's documents of one store by polling its {@link Vfs} (see docs/watch.md). */
export function createStoreWatch(vfs: Vfs): StoreWatch {
  return { watch: (cluster, options) => watchCluster(vfs, cluster, options) };
}

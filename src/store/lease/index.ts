import { StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import type { StoreLeases } from './types.js';

export type { FencedWrite, Lease, LeaseOptions, StoreLeases } from './types.js';
export { assertFenced } from './fence.js';

/** SEAM (being built this session): leases on the clusters of one store. */
export function createStoreLeases(vfs: Vfs): StoreLeases {
  const todo = (): never => {
    throw new StateStoreError('Unsupported', `leases are not built yet (${vfs.url})`);
  };
  return { acquireLease: todo, withLease: todo };
}

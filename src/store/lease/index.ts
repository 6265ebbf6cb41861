import type { Vfs } from '../../vfs/types.js';
import { acquireLease, readLease } from './acquire.js';
import { withLease } from './with-lease.js';
import type { StoreLeases } from './types.js';

export type { FencedWrite, Lease, LeaseInfo, LeaseOptions, StoreLeases, WithLeaseOptions } from './types.js';
export { assertFenced } from './fence.js';
export { isLeaseKey, leaseKey, MAX_TTL_MS, MIN_TTL_MS } from './document.js';
export { DEFAULT_SKEW_MS, DEFAULT_TTL_MS } from './acquire.js';

/** Leases on the clusters of one store (see docs/leases.md). */
export function createStoreLeases(vfs: Vfs): StoreLeases {
  return {
    acquireLease: (cluster, options) => acquireLease(vfs, cluster, options),
    withLease: (cluster, fn, options) => withLease(vfs, cluster, fn, options),
    readLease: (cluster, options) => readLease(vfs, cluster, options),
  };
}

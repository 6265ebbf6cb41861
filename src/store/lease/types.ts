import type { CallOptions } from '../../vfs/types.js';

/** Options of {@link StoreLeases.acquireLease}. */
export interface LeaseOptions extends CallOptions {
  /** How long the lease holds without a renewal, in milliseconds. */
  ttlMs?: number;
  /** Who holds it (shown to those who wait). */
  owner?: string;
}

/** A held lease on a cluster. Placeholder shape: the lease module owns and refines it. */
export interface Lease {
  readonly cluster: string;
  readonly owner: string;
  /** Aborted when the lease is lost (expired without renewal, or taken over). */
  readonly lost: AbortSignal;
  renew(options?: CallOptions): Promise<void>;
  release(options?: CallOptions): Promise<void>;
}

/** Leases: one holder per cluster at a time, built on create-if-absent and compare-and-swap. */
export interface StoreLeases {
  acquireLease(cluster: string, options?: LeaseOptions): Promise<Lease>;
  withLease<T>(
    cluster: string,
    fn: (lease: Lease, signal: AbortSignal) => Promise<T>,
    options?: LeaseOptions,
  ): Promise<T>;
}

/** Options of writes that may be fenced by a lease. */
export interface FencedWrite {
  /** Refuse the write unless this lease is still held when it is made. */
  lease?: Lease;
}

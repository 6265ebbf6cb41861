import type { CallOptions } from '../../vfs/types.js';

/** Options of {@link StoreLeases.acquireLease}. */
export interface LeaseOptions extends CallOptions {
  /**
   * How long the lease holds without a renewal, in milliseconds (default 60000): from 100 to
   * 604800000 (7 days); anything else is InvalidArgument before any I/O. A ttl shorter than one
   * write to the store is InvalidArgument too, and leaves no lease behind.
   */
  ttlMs?: number;
  /** Who holds it, shown to those refused (default `user@host pid N`). */
  owner?: string;
  /** What the holder is doing (`edit`, `set`, a pipeline's step), shown to those refused, as Terraform's lock `Operation`. */
  operation?: string;
  /**
   * When the lease is held by someone else: false (the default) rejects at once with Conflict
   * naming the holder; true looks again with backoff until the lease is free or expired, until
   * `maxWaitMs` has passed (then Conflict naming the holder), or until `signal` aborts.
   */
  wait?: boolean;
  /** With `wait`: how long to wait at most before giving up with Conflict (default: no limit). */
  maxWaitMs?: number;
  /**
   * With `wait`: the longest pause between two looks at a live lease (default ttl/10, 100 to
   * 5000). The pauses start at 50 ms and double (with jitter) up to it.
   */
  pollMs?: number;
  /**
   * Clock-skew tolerance: a lease found in the store counts as expired only once the taker's
   * clock passes its `expiresAt` plus this many milliseconds (default 1000). Set it above the
   * largest clock difference between the machines that share the store.
   */
  skewMs?: number;
}

/** Options of {@link StoreLeases.withLease}. */
export interface WithLeaseOptions extends LeaseOptions {
  /** Milliseconds between two background renewals (default ttl/3). Must be below the ttl. */
  renewEveryMs?: number;
}

/** What a lease document in the store says (see {@link StoreLeases.readLease}). */
export interface LeaseInfo {
  /** The cluster the lease is on. */
  readonly cluster: string;
  /** The lease's id (its token): what `lease release --force ID` must name. */
  readonly id: string;
  /** Who holds (or last held) it. */
  readonly owner: string;
  /** What the holder said it is doing, when it said (documents written before holder info have none). */
  readonly operation?: string;
  /** The holder's machine, when recorded. */
  readonly host?: string;
  /** The holder's process id on that machine, when recorded. */
  readonly pid?: number;
  /** When the holder took it, by the holder's clock. */
  readonly acquiredAt: Date;
  /** When the holder last renewed it, by the holder's clock. */
  readonly renewedAt: Date;
  /** When it expires unless renewed, by the holder's clock. */
  readonly expiresAt: Date;
  /** The lease's duration, in milliseconds. */
  readonly ttlMs: number;
  /**
   * Whether it has expired by this machine's clock (skew margin not included), or cannot be
   * trusted (see `trusted`).
   */
  readonly expired: boolean;
  /**
   * False when its times are implausible (a ttl out of range, an `expiresAt` beyond its ttl plus
   * the default skew from its renewal or from now): such a lease counts as expired, and any taker
   * may take it over (docs/leases.md).
   */
  readonly trusted: boolean;
  /** The document's version in the store. */
  readonly version: string;
}

/** A held lease on a cluster. */
export interface Lease {
  /** The cluster the lease is on. */
  readonly cluster: string;
  /** Who holds it, as written in the lease document. */
  readonly owner: string;
  /** Random, unique to this taking of the lease; renewals keep it. */
  readonly token: string;
  /** The lease's id as shown to others (`LeaseInfo.id`): the same value as `token`. */
  readonly id: string;
  /** When the lease expires unless renewed, by this machine's clock. */
  readonly expiresAt: Date;
  /**
   * Aborted when the lease is lost: expired without renewal (judged by this process's monotonic
   * clock, so a process paused past its ttl sees it as soon as it runs again), or taken over (a
   * renewal found another holder). Its `reason` is a StateStoreError with code PreconditionFailed.
   */
  readonly lost: AbortSignal;
  /** Whether the lease is still held: neither lost nor released. */
  readonly held: boolean;
  /**
   * Throws StateStoreError PreconditionFailed unless the lease is held (no request: checks the
   * local state and the monotonic deadline). Fenced writes call it right before writing.
   */
  assertHeld(): void;
  /**
   * Extends the lease by its ttl, by compare-and-swap on the version this holder last wrote.
   * A failed swap means someone took it over: `lost` aborts and this rejects with PreconditionFailed.
   * Aborted or failed otherwise, it reads the lease back (within 2 s) and, if the renewal landed,
   * keeps it (its version and deadline) before rejecting, so the next renewal swaps against it; a
   * swap refused while the lease still carries this token is made again against the version read.
   */
  renew(options?: CallOptions): Promise<void>;
  /**
   * Gives the lease up (a conditional delete). Idempotent; does nothing once the lease is lost.
   * Aborted or failed, it reads the lease back and removes it if it still carries this token (at
   * the version read, within 2 s, also once `signal` fired); it rejects only if that could not be
   * done, and the lease then expires with its ttl.
   */
  release(options?: CallOptions): Promise<void>;
}

/** Leases: one holder per cluster at a time, built on create-if-absent and compare-and-swap. */
export interface StoreLeases {
  /**
   * Takes the cluster's lease. Rejects with Conflict (naming the holder and the expiry) when
   * someone else holds it and `wait` is not set; Unsupported when the backend cannot enforce
   * create-if-absent and compare-and-swap; InvalidArgument for a bad cluster name or ttl.
   * Aborted by `signal` (or failed) while its write was in flight, it reads the lease back and
   * removes it if that write landed (conditionally, within 2 s) before rejecting, so that no lease
   * held by nobody blocks the cluster for its ttl.
   */
  acquireLease(cluster: string, options?: LeaseOptions): Promise<Lease>;
  /**
   * Runs `fn` holding the cluster's lease: renews it in the background, aborts `fn`'s signal
   * when it is lost (or when `options.signal` aborts), and releases it at the end even if `fn`
   * throws. Rejects with the loss (PreconditionFailed) when the lease was lost while `fn` ran.
   */
  withLease<T>(
    cluster: string,
    fn: (lease: Lease, signal: AbortSignal) => Promise<T>,
    options?: WithLeaseOptions,
  ): Promise<T>;
  /** The cluster's lease document as stored (live or expired), or undefined when there is none. */
  readLease(cluster: string, options?: CallOptions): Promise<LeaseInfo | undefined>;
}

/** Options of writes that may be fenced by a lease. */
export interface FencedWrite {
  /** Refuse the write (PreconditionFailed) unless this lease is still held when it is made. */
  lease?: Lease;
}

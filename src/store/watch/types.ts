import type { ClusterConfig, InstanceGroupConfig } from '../../config/schema/types.generated.js';

/** Which documents of a cluster a watch follows. */
export type WatchKind = 'config' | 'instancegroup';

/** Options of {@link StoreWatch.watch}. Invalid values are refused with InvalidArgument before any I/O. */
export interface WatchOptions {
  /** Ends the watch: the `for await` loop then returns (no error), and no timer or request is left behind. */
  signal?: AbortSignal;
  /**
   * Time between two polls of an idle store, in milliseconds (a positive number). Default 5,000.
   * Each poll costs one request per watched kind: a `stat` of the config, a listing of the groups.
   */
  intervalMs?: number;
  /**
   * Upper bound of the idle backoff, in milliseconds (at least `intervalMs`). Default: `intervalMs`,
   * that is no backoff. When larger, each poll that finds nothing new doubles the wait, up to this
   * bound, and a change resets it to `intervalMs`: a change is then seen within `maxIntervalMs`
   * plus one request, instead of `intervalMs` plus one request.
   */
  maxIntervalMs?: number;
  /**
   * What to watch. Default `['config']` (one `stat` per interval). With `'instancegroup'`, the
   * instance groups too (one listing per interval, whatever their number).
   */
  kinds?: readonly WatchKind[];
  /** Only these instance groups (implies `'instancegroup'` in `kinds`). Default: every group. */
  names?: readonly string[];
  /**
   * The watch throws a retryable error (Unavailable, RateLimited, Conflict, after the backend's own
   * retries) once this many polls in a row failed with one. Default 5. Each failed poll doubles
   * the wait before the next one (`intervalMs` × 2^n), up to 32 times `maxIntervalMs`. A
   * non-retryable error (PermissionDenied, an unparsable document ...) is thrown at once.
   */
  maxFailedPolls?: number;
}

/**
 * How a document changed: `current` is its state when the watch started (the first event of each
 * existing document); `created`, `updated` and `deleted` are changes seen later.
 */
export type WatchChange = 'current' | 'created' | 'updated' | 'deleted';

/** One observed state of one document. */
export interface WatchEvent {
  /** `config` (the cluster's `config` file) or `instancegroup`. */
  readonly kind: WatchKind;
  /** The instance group's name; absent for the config. */
  readonly name?: string;
  /** What happened since the previous event of this document. */
  readonly change: WatchChange;
  /** The key, relative to the store's root (`{cluster}/config`, `{cluster}/instancegroup/{name}`). */
  readonly key: string;
  /** The stored version of `text` (pass it as `ifMatch`); undefined once deleted. */
  readonly version: string | undefined;
  /** The document parsed as kops reads it; undefined once deleted. */
  readonly value: ClusterConfig | InstanceGroupConfig | undefined;
  /** The stored text, byte for byte; undefined once deleted. */
  readonly text: string | undefined;
  /**
   * Unified diff from the previously yielded text of this document to `text`: from nothing
   * (`--- /dev/null`) for a `created` document, to nothing (`+++ /dev/null`) for a `deleted` one,
   * and '' for a `current` event (nothing changed yet).
   */
  readonly diff: string;
}

/** Watching a cluster's documents for changes. */
export interface StoreWatch {
  /**
   * Polls the cluster's config (and, on request, its instance groups) and yields an event each
   * time one changed: first the current state of each document, then every change seen. Bursts
   * between two polls are coalesced (only the newest state is yielded), and no state older than
   * one already yielded is ever yielded. Throws NotFound at the start when the cluster has no
   * config; a config deleted later is a `deleted` event and the watch goes on. See docs/watch.md.
   *
   * @example
   * ```ts
   * import type { StateStore } from 'kops-statestore';
   * declare const store: StateStore;
   *
   * // Watches for a minute: when the signal fires, the loop ends.
   * const signal = AbortSignal.timeout(60_000);
   * for await (const event of store.watch('prod.example.com', { intervalMs: 2000, signal })) {
   *   if (event.change !== 'current') console.log(event.diff);
   * }
   * ```
   */
  watch(cluster: string, options?: WatchOptions): AsyncIterable<WatchEvent>;
}

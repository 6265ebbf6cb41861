import type { ClusterConfig, InstanceGroupConfig } from '../../config/schema/types.generated.js';

/** Options of {@link StoreWatch.watch}. */
export interface WatchOptions {
  /** Ends the watch (the iterable then returns). */
  signal?: AbortSignal;
  /** How often an idle document is checked, in milliseconds. */
  intervalMs?: number;
}

/** One observed change. Placeholder shape: the watch module owns and refines it. */
export interface WatchEvent {
  readonly kind: 'config' | 'instancegroup';
  readonly name?: string;
  readonly version: string | undefined;
  readonly value: ClusterConfig | InstanceGroupConfig | undefined;
  readonly diff: string;
}

/** Watching a cluster's documents for changes. */
export interface StoreWatch {
  watch(cluster: string, options?: WatchOptions): AsyncIterable<WatchEvent>;
}

import type { CallOptions } from '../../vfs/types.js';
import type { WriteResult } from '../results.js';

/**
 * Who and why, recorded with the history entry of a write (see {@link StoreHistory}). Accepted by
 * every write of a cluster's `config` and instance groups.
 */
export interface WriteAnnotation {
  /** Why the change was made, kept in the history entry. */
  reason?: string;
  /** Who made it (a user, a pipeline), kept in the history entry. */
  author?: string;
}

/** One recorded change of a cluster's `config` or of one instance group. Newest first in listings. */
export interface HistoryEntry {
  /** Stable id of the entry, unique within the cluster; pass it (or the entry) to `getVersion` and `rollback`. */
  readonly id: string;
  /** The document's kind: the cluster's `config` or an instance group. */
  readonly kind: 'config' | 'instancegroup';
  /** The instance group's name; undefined for the config. */
  readonly name?: string;
  /** When the write happened (the writer's clock). */
  readonly time: Date;
  /** What the write did to the document. */
  readonly operation: 'create' | 'update' | 'delete' | 'rollback';
  /** The version the write replaced (undefined for a create). */
  readonly replacedVersion?: string;
  readonly reason?: string;
  readonly author?: string;
}

/** Options of {@link StoreHistory.history}. */
export interface HistoryOptions extends CallOptions {
  /** Only entries of this kind. */
  kind?: 'config' | 'instancegroup';
  /** With `kind: 'instancegroup'`: only this group's entries. */
  name?: string;
}

/** Options of {@link StoreHistory.rollback}. */
export interface RollbackOptions extends CallOptions, WriteAnnotation {}

/** What a rollback wrote. */
export interface RollbackResult extends WriteResult {
  /** The history entry the rollback itself recorded. */
  entry: HistoryEntry;
}

/**
 * Every write through the store of a cluster's `config` and instance groups records the document
 * it replaced. Placeholder shape: the history module owns and refines it.
 */
export interface StoreHistory {
  /** The cluster's history, newest first. */
  history(cluster: string, options?: HistoryOptions): AsyncIterable<HistoryEntry>;
  /** The document text an entry recorded. */
  getVersion(cluster: string, entry: HistoryEntry | string, options?: CallOptions): Promise<string>;
  /** A unified diff between two recorded versions. */
  diffVersions(
    cluster: string,
    from: HistoryEntry | string,
    to: HistoryEntry | string,
    options?: CallOptions,
  ): Promise<string>;
  /** Writes an entry's document back (compare-and-swap) and records the rollback itself. */
  rollback(cluster: string, entry: HistoryEntry | string, options?: RollbackOptions): Promise<RollbackResult>;
}

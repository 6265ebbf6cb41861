import type { CallOptions } from '../../vfs/types.js';
import type { StoredDocument } from '../documents.js';
import type { FencedWrite } from '../lease/types.js';

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

/** The kinds of document the history records: the cluster's `config` and its instance groups. */
export type HistoryKind = 'config' | 'instancegroup';

/** What a recorded write did to its document. */
export type HistoryOperation = 'create' | 'update' | 'delete' | 'rollback';

/**
 * One recorded write of a cluster's `config` or of one instance group. Newest first in listings.
 * The entry keeps the document the write replaced (see {@link StoreHistory.getVersion}) and the
 * text it wrote (so its own diff never depends on other entries).
 */
export interface HistoryEntry {
  /**
   * Id of the entry, `{cluster}:config/{stamp}` or `{cluster}:instancegroup/{group}/{stamp}`. Pass
   * it (or the entry) to `getVersion`, `diffVersions` and `rollback`; the part after `:` is accepted too.
   */
  readonly id: string;
  /** The cluster whose document was written. */
  readonly cluster: string;
  /** The document's kind: the cluster's `config` or an instance group. */
  readonly kind: HistoryKind;
  /** The instance group's name; undefined for the config. */
  readonly name?: string;
  /** When the write happened (the writer's clock). */
  readonly time: Date;
  /** What the write did to the document. */
  readonly operation: HistoryOperation;
  /** The version the write replaced (undefined for a create). */
  readonly replacedVersion?: string;
  /** The version the write produced (undefined for a delete). */
  readonly version?: string;
  /** For a rollback: the id of the entry whose version it wrote back. */
  readonly rolledBackTo?: string;
  /** Why, as the writer said (`reason` of the write's options). */
  readonly reason?: string;
  /** Who, as the writer said (`author` of the write's options). */
  readonly author?: string;
}

/** Options of {@link StoreHistory.history}. */
export interface HistoryOptions extends CallOptions {
  /** Only entries of this kind. */
  kind?: HistoryKind;
  /** With `kind: 'instancegroup'` (implied): only this group's entries. */
  name?: string;
  /**
   * Called for a file in the history folder that is not a readable entry (foreign or damaged
   * files); such files are skipped, never fatal. Default: skipped silently.
   */
  onInvalid?: (key: string, error: Error) => void;
}

/** A recorded version of a document: the text a history entry kept, byte for byte, and its parse. */
export interface HistoryVersion extends StoredDocument<unknown> {
  /** The entry that recorded this version (it replaced it). */
  entry: HistoryEntry;
}

/** Options of {@link StoreHistory.rollback}. */
export interface RollbackOptions extends CallOptions, WriteAnnotation, FencedWrite {
  /** Roll back only if the document is still at this version (else PreconditionFailed). */
  ifMatch?: string;
  /** Compute the text and diff only; write nothing. */
  dryRun?: boolean;
  /**
   * Also write the recorded `metadata.generation`, so the text is the recorded one byte for byte.
   * Default false: the generation is set as kops's Update sets it (the stored one + 1 when the spec
   * changes), since kops relies on generations never going back (docs/history.md).
   */
  restoreGeneration?: boolean;
}

/**
 * What a rollback wrote. (It has `WriteResult`'s shape; not declared as extending it, so that this
 * module, which the write paths import, imports none of theirs: no import cycle.)
 */
export interface RollbackResult {
  /** The version now stored (after a dry run: the version read; '' for a group that does not exist). */
  version: string;
  /** The history entry the rollback itself recorded; undefined after a dry run or when recording failed. */
  entry?: HistoryEntry;
  /** Unified diff from the document as it was to the restored text. */
  diff: string;
  /** The text written (the entry's version, with the store-location fields of a moved cluster kept). */
  text: string;
  /**
   * JSON pointers of the fields not written as recorded: the store-location fields of a moved
   * cluster, and `/metadata/generation` (see `restoreGeneration`, docs/history.md).
   */
  keptFields: string[];
}

/** Retention and switches of the history, `StateStoreOptions.history`. */
export interface HistorySettings {
  /** Record writes (default true). False: writes cost nothing extra and nothing is recorded. */
  enabled?: boolean;
  /** Entries kept per document (default 100); older ones are pruned. */
  keep?: number;
  /** Entries older than this (by their recorded time) are pruned. Default: no age limit. */
  maxAgeMs?: number;
  /**
   * Prune on the first write of a store and then every `pruneEvery`-th (default 10): a pruning
   * lists the written document's history folder. 1 prunes at every write.
   */
  pruneEvery?: number;
  /**
   * Called when recording an entry failed after the write itself succeeded (the write is not
   * undone; the entry is missing). Default: `process.emitWarning`.
   */
  onRecordError?: (error: Error) => void;
}

/**
 * Every write through the store of a cluster's `config` and instance groups records the document
 * it replaced, in `{cluster}/backups/statestore/history/` (docs/history.md says why there).
 */
export interface StoreHistory {
  /** The cluster's history, newest first, listed page by page (each entry read as it is reached). */
  history(cluster: string, options?: HistoryOptions): AsyncIterable<HistoryEntry>;
  /**
   * The document as it was before the entry's write (the version the entry replaced). NotFound
   * for an entry that recorded a create (there was no document before it).
   */
  getVersion(cluster: string, entry: HistoryEntry | string, options?: CallOptions): Promise<HistoryVersion>;
  /**
   * A unified diff. Without `to`: the entry's own change (what its write replaced to what it
   * wrote). With an entry: from `from`'s version to `to`'s version (both of one document). With
   * `'current'`: from `from`'s version to the document as stored now.
   */
  diffVersions(
    cluster: string,
    from: HistoryEntry | string,
    to?: HistoryEntry | string,
    options?: CallOptions,
  ): Promise<string>;
  /**
   * Writes the entry's version (see `getVersion`) back as a compare-and-swap against the document
   * read (PreconditionFailed if it changed meanwhile) and records the rollback itself.
   */
  rollback(cluster: string, entry: HistoryEntry | string, options?: RollbackOptions): Promise<RollbackResult>;
}

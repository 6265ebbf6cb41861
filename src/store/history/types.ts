import type { CallOptions } from '../../vfs/types.js';
import type { StoredDocument } from '../documents.js';
import type { FencedWrite } from '../lease/types.js';
import type { ValidatedWrite } from '../skipped-rules.js';

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

/**
 * What a revision did to its document. `external`: a write statestore did not make (kops's own
 * unconditional writes, an editor on the bucket), seen because the stored document was not the
 * version the previous revision wrote (docs/history.md).
 */
export type HistoryOperation = 'create' | 'update' | 'delete' | 'rollback' | 'external';

/**
 * One revision of a cluster's `config` or of one instance group, named by the version it wrote
 * (as helm's and kubectl's revisions are). Newest first in listings. A recorded entry keeps the
 * text it wrote (the revision's content, see {@link StoreHistory.getVersion}) and the text it
 * replaced (so its own diff never depends on other entries); an `external` revision is derived
 * from the stored bytes statestore found (docs/history.md).
 */
export interface HistoryEntry {
  /**
   * Id of the revision: `{cluster}:config/{stamp}` or `{cluster}:instancegroup/{group}/{stamp}`
   * for a recorded entry, `{cluster}:config/external-{hash}` (and likewise for a group) for an
   * external change, the hash being of the version found. Pass it (or the entry) to
   * `getVersion`, `diffVersions` and `rollback`; the part after `:` is accepted too.
   */
  readonly id: string;
  /**
   * The revision's number within its document, helm-style: 1 is the oldest ever recorded, each
   * write adds one, and a number is never reused or renumbered (retention removes the oldest,
   * it does not shift the rest). A number is an id given when the entry is recorded, after its
   * write: listings follow the order of the writes, which two racing writers' numbers need not
   * (docs/history.md, "Numbers and order"). Entries written before numbers were stored are
   * numbered by their position, counted back from the first numbered one.
   */
  readonly revision: number;
  /** The cluster whose document was written. */
  readonly cluster: string;
  /** The document's kind: the cluster's `config` or an instance group. */
  readonly kind: HistoryKind;
  /** The instance group's name; undefined for the config. */
  readonly name?: string;
  /**
   * When the write happened (the writer's clock). For an external change: when statestore first
   * saw it (the next recorded write, or the stored document's modification time for the newest).
   */
  readonly time: Date;
  /** What the write did to the document. */
  readonly operation: HistoryOperation;
  /** The version the write replaced (undefined for a create). */
  readonly replacedVersion?: string;
  /** The version the write produced (undefined for a delete). */
  readonly version?: string;
  /** For a rollback: the id of the revision whose content it wrote back. */
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
   * `'entries'` (the default): statestore's revisions, external changes included. `'versions'`:
   * the provider's own object versions of the config and instance groups where the bucket has
   * versioning (S3 `versionId`), kops's writes included; numbered oldest first, each annotated
   * with the statestore entry that wrote its bytes, if one did; `getVersion` and `rollback` take
   * their ids. Unsupported on a backend that keeps no versions.
   */
  source?: 'entries' | 'versions';
  /**
   * Called for a file in the history folder that is not a readable entry (foreign or damaged
   * files); such files are skipped, never fatal. Default: skipped silently.
   */
  onInvalid?: (key: string, error: Error) => void;
}

/** A revision's content: the text it wrote, byte for byte, and its parse. */
export interface HistoryVersion extends StoredDocument<unknown> {
  /** The revision (the entry that wrote this text). */
  entry: HistoryEntry;
}

/**
 * A revision, as `getVersion`, `diffVersions` and `rollback` take it: the entry, its id, or its
 * number (within the config, or the instance group `instanceGroup` names).
 */
export type RevisionRef = HistoryEntry | string | number;

/** Options naming the document a revision number refers to. */
export interface RevisionOptions extends CallOptions {
  /** A revision number (or no revision, for rollback) is of this instance group; default the config. */
  instanceGroup?: string;
}

/** Options of {@link StoreHistory.rollback}. */
export interface RollbackOptions extends RevisionOptions, WriteAnnotation, FencedWrite {
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
 * module, which the write paths import, imports none of theirs: no import cycle.) As every
 * validated write, it lists kops's rules not run for lack of a cloud fact (`skippedRules`: the
 * etcd rules of a config's update, aws.go's EC2 rules of an AWS group); none for a deletion.
 */
export interface RollbackResult extends ValidatedWrite {
  /** The version now stored (after a dry run, or when nothing changed: the version read; '' for a group that does not exist). */
  version: string;
  /** The revision restored. */
  target: HistoryEntry;
  /**
   * False when the document already held the revision's content: nothing was written or
   * recorded (as `mergeConfig` writes nothing for a change that changes nothing).
   */
  changed: boolean;
  /** The history entry the rollback itself recorded; undefined after a dry run or when recording failed. */
  entry?: HistoryEntry;
  /** Unified diff from the document as it was to the restored text. */
  diff: string;
  /** The text written (the revision's content, with the store-location fields of a moved cluster kept); '' for a delete. */
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
  /**
   * Recorded with every write that passes no `author` / `reason` of its own (the CLI sets the
   * author to the OS user and host, and the reason from `--reason`).
   */
  defaults?: WriteAnnotation;
}

/**
 * Every write through the store of a cluster's `config` and instance groups records a revision,
 * in `{cluster}/backups/statestore/history/` (docs/history.md says why there); writes made by
 * others show as `external` revisions.
 */
export interface StoreHistory {
  /**
   * The cluster's revisions, newest first, one timeline across the config and its instance
   * groups: each document's revisions in the order of their writes (the chain of replaced →
   * written versions; where it says nothing, by number, then time), the documents merged by time.
   */
  history(cluster: string, options?: HistoryOptions): AsyncIterable<HistoryEntry>;
  /**
   * The revision's content: the document as that revision wrote it. NotFound for a revision that
   * deleted its instance group (there is no text).
   */
  getVersion(cluster: string, revision: RevisionRef, options?: RevisionOptions): Promise<HistoryVersion>;
  /**
   * A unified diff. Without `to`: the revision's own change (the content before it to its
   * content). With a revision: from `from`'s content to `to`'s (both of one document). With
   * `'current'`: from `from`'s content to the document as stored now.
   */
  diffVersions(
    cluster: string,
    from: RevisionRef,
    to?: RevisionRef | 'current',
    options?: RevisionOptions,
  ): Promise<string>;
  /**
   * Writes the revision's content back as a new revision (helm's `rollback`, kubectl's
   * `rollout undo`): a compare-and-swap against the document read (PreconditionFailed if it
   * changed meanwhile), recorded as operation `rollback`. Without a revision: the one written
   * before the current one (write order, as `history` lists them). The content is validated first
   * (kind, name, cluster, schema: ValidationError or IntegrityError, nothing written; kops's rules,
   * refusing what the rollback adds, an instance group's with the stored config and a config's
   * with the stored groups, as `putInstanceGroup` and `putConfig` check them); when the
   * document already holds it nothing is written (`changed: false`). A revision that deleted its instance group deletes it again.
   */
  rollback(cluster: string, revision?: RevisionRef, options?: RollbackOptions): Promise<RollbackResult>;
}

import type { CallOptions } from '../../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../../config/schema/types.generated.js';
import type { WriteAnnotation } from '../history/types.js';
import type { FencedWrite } from '../lease/types.js';
import type { ValidatedWrite } from '../skipped-rules.js';

/** A document `apply` takes: a cluster's `Cluster` (exactly one) or one of its `InstanceGroup`s. */
export type ApplyDocument = ClusterConfig | InstanceGroupConfig;

/** Options of `StateStore.apply`. */
export interface ApplyOptions extends CallOptions, WriteAnnotation, FencedWrite {
  /** Delete the cluster's instance groups the documents do not name (never the cluster, its keys or secrets). */
  prune?: boolean;
  /** Plan only: read, validate and compare, write nothing. */
  dryRun?: boolean;
}

/** What `apply` does (or, in a dry run, would do) to one document. */
export type ApplyAction = 'create' | 'update' | 'delete' | 'unchanged';

/** One document of an apply: what happened to it, and the unified diff from the stored document. */
export interface ApplyDocumentResult {
  /** The document's kind. */
  kind: 'Cluster' | 'InstanceGroup';
  /** The cluster's name, or the instance group's. */
  name: string;
  /** What was (or, in a dry run, would be) done to it. */
  action: ApplyAction;
  /** Unified YAML diff from the stored document to the desired one ('' when unchanged). */
  diff: string;
  /** The version written (absent when nothing was written, or in a dry run). */
  version?: string;
}

/** What `StateStore.apply` did. */
export interface ApplyResult extends ValidatedWrite {
  /** The cluster applied (the Cluster document's `metadata.name`). */
  cluster: string;
  /** True when nothing was written because `dryRun` was set. */
  dryRun: boolean;
  /** True when at least one document was (or, in a dry run, would be) created, updated or deleted. */
  changed: boolean;
  /**
   * Every document, in the order they are written: instance groups created or updated (by name),
   * instance groups deleted, then the cluster's `config`; unchanged ones where they would be.
   */
  documents: ApplyDocumentResult[];
}

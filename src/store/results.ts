/**
 * What the `StateStore` write methods resolve to. One rule for all of them: a write resolves
 * to an object, never to a bare string, number or list. A method that writes one file reports that
 * file's new `version` (usable as the next `ifMatch`) next to what it chose or changed (`id`,
 * `fingerprint`, `ids`); a method that removes files reports how many (`deleted`). Removing one
 * named file (`deleteInstanceGroup`, `deleteSecret`) resolves to nothing, as `Vfs.delete` does.
 */
import type { ClusterConfig } from '../config/schema/types.generated.js';
import type { MergeResult } from './merge-document.js';
import type { ValidatedWrite } from './skipped-rules.js';

/** A write of one file: the version now stored, to pass as `ifMatch` to the next write of it. */
export interface WriteResult {
  /** Opaque version of the file as written (an ETag, a generation, a file's mtime and size ...). */
  version: string;
}

/** A write of a cluster's `config` or of an instance group: {@link WriteResult} and {@link ValidatedWrite}. */
export interface DocumentWriteResult extends WriteResult, ValidatedWrite {}

/** What `StateStore.createKeypair` did: the new keypair's id and the keyset file's new version. */
export interface CreateKeypairResult extends WriteResult {
  /** The new keypair's id: a decimal integer, usually its certificate's serial (kops's rule). */
  id: string;
}

/** What `StateStore.promoteKeypair` did. */
export interface PromoteKeypairResult extends WriteResult {
  /** The keypair that is now the primary. */
  id: string;
  /** False when it already was the primary: nothing was written and `version` is the version read. */
  promoted: boolean;
}

/** What `StateStore.distrustKeypairs` and `StateStore.trustKeypairs` did. */
export interface KeypairTrustResult extends WriteResult {
  /** The ids whose trust changed; empty when none did (then nothing was written and `version` is the version read). */
  ids: string[];
}

/** What `StateStore.addSshPublicKey` did. */
export interface AddSshPublicKeyResult extends WriteResult {
  /** The name the key is filed under: kops's MD5 fingerprint, 32 hex digits without colons. */
  fingerprint: string;
}

/** What a method that removes several files did. */
export interface DeleteResult {
  /** How many files were removed. */
  deleted: number;
}

/** What `StateStore.mergeCreateClusterOptions` did: the config's merge and each instance group's. */
export interface MergeCreateClusterOptionsResult {
  /** The merge of the cluster's `config`, as `mergeConfig` reports it. */
  config: MergeResult<ClusterConfig>;
  /** Per instance group name: `created`, `changed` or `unchanged` (after a dry run: what would be). */
  instanceGroups: Record<string, 'created' | 'changed' | 'unchanged'>;
}

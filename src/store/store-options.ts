import type { CallOptions } from '../vfs/types.js';
import type { EncryptionOption } from './encryption/envelope.js';
import type { OpenStore } from './locations.js';
import type { HistorySettings, WriteAnnotation } from './history/types.js';
import type { FencedWrite } from './lease/types.js';
import type { ValidationCloudFacts } from '../config/validate/kops-validation/cloud-facts.js';

/** Options of writes that may be conditional. */
export interface PutOptions extends CallOptions {
  /** Write only if the stored document is still at this version (from `getCluster` and friends). */
  ifMatch?: string;
}

/**
 * Options of the whole-document writes of a cluster's `config` and instance groups (`putConfig`,
 * `putInstanceGroup`, `deleteInstanceGroup`): a condition, a history annotation and a fencing lease.
 */
export interface DocumentPutOptions extends PutOptions, WriteAnnotation, FencedWrite {}

/** Options of `createCluster`. */
export interface CreateClusterWriteOptions extends CallOptions, WriteAnnotation {
  /**
   * What the cloud says of machine types and images (a `CloudFacts`, as given to
   * `clusterFromOptions`, can be passed as it is): kops's aws.go rules asking EC2 then run for
   * what it describes (a machine type without the image's architecture is refused); without it
   * they are skipped, as `validateClusterWithInstanceGroups` does.
   */
  cloudFacts?: ValidationCloudFacts;
}

/** Options of a `StateStore`, given to `openStateStore`. */
export interface StateStoreOptions {
  /**
   * Envelope-encrypts secrets and private keys written through this store (AES-256-GCM, one data
   * key per value): a 32-byte key (raw or base64), several keys for rotation, or a
   * `KeyProvider` (e.g. a cloud KMS). Encrypted values are read back by statestore with the
   * key; kops itself cannot read them (it fails on them rather than misreading them). Plain values
   * written by kops are still read as they are.
   */
  encryption?: EncryptionOption;
  /**
   * With `encryption` set, whether a plain (unencrypted, kops-format) secret or private key is
   * still returned by reads. Default false: in an encrypting store a plain value where an
   * envelope belongs is refused with IntegrityError (someone may have replaced it). Set true
   * while migrating a kops-written store to encryption, then rewrite each value.
   *
   * To migrate: open the store with `encryption` and `allowPlaintext: true`; for each cluster, for
   * each name of `listSecrets`, `putSecret(cluster, name, await getSecret(cluster, name), { overwrite: true })`
   * (and likewise each keyset with `putKeyset`); then reopen without `allowPlaintext`. A value
   * that still reads as IntegrityError was missed or replaced.
   */
  allowPlaintext?: boolean;
  /**
   * Opens a key or secret store that a cluster's config places outside this store
   * (`spec.keyStore`, `spec.secretStore`, `spec.configStore.keypairs` / `.secrets`, as kops
   * allows). Default: `openVfs(url)` with the backend options `openStateStore` was given. Pass a
   * function that throws to refuse such stores (a config could otherwise point reads, writes and
   * `deleteCluster` at any location these credentials reach).
   */
  openStore?: OpenStore;
  /**
   * History of the writes of clusters' `config` and instance groups (docs/history.md): on by
   * default, keeping the last 100 entries per document; `{ enabled: false }` records nothing.
   */
  history?: HistorySettings;
}

/** Options of `putSecret` and `putKeyset`. */
export interface SecretPutOptions extends PutOptions {
  /** Replace an existing value (default: create only, as kops does). */
  overwrite?: boolean;
  /** Set false to write this value in kops's plain format though the store encrypts. */
  encrypt?: boolean;
}

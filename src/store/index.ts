export type { StateStore, DeleteClusterOptions } from './state-store.js';
export type {
  PutOptions,
  DocumentPutOptions,
  CreateClusterWriteOptions,
  StateStoreOptions,
  SecretPutOptions,
} from './store-options.js';
export type {
  HistoryEntry,
  HistoryKind,
  HistoryOperation,
  HistoryOptions,
  HistorySettings,
  HistoryVersion,
  RevisionOptions,
  RevisionRef,
  RollbackOptions,
  RollbackResult,
  StoreHistory,
  WriteAnnotation,
} from './history/index.js';
export type { StoreWatch, WatchChange, WatchEvent, WatchKind, WatchOptions } from './watch/index.js';
export type { FencedWrite, Lease, LeaseInfo, LeaseOptions, StoreLeases, WithLeaseOptions } from './lease/index.js';
export { isLeaseKey, leaseKey, MAX_TTL_MS as MAX_LEASE_TTL_MS, MIN_TTL_MS as MIN_LEASE_TTL_MS } from './lease/index.js';
export {
  exportExclusionOf,
  exportExclusions,
  type ExportExclusion,
  type ExportExclusionReason,
} from './export-exclusions.js';
export type {
  WriteResult,
  DocumentWriteResult,
  CreateKeypairResult,
  PromoteKeypairResult,
  KeypairTrustResult,
  AddSshPublicKeyResult,
  DeleteResult,
  MergeCreateClusterOptionsResult,
} from './results.js';
export { openStateStore, DEFAULT_STORE_FOLDER, type OpenStateStoreOptions } from './open.js';
export { probeStore, type ConditionSupport, type StoreProbe } from './probe.js';
export type { StoredDocument } from './documents.js';
export type { ApplyAction, ApplyDocument, ApplyDocumentResult, ApplyOptions, ApplyResult } from './apply/types.js';
export type { ConfigChange } from './change.js';
export type { MergeConfigOptions, MergeResult } from './merge-document.js';
export type { ValidatedWrite } from './skipped-rules.js';
export type { Keyset, KeysetItem } from './keys/keysets.js';
export { sshFingerprint, type SshPublicKey } from './keys/ssh-keys.js';
export type { CreateKeypairOptions } from './keys/keypairs.js';
export type { StorePkiOperations, RotateKeypairsOptions } from './keys/pki-ops.js';
export {
  DEFAULT_ADMIN_LIFETIME_MS,
  type ApiIngress,
  type ClusterKubeconfig,
  type ExportKubeconfigOptions,
} from './keys/kubeconfig.js';
export { mergeKubeconfig, renderKubeconfig, type KubeconfigFile } from './keys/kubeconfig-merge.js';
export {
  expiringWithin,
  type ExpiringKey,
  type PkiKeyReport,
  type PkiKeysetReport,
  type PkiReport,
  type RotationStage,
} from './keys/pki-report.js';
export type { RotationStep, RotationStepResult } from './keys/rotation.js';
export {
  validateClusterName,
  validateClusterNameForConfig,
  clusterNameIssues,
  validateInstanceGroupName,
  validateKeysetName,
  isRotatableKeysetName,
  validateRotatableKeysetName,
  isDns1123Subdomain,
} from './names.js';
export { localKeyProvider, type KeyProvider, type DataKey, type LocalKeys } from './encryption/key-provider.js';
// The envelope format itself (seal, open, prefix) stays internal: only the option that selects a key is public.
export type { EncryptionOption } from './encryption/envelope.js';
export { validateSecretName } from './secrets.js';
export type { OpenStore } from './locations.js';

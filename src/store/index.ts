export { StateStore, type PutOptions, type StateStoreOptions, type SecretPutOptions } from './state-store.js';
export { openStateStore, DEFAULT_STORE_FOLDER, type OpenStateStoreOptions } from './open.js';
export type { StoredDocument } from './documents.js';
export type { ConfigChange } from './change.js';
export type { MergeOptions, MergeResult } from './merge-document.js';
export type { Keyset, KeysetItem } from './keys/keysets.js';
export { sshFingerprint, type SshPublicKey } from './keys/ssh-keys.js';
export type { CreateKeypairOptions } from './keys/keypairs.js';
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
export {
  sealEnvelope,
  openEnvelope,
  isEnvelope,
  toKeyProvider,
  ENVELOPE_PREFIX,
  type EncryptionOption,
} from './encryption/envelope.js';
export { validateSecretName } from './secrets.js';
export type { StoreLocation, OpenStore, SeparateStoreKind } from './locations.js';

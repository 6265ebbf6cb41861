export { StateStore, type PutOptions } from './state-store.js';
export { openStateStore, DEFAULT_STORE_FOLDER } from './open.js';
export type { StoredDocument } from './documents.js';
export type { ConfigChange } from './change.js';
export type { MergeOptions, MergeResult } from './merge-document.js';
export type { Keyset, KeysetItem, SshPublicKey } from './pki.js';
export { validateClusterName } from './names.js';

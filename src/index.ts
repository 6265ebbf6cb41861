/**
 * statestore: read, merge and move kops state stores from Node.js.
 * @packageDocumentation
 */
export type { ErrorCode, StateStoreErrorOptions, ValidationIssue } from './vfs/errors.js';
export { StateStoreError, isStateStoreError } from './vfs/errors.js';
export { MAX_KEY_BYTES, validateKey, joinKey } from './vfs/keys.js';
export type {
  CallOptions, Capabilities, DeleteOptions, ListAllOptions, ListOptions, ListPage, ObjectInfo,
  ReadOptions, ReadResult, ReadStreamResult, Vfs, VfsDriver, WriteOptions, WriteStreamOptions,
} from './vfs/types.js';
export type { StoreUrl } from './vfs/url.js';
export { parseStoreUrl, redactUrl } from './vfs/url.js';
export type { RetryPolicy } from './vfs/retry.js';
export { withRetry } from './vfs/retry.js';
export type { BackendFactory } from './backends/registry.js';
export { openVfs, registerBackend } from './backends/registry.js';
export type { OpenVfsOptions } from './backends/options.js';
export type { FileBackendOptions } from './backends/file/types.js';

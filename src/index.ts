/**
 * statestore: read, merge and move kops state stores from Node.js.
 * @packageDocumentation
 */

// Errors and the storage layer.
export type { ErrorCode, StateStoreErrorOptions, ValidationIssue } from './vfs/errors.js';
export { StateStoreError, isStateStoreError } from './vfs/errors.js';
export { MAX_KEY_BYTES, validateKey, joinKey } from './vfs/keys.js';
export type {
  CallOptions, Capabilities, CopyFromOptions, DeleteOptions, ListAllOptions, ListOptions, ListPage, ObjectInfo,
  ReadOptions, ReadResult, ReadStreamResult, ServerSideLocation, Vfs, VfsDriver, WriteOptions, WriteStreamOptions,
} from './vfs/types.js';
export type { StoreUrl } from './vfs/url.js';
export { parseStoreUrl, redactUrl } from './vfs/url.js';
export type { RetryPolicy } from './vfs/retry.js';
export { withRetry } from './vfs/retry.js';
export type { BackendFactory } from './backends/registry.js';
export { openVfs, registerBackend } from './backends/registry.js';
export type { OpenVfsOptions } from './backends/options.js';
export type { FileBackendOptions } from './backends/file/types.js';
export type { S3BackendOptions, S3Credentials, S3CannedAcl } from './backends/s3/types.js';
export type { AzureBackendOptions } from './backends/azure/types.js';
export type { GcsBackendOptions, GcsCredentials } from './backends/gcs/types.js';

// Pure configuration functions (no I/O).
export type { ClusterConfig, InstanceGroupConfig, JsonSchema } from './merge/schema/index.js';
export { clusterSchema, instanceGroupSchema, schemaAtPath } from './merge/schema/index.js';
export * from './merge/yaml/index.js';
export {
  validateClusterConfig, validateInstanceGroup, validateClusterWithInstanceGroups, assertValidClusterConfig,
  assertValidInstanceGroup, errorsOnly, type ValidateOptions,
} from './merge/validate/index.js';
export { strategicMerge, DEFAULT_LIST_KEYS, type StrategicMergeOptions, type ListKey } from './merge/strategic.js';
export type { DeepPatch, JsonValue, JsonPrimitive, JsonObject } from './merge/json.js';
export { applyMergePatch } from './merge/merge-patch.js';
export { applyJsonPatch, type JsonPatchOperation } from './merge/json-patch.js';
export { diffConfig, type ConfigDiff } from './merge/diff/index.js';
export { setFields, unsetFields, type FieldOptions } from './merge/paths/index.js';
export { INPUT_LIMITS } from './merge/guard.js';
export {
  clusterFromOptions, mergeOptionsIntoCluster, optionsFromGoFields, type ClusterWithGroups, type CreateClusterOptions,
  type CloudFacts, type SubnetFact,
} from './merge/create-cluster/index.js';

// The state store.
export * from './store/index.js';
export type { MergeOptionsResult } from './store/merge-options.js';

// Moving a state store.
export { moveStateStore, type ClusterMoveResult, type MoveOptions, type MoveProgress, type MoveResult, type StoreRef } from './migrate/index.js';

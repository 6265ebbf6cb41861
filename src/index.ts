/**
 * statestore: read, merge and move kops state stores from Node.js.
 * @packageDocumentation
 * @module kops-statestore
 */

// Errors and the storage layer.
export type { ErrorCode, StateStoreErrorOptions, ValidationIssue } from './errors.js';
export { StateStoreError, isStateStoreError } from './errors.js';
export { MAX_KEY_BYTES, validateKey, joinKey } from './vfs/keys.js';
export type {
  CallOptions,
  Capabilities,
  CopyFromOptions,
  DeleteOptions,
  ListAllOptions,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectVersion,
  ReadOptions,
  WholeReadOptions,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
  StoreFacts,
  Vfs,
  WriteOptions,
  WriteStreamOptions,
} from './vfs/types.js';
export type { StoreUrl } from './vfs/url.js';
export { parseStoreUrl, redactUrl } from './vfs/url.js';
export type { RetryPolicy } from './vfs/retry.js';
export { withRetry } from './vfs/retry.js';
export { REQUEST_CHANNEL, RETRY_CHANNEL } from './vfs/events.js';
export type { VfsCallInfo, VfsEvents, VfsRequestEvent, VfsRequestMessage, VfsRetryEvent } from './vfs/events.js';
// Implementing a backend (VfsDriver, BackendFactory, registerBackend): `kops-statestore/driver` (src/driver.ts).
export { openVfs } from './backends/registry.js';
export type { OpenVfsOptions } from './backends/options.js';
export type { FileBackendOptions } from './backends/file/types.js';
export type { S3BackendOptions, S3ClientLike, S3Credentials, S3CannedAcl, S3Dialect } from './backends/s3/types.js';
export { formatS3Dialect, parseS3Dialect, S3_DIALECTS } from './backends/s3/dialect.js';
export { probeS3Dialect } from './backends/s3/probe.js';
export type { S3DialectProbeResult } from './backends/s3/dialect-probe.js';
export type { AzureBackendOptions, AzureServiceClientLike } from './backends/azure/types.js';
export type { GcsBackendOptions, GcsCredentials, GcsStorageLike } from './backends/gcs/types.js';
export type {
  SwiftAuth,
  SwiftBackendOptions,
  SwiftKeystoneAuth,
  SwiftPreAuth,
  SwiftV1Auth,
} from './backends/swift/types.js';

// Pure configuration functions (no I/O).
export type { ClusterConfig, InstanceGroupConfig, JsonSchema } from './config/schema/index.js';
export { clusterSchema, instanceGroupSchema, schemaAtPath } from './config/schema/index.js';
// YAML. The syntax tree a parse keeps (yaml's Document, for comment-preserving writes) is internal:
// parseYaml and parseYamlDocuments with an opaque result (config/yaml/public-parse.ts).
export { parseYaml, parseYamlDocuments, type YamlDocument } from './config/yaml/public-parse.js';
export { parseYamlAll, stringifyYaml, updateYamlText } from './config/yaml/index.js';
export {
  parseClusterConfig,
  parseClusterDocuments,
  parseInstanceGroupConfig,
  stringifyClusterConfig,
  stringifyClusterDocuments,
  stringifyInstanceGroupConfig,
  type ClusterDocuments,
  goYamlReadsAsNonString,
  DEFAULT_LIMITS,
  type YamlLimits,
  KOPS_API_VERSION,
  LEGACY_API_VERSION,
  V1ALPHA3_API_VERSION,
} from './config/yaml/index.js';
export {
  validateClusterConfig,
  validateInstanceGroup,
  validateClusterWithInstanceGroups,
  validateClusterUpdate,
  validateClusterChange,
  validateInstanceGroupChange,
  assertValidClusterConfig,
  assertValidInstanceGroup,
  errorsOnly,
  type ValidateOptions,
  type ClusterStatusFacts,
  type CloudValidateOptions,
  type ValidationCloudFacts,
  type SkippedRule,
} from './config/validate/index.js';
export {
  strategicMerge,
  DEFAULT_LIST_KEYS,
  type StrategicMergeOptions,
  type ListKey,
} from './config/patch/strategic.js';
export type { DeepPatch, JsonValue, JsonPrimitive, JsonObject } from './config/patch/json.js';
export { applyMergePatch } from './config/patch/merge-patch.js';
export { applyJsonPatch, type JsonPatchOperation } from './config/patch/json-patch.js';
export { diffConfig, DIFF_LIMITS, type ConfigDiff } from './config/diff/index.js';
export { setFields, unsetFields, type FieldOptions } from './config/paths/index.js';
export { INPUT_LIMITS } from './config/guard.js';
export {
  clusterFromOptions,
  mergeOptionsIntoCluster,
  optionsFromGoFields,
  type ClusterWithGroups,
  type CreateClusterOptions,
  type CloudFacts,
  type SubnetFact,
} from './create-cluster/index.js';

// The state store.
export * from './store/index.js';

// Moving a state store.
export {
  moveStateStore,
  type ClusterMoveResult,
  type MoveOptions,
  type MoveProgress,
  type MoveResult,
  type StoreRef,
} from './migrate/index.js';

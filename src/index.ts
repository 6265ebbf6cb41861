/**
 * statestore: read, merge and move kops state stores from Node.js.
 * @packageDocumentation
 */

import {
  parseYaml as parseYamlInternal,
  parseYamlDocuments as parseYamlDocumentsInternal,
} from './config/yaml/parse.js';
import type { YamlLimits } from './config/yaml/options.js';

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
  ReadOptions,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
  Vfs,
  WriteOptions,
  WriteStreamOptions,
} from './vfs/types.js';
export type { StoreUrl } from './vfs/url.js';
export { parseStoreUrl, redactUrl } from './vfs/url.js';
export type { RetryPolicy } from './vfs/retry.js';
export { withRetry } from './vfs/retry.js';
// Implementing a backend (VfsDriver, BackendFactory, registerBackend): `statestore/driver` (src/driver.ts).
export { openVfs } from './backends/registry.js';
export type { OpenVfsOptions } from './backends/options.js';
export type { FileBackendOptions } from './backends/file/types.js';
export type { S3BackendOptions, S3Credentials, S3CannedAcl } from './backends/s3/types.js';
export type { AzureBackendOptions } from './backends/azure/types.js';
export type { GcsBackendOptions, GcsCredentials } from './backends/gcs/types.js';

// Pure configuration functions (no I/O).
export type { ClusterConfig, InstanceGroupConfig, JsonSchema } from './config/schema/index.js';
export { clusterSchema, instanceGroupSchema, schemaAtPath } from './config/schema/index.js';
// YAML. The syntax tree a parse keeps (yaml's Document, for comment-preserving writes) is internal:
// parseYaml and parseYamlDocuments are re-declared below with an opaque result.
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
  assertValidClusterConfig,
  assertValidInstanceGroup,
  errorsOnly,
  type ValidateOptions,
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
export { diffConfig, type ConfigDiff } from './config/diff/index.js';
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

/** One parsed YAML document, as {@link parseYaml} returns it: its plain value (the syntax tree stays internal). */
export interface YamlDocument {
  /** The document's value: plain objects, arrays, strings, numbers, booleans and null, as kops's YAML 1.1 reader reads them. */
  readonly value: unknown;
}

/**
 * Parses YAML text holding exactly one document, safely: a size limit (checked before parsing),
 * an alias-expansion limit, and duplicate keys, merge keys (`<<`), complex keys and `__proto__` /
 * `constructor` / `prototype` keys refused. Scalars read as kops's YAML 1.1 reader reads them
 * (`on` is true, `0755` is 493; timestamps stay strings). Throws StateStoreError InvalidArgument
 * naming the line and column. To write a change back with comments kept, use {@link updateYamlText}.
 *
 * @example
 * ```ts
 * parseYaml('spec:\n  kubernetesVersion: 1.30.0\n').value; // { spec: { kubernetesVersion: '1.30.0' } }
 * parseYaml('a: 1\na: 2\n'); // throws StateStoreError InvalidArgument (duplicate key, line 2)
 * ```
 */
export function parseYaml(text: string, limits?: YamlLimits): YamlDocument {
  return { value: parseYamlInternal(text, limits).value };
}

/** Parses every `---`-separated document of a YAML text (empty ones skipped), with the rules of {@link parseYaml}. */
export function parseYamlDocuments(text: string, limits?: YamlLimits): YamlDocument[] {
  return parseYamlDocumentsInternal(text, limits).map((document) => ({ value: document.value }));
}

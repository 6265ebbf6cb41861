export * from './schema/index.js';
export * from './yaml/index.js';
export * from './validate/index.js';
export { strategicMerge, type StrategicMergeOptions } from './patch/strategic.js';
export type { DeepPatch, JsonValue } from './patch/json.js';
export { applyMergePatch } from './patch/merge-patch.js';
export { applyJsonPatch, type JsonPatchOperation } from './patch/json-patch.js';
export { diffConfig, type ConfigDiff } from './diff/index.js';
export { setFields, unsetFields, type FieldOptions } from './paths/index.js';
export {
  clusterFromOptions,
  mergeOptionsIntoCluster,
  optionsFromGoFields,
  type ClusterWithGroups,
  type CreateClusterOptions,
  type CloudFacts,
  type SubnetFact,
} from '../create-cluster/index.js';

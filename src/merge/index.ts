export * from './schema/index.js';
export * from './yaml/index.js';
export * from './validate/index.js';
export { strategicMerge, type StrategicMergeOptions } from './strategic.js';
export type { DeepPatch, JsonValue } from './json.js';
export { applyMergePatch } from './merge-patch.js';
export { applyJsonPatch, type JsonPatchOperation } from './json-patch.js';
export { diffConfig, type ConfigDiff } from './diff/index.js';
export { setFields, unsetFields, type FieldOptions } from './paths/index.js';

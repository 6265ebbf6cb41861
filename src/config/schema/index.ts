export { clusterSchema, instanceGroupSchema } from './schemas.generated.js';
export type { ClusterConfig, InstanceGroupConfig } from './types.generated.js';
export { schemaAtPath, type JsonSchema } from './json-schema.js';

export {
  assertValidClusterConfig,
  assertValidInstanceGroup,
  validateClusterConfig,
  validateClusterWithInstanceGroups,
  validateInstanceGroup,
  validateClusterUpdate,
  validateClusterChange,
  validateInstanceGroupChange,
  errorsOnly,
  type ValidateOptions,
} from './kops.js';
export type { ClusterStatusFacts } from './kops-validation/cluster.js';
export type { CloudValidateOptions, ValidationCloudFacts } from './kops-validation/cloud-facts.js';
export type { SkippedRule } from './kops-validation/source.js';

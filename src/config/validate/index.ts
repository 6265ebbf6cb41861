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

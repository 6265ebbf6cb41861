export {
  assertValidClusterConfig,
  assertValidInstanceGroup,
  validateClusterConfig,
  validateClusterWithInstanceGroups,
  validateInstanceGroup,
  validateClusterUpdate,
  errorsOnly,
  type ValidateOptions,
} from './kops.js';
export type { ClusterStatusFacts } from './kops-validation/cluster.js';

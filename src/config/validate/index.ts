export {
  assertValidClusterConfig,
  assertValidInstanceGroup,
  validateClusterConfig,
  validateClusterWithInstanceGroups,
  validateInstanceGroup,
  errorsOnly,
  type ValidateOptions,
} from './kops.js';

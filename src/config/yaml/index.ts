export { parseYaml, parseYamlAll, parseYamlDocuments, type ParsedYaml } from './parse.js';
export { stringifyYaml, updateYamlText } from './update.js';
export {
  parseClusterConfig,
  parseClusterDocuments,
  parseInstanceGroupConfig,
  stringifyClusterConfig,
  stringifyClusterDocuments,
  stringifyInstanceGroupConfig,
  type ClusterDocuments,
} from './cluster.js';
export { goYamlReadsAsNonString } from './yaml11.js';
export { DEFAULT_LIMITS, type YamlLimits } from './options.js';
export { KOPS_API_VERSION, LEGACY_API_VERSION, V1ALPHA3_API_VERSION } from './api-version.js';

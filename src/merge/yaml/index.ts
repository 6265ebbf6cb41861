export { parseYaml, parseYamlAll, parseYamlDocuments, type ParsedYaml } from './parse.js';
export { stringifyYaml, updateYamlText } from './update.js';
export {
  parseClusterConfig, parseClusterDocuments, parseInstanceGroupConfig, stringifyClusterConfig, stringifyClusterDocuments,
  stringifyInstanceGroupConfig, type ClusterDocuments,
} from './cluster.js';
export { goYamlReadsAsNonString } from './yaml11.js';
export { DEFAULT_LIMITS, type YamlLimits } from './options.js';

export { parseYaml, parseYamlDocuments, type ParsedYaml } from './parse.js';
export { stringifyYaml, updateYamlText } from './update.js';
export { DEFAULT_LIMITS, type YamlLimits } from './options.js';

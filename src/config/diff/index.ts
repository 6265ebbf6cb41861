export { diffConfig, type ConfigDiff } from './diff-config.js';
export { unifiedDiff } from './unified.js';

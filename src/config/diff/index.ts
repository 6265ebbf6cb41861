export { diffConfig, type ConfigDiff } from './diff-config.js';
export { DIFF_LIMITS, unifiedDiff } from './unified.js';

export { clusterFromOptions, type ClusterWithGroups } from './build.js';
export { mergeOptionsIntoCluster } from './merge-options.js';
export { optionsFromGoFields, type CreateClusterOptions } from './options.js';
export type { CloudFacts, SubnetFact } from './cloud-facts.js';

/**
 * clusterFromOptions as the create-cluster flag tests read it: a base set of options and views of
 * the cluster spec and instance groups it builds (loosely typed, as the tests probe raw fields).
 */
import { clusterFromOptions, type CloudFacts, type CreateClusterOptions } from '../../src/create-cluster/index.js';

/** The smallest AWS options each test extends. */
export const BASE: CreateClusterOptions = {
  clusterName: 'flags.example.com',
  cloud: 'aws',
  zones: ['us-test-1a'],
  networking: 'cni',
  kubernetesVersion: 'v1.32.0',
};

/** OpenStack options with the network CIDR, image and sizes kops cannot find without cloud facts. */
export const OPENSTACK: CreateClusterOptions = {
  ...BASE,
  cloud: 'openstack',
  zones: ['nova'],
  image: 'img',
  networkCIDRs: ['10.0.0.0/16'],
  nodeSizes: ['n1'],
  controlPlaneSizes: ['n1'],
};

/** A built document with its spec as plain fields. */
export type Loose = { spec: Record<string, unknown>; metadata: { name: string } };
const loose = (v: unknown): Loose => v as Loose;

/** The cluster spec the options build. */
export const spec = (o: CreateClusterOptions, facts?: CloudFacts): Record<string, unknown> =>
  loose(clusterFromOptions(o, facts).cluster).spec;

/** Every instance group the options build. */
export const groups = (o: CreateClusterOptions, facts?: CloudFacts): Loose[] =>
  clusterFromOptions(o, facts).instanceGroups.map(loose);

/** The spec of the instance group called `name`; a missing group fails the test. */
export const group = (o: CreateClusterOptions, name: string, facts?: CloudFacts): Loose['spec'] => {
  const g = groups(o, facts).find((x) => x.metadata.name === name);
  if (!g) throw new Error(`no group ${name}`);
  return g.spec;
};

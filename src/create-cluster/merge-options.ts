import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/index.js';
import { StateStoreError } from '../errors.js';
import type { ClusterWithGroups } from './build.js';
import { parseCloudLabels } from './cloud-labels.js';
import { applyGroupFlags } from './group-flags.js';
import type { CreateClusterOptions } from './options.js';
import { applySetsAndUnsets, disableKubeProxyWhenReplaced } from './sets.js';
import { dnsType, featureGateSpecs, networkingSpec } from './spec-parts.js';
import { gceRegion } from './zones.js';

type Obj = Record<string, unknown>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

function specOf(value: unknown): Obj {
  const o = value as { spec?: Obj };
  o.spec ??= {};
  return o.spec;
}

function nameOf(o: Obj): unknown {
  return (o.metadata as Obj | undefined)?.name;
}

function checkSameCluster(cluster: Obj, spec: Obj, options: Partial<CreateClusterOptions>): void {
  const currentName = nameOf(cluster);
  if (
    options.clusterName !== undefined &&
    options.clusterName !== '' &&
    currentName !== undefined &&
    options.clusterName !== currentName
  ) {
    throw new StateStoreError(
      'InvalidArgument',
      `options are for cluster ${JSON.stringify(options.clusterName)}, not ${JSON.stringify(currentName)}`,
    );
  }
  if (options.cloud !== undefined && spec.cloudProvider !== undefined && options.cloud !== spec.cloudProvider) {
    throw new StateStoreError(
      'InvalidArgument',
      `cannot move a cluster from cloud ${JSON.stringify(spec.cloudProvider)} to ${JSON.stringify(options.cloud)}`,
    );
  }
}

// Cluster-level fields the options name; everything else stays as stored.
function mergeClusterFields(spec: Obj, options: Partial<CreateClusterOptions>): void {
  if (options.networking !== undefined) spec.networking = networkingSpec(options.networking);
  if (options.cloudLabels !== undefined) {
    spec.cloudLabels = { ...((spec.cloudLabels ?? {}) as Obj), ...parseCloudLabels(options.cloudLabels) };
  }
  if (options.kubernetesVersion !== undefined) spec.kubernetesVersion = options.kubernetesVersion;
  if (options.channel !== undefined) spec.channel = options.channel;
  if (options.adminAccess?.length) spec.kubernetesApiAccess = [...options.adminAccess];
  if (options.sshAccess?.length) spec.sshAccess = [...options.sshAccess];
  if (options.networkCIDR !== undefined) spec.networkCIDR = options.networkCIDR;
  if (options.networkID !== undefined) spec.networkID = options.networkID;
  if (options.project !== undefined) spec.project = options.project;
  if (options.apiPublicName) spec.masterPublicName = options.apiPublicName;
  if (options.disableSubnetTags !== undefined) spec.DisableSubnetTags = options.disableSubnetTags;
  if (options.kubernetesFeatureGates?.length) mergeFeatureGates(spec, options.kubernetesFeatureGates);
  if (options.dnsType !== undefined || options.dns !== undefined) {
    const topology = (spec.topology ?? {}) as Obj;
    spec.topology = { ...topology, dns: { type: dnsType(options.dnsType ?? options.dns, undefined) } };
  }
}

// Feature gates join those each component already has; a gate named again takes the new value.
function mergeFeatureGates(spec: Obj, gates: readonly string[]): void {
  const { kubeletFeatureGates, ...components } = featureGateSpecs(gates) as Record<string, Obj>;
  for (const [component, block] of Object.entries(components)) {
    const current = (spec[component] ?? {}) as Obj;
    spec[component] = {
      ...current,
      featureGates: { ...((current.featureGates ?? {}) as Obj), ...(block.featureGates as Obj) },
    };
  }
  const kubelet = (spec.kubelet ?? {}) as Obj;
  spec.kubelet = { ...kubelet, featureGates: { ...((kubelet.featureGates ?? {}) as Obj), ...kubeletFeatureGates } };
}

function newSubnet(cloud: string, zone: string, subnets: Obj[]): Obj {
  const subnetName = cloud === 'gce' ? gceRegion(zone) : zone;
  const like = subnets.find((s) => s.type !== 'Utility');
  return cloud === 'gce'
    ? { name: subnetName, region: subnetName, type: like?.type ?? 'Public' }
    : { name: subnetName, zone, type: like?.type ?? 'Public' };
}

function nodeGroupFor(template: Obj, zone: string, subnetName: string): Obj {
  const groupName = `nodes-${zone}`;
  const g = clone(template);
  g.metadata = { ...((g.metadata ?? {}) as Obj), name: groupName };
  const s = specOf(g);
  s.subnets = [subnetName];
  if (Array.isArray(s.zones)) s.zones = [zone];
  s.nodeLabels = { ...((s.nodeLabels ?? {}) as Obj), 'kops.k8s.io/instancegroup': groupName };
  s.minSize = 1;
  s.maxSize = 1;
  return g;
}

// A zone not yet in the cluster gets its subnet (CIDR left for kops to assign on update) and a
// node group copied from an existing one.
function addZones(spec: Obj, groups: Obj[], zones: readonly string[]): void {
  const cloud = String(spec.cloudProvider ?? '');
  const subnets = (spec.subnets ?? []) as Obj[];
  for (const zone of zones) {
    const subnet = newSubnet(cloud, zone, subnets);
    if (!subnets.some((s) => s.name === subnet.name)) {
      subnets.push(subnet);
      spec.subnets = subnets;
    }
    const template = groups.find((g) => specOf(g).role === 'Node');
    if (template && !groups.some((g) => nameOf(g) === `nodes-${zone}`))
      groups.push(nodeGroupFor(template, zone, String(subnet.name)));
  }
}

function mergeGroupFields(groups: Obj[], options: Partial<CreateClusterOptions>): void {
  const nodeSize = options.nodeSizes?.[0] ?? options.nodeSize;
  const cpSize = options.controlPlaneSizes?.[0] ?? options.controlPlaneSize;
  for (const g of groups) {
    const s = specOf(g);
    const isNode = s.role === 'Node';
    if (!isNode && s.role !== 'Master') continue;
    const size = isNode ? nodeSize : cpSize;
    const img = (isNode ? options.nodeImage : options.controlPlaneImage) ?? options.image;
    if (size !== undefined) s.machineType = size;
    if (img !== undefined) s.image = img;
  }
  // Tenancy, security groups, root volumes and public IPs as kops's create applies them.
  applyGroupFlags(options as CreateClusterOptions, groups as unknown as InstanceGroupConfig[]);
  if (options.nodeCount) {
    // Spread the total over the node groups the way kops spreads it over zones.
    const total = options.nodeCount;
    const nodes = groups.filter((g) => specOf(g).role === 'Node');
    nodes.forEach((g, i) => {
      const n = Math.floor(total / nodes.length) + (i < total % nodes.length ? 1 : 0);
      Object.assign(specOf(g), { minSize: n, maxSize: n });
    });
  }
}

/**
 * Merges create-cluster options into an existing cluster and its instance groups, changing only
 * what the options name (kops: options on the command line end up in the stored config). Inputs
 * are not mutated. A zone not yet in the cluster gets its subnet (its CIDR left for kops to assign
 * on update, as kops does for subnets without one) and a node group copied from an existing one.
 * Options that only shape a new cluster (topology, counts of control-plane nodes, shared network
 * ids) are not re-applied; a different `clusterName` or `cloud` is an `InvalidArgument` error.
 *
 * @example
 * ```ts
 * import { mergeOptionsIntoCluster, type ClusterWithGroups } from 'kops-statestore';
 * declare const current: ClusterWithGroups; // the cluster dev.example.com and its instance groups
 *
 * const next = mergeOptionsIntoCluster(current, { clusterName: 'dev.example.com', nodeSize: 'm5.large' });
 * // next: the node groups' machineType is m5.large, the control plane's unchanged; current is not mutated
 * ```
 */
export function mergeOptionsIntoCluster(
  current: ClusterWithGroups,
  options: Partial<CreateClusterOptions>,
): ClusterWithGroups {
  const cluster = clone(current.cluster) as unknown as Obj;
  const groups = clone(current.instanceGroups) as unknown as Obj[];
  const spec = specOf(cluster);
  checkSameCluster(cluster, spec, options);
  mergeClusterFields(spec, options);
  // New zones first, so size and image options below also reach their new groups.
  addZones(spec, groups, options.zones ?? []);
  mergeGroupFields(groups, options);
  const merged = applySetsAndUnsets(cluster as unknown as ClusterConfig, options);
  if (options.networking !== undefined || options.sets?.length) disableKubeProxyWhenReplaced(merged);
  return { cluster: merged, instanceGroups: groups as unknown as InstanceGroupConfig[] };
}

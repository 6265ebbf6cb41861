import type { ClusterConfig, InstanceGroupConfig } from '../schema/index.js';
import { StateStoreError } from '../../vfs/errors.js';
import { applySetsAndUnsets, disableKubeProxyWhenReplaced, networkingSpec, type ClusterWithGroups } from './build.js';
import { parseCloudLabels } from './cloud-labels.js';
import type { CreateClusterOptions } from './options.js';

type Obj = Record<string, unknown>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

function specOf(value: unknown): Obj {
  const o = value as { spec?: Obj };
  o.spec ??= {};
  return o.spec;
}

function gceRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
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
 * const next = mergeOptionsIntoCluster(current, { clusterName: 'dev.example.com', nodeSize: 'm5.large' });
 */
export function mergeOptionsIntoCluster(current: ClusterWithGroups, options: Partial<CreateClusterOptions>): ClusterWithGroups {
  const cluster = clone(current.cluster) as unknown as Obj;
  const groups = clone(current.instanceGroups) as unknown as Obj[];
  const spec = specOf(cluster);
  const byRole = (role: string): Obj[] => groups.filter((g) => specOf(g).role === role);

  const currentName = (cluster.metadata as Obj | undefined)?.name;
  if (options.clusterName !== undefined && options.clusterName !== '' && currentName !== undefined && options.clusterName !== currentName) {
    throw new StateStoreError('InvalidArgument', `options are for cluster ${JSON.stringify(options.clusterName)}, not ${JSON.stringify(currentName)}`);
  }
  if (options.cloud !== undefined && spec.cloudProvider !== undefined && options.cloud !== spec.cloudProvider) {
    throw new StateStoreError('InvalidArgument', `cannot move a cluster from cloud ${JSON.stringify(spec.cloudProvider)} to ${JSON.stringify(options.cloud)}`);
  }
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
  if (options.dnsType !== undefined || options.dns !== undefined) {
    const type = (options.dnsType ?? options.dns ?? '').toLowerCase();
    const topology = (spec.topology ?? {}) as Obj;
    spec.topology = { ...topology, dns: { type: type.charAt(0).toUpperCase() + type.slice(1) } };
  }

  // New zones first, so size and image options below also reach their new groups.
  const cloud = String(spec.cloudProvider ?? '');
  const subnets = (spec.subnets ?? []) as Obj[];
  for (const zone of options.zones ?? []) {
    const subnetName = cloud === 'gce' ? gceRegion(zone) : zone;
    if (!subnets.some((s) => s.name === subnetName)) {
      const like = subnets.find((s) => s.type !== 'Utility');
      const subnet: Obj = cloud === 'gce'
        ? { name: subnetName, region: subnetName, type: like?.type ?? 'Public' }
        : { name: subnetName, zone, type: like?.type ?? 'Public' };
      subnets.push(subnet);
      spec.subnets = subnets;
    }
    const nodeGroups = byRole('Node');
    const groupName = `nodes-${zone}`;
    const template = nodeGroups[0];
    if (template && !groups.some((g) => (g.metadata as Obj | undefined)?.name === groupName)) {
      const g = clone(template);
      const meta = (g.metadata ?? {}) as Obj;
      g.metadata = { ...meta, name: groupName };
      const s = specOf(g);
      s.subnets = [subnetName];
      if (Array.isArray(s.zones)) s.zones = [zone];
      s.nodeLabels = { ...((s.nodeLabels ?? {}) as Obj), 'kops.k8s.io/instancegroup': groupName };
      s.minSize = 1;
      s.maxSize = 1;
      groups.push(g);
    }
  }

  const nodeSize = options.nodeSizes?.[0] ?? options.nodeSize;
  const cpSize = options.controlPlaneSizes?.[0] ?? options.controlPlaneSize;
  for (const g of byRole('Node')) {
    const s = specOf(g);
    if (nodeSize !== undefined) s.machineType = nodeSize;
    const img = options.nodeImage ?? options.image;
    if (img !== undefined) s.image = img;
    if (options.nodeVolumeSize !== undefined) s.rootVolumeSize = options.nodeVolumeSize;
  }
  for (const g of byRole('Master')) {
    const s = specOf(g);
    if (cpSize !== undefined) s.machineType = cpSize;
    const img = options.controlPlaneImage ?? options.image;
    if (img !== undefined) s.image = img;
    if (options.controlPlaneVolumeSize !== undefined) s.rootVolumeSize = options.controlPlaneVolumeSize;
  }
  if (options.nodeCount) {
    // Spread the total over the node groups the way kops spreads it over zones.
    const nodes = byRole('Node');
    nodes.forEach((g, i) => {
      const n = Math.floor((options.nodeCount ?? 0) / nodes.length) + (i < (options.nodeCount ?? 0) % nodes.length ? 1 : 0);
      const s = specOf(g);
      s.minSize = n;
      s.maxSize = n;
    });
  }

  const merged = applySetsAndUnsets(cluster as unknown as ClusterConfig, options);
  if (options.networking !== undefined || options.sets?.length) disableKubeProxyWhenReplaced(merged);
  return { cluster: merged, instanceGroups: groups as unknown as InstanceGroupConfig[] };
}

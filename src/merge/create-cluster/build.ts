import { StateStoreError } from '../../vfs/errors.js';
import type { ClusterConfig, InstanceGroupConfig } from '../schema/index.js';
import { setFields, unsetFields } from '../paths/index.js';
import { channelImage, recommendedKubernetesVersion, type ChannelData } from './channel.js';
import { stableChannel } from './channels/stable.js';
import type { CreateClusterOptions } from './options.js';
import { attachSharedSubnets, sharedNetworkCIDR, type CloudFacts } from './cloud-facts.js';
import { openstackSpec } from './openstack.js';
import { parseCloudLabels } from './cloud-labels.js';
import { assignIPv6Subnets, assignSubnets, type Subnet } from './subnets.js';

/** A cluster and its instance groups, as kops writes them to the state store. */
export interface ClusterWithGroups {
  cluster: ClusterConfig;
  instanceGroups: InstanceGroupConfig[];
}

type Obj = Record<string, unknown>;

// Default machine types, as kops's create_cluster fixtures record them. Real kops on AWS picks
// the first type the region offers from a preference list (populate_instancegroup_spec), which
// a pure function cannot ask; pass nodeSize/controlPlaneSize to choose explicitly.
const DEFAULT_SIZES: Record<string, { controlPlane: string; node: string; bastion: string }> = {
  aws: { controlPlane: 'm3.medium', node: 't2.medium', bastion: 't2.micro' },
  gce: { controlPlane: 'e2-medium', node: 'e2-medium', bastion: 'e2-micro' },
  hetzner: { controlPlane: 'cx23', node: 'cx23', bastion: 'cx23' },
  openstack: { controlPlane: 'n1-standard-1', node: 'n1-standard-1', bastion: 'n1-standard-1' },
};

// Images kops's cloud defaults use where the channel lists none for that cloud.
const DEFAULT_IMAGES: Record<string, string> = {
  hetzner: 'ubuntu-24.04',
};

const CHANNELS: Record<string, ChannelData> = { stable: stableChannel };

/** The `spec.networking` block kops writes for a `--networking` name. */
export function networkingSpec(name: string): Obj {
  switch (name) {
    case 'kubenet': case '': return { kubenet: {} };
    case 'cni': return { cni: {} };
    case 'external': return { external: {} };
    case 'calico': return { calico: {} };
    case 'canal': return { canal: {} };
    case 'flannel': case 'flannel-vxlan': return { flannel: { backend: 'vxlan' } };
    case 'kube-router': return { kuberouter: {} };
    case 'amazonvpc': case 'amazon-vpc-routed-eni': return { amazonvpc: {} };
    case 'cilium': return { cilium: {} };
    case 'cilium-eni': return { cilium: { enableNodePort: true, ipam: 'eni' } };
    case 'gce': return { gce: {} };
    case 'kindnet': return { kindnet: {} };
    default: throw new StateStoreError('InvalidArgument', `unknown networking mode ${JSON.stringify(name)}`);
  }
}

/** Trims the shared prefix of zone-based names, as kops names etcd members ("us-test-1a" -> "a"). */
export function trimCommonPrefix(input: readonly string[]): string[] {
  const names = [...input];
  while (names.length > 0 && (names[0]?.length ?? 0) > 1) {
    const prefix = names[0]?.charAt(0) ?? '';
    if (!names.every((n) => n.startsWith(prefix))) break;
    for (let i = 0; i < names.length; i++) names[i] = (names[i] ?? '').slice(1);
  }
  return names.map((n) => (/^[0-9]/.test(n) ? `etcd-${n}` : n));
}

function gceRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

function spread(total: number, zones: readonly string[], i: number): number {
  return Math.floor(total / zones.length) + (i < total % zones.length ? 1 : 0);
}

function withoutUndefined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function group(clusterName: string, name: string, spec: Obj): InstanceGroupConfig {
  return {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'InstanceGroup',
    metadata: { labels: { 'kops.k8s.io/cluster': clusterName }, name },
    // Absent defaults (no channel image for the cloud) are left out rather than written as null.
    spec: { ...withoutUndefined(spec), nodeLabels: { 'kops.k8s.io/instancegroup': name } },
  } as unknown as InstanceGroupConfig;
}

/**
 * Builds the cluster and instance groups `kops create cluster` would write for these options
 * (kops's `NewCluster` + defaults), without touching any cloud. What kops would look up in the
 * cloud for shared infrastructure (a VPC's CIDR, shared subnets' zones and CIDRs) comes from
 * `cloudFacts`.
 *
 * @example
 * const { cluster, instanceGroups } = clusterFromOptions({
 *   clusterName: 'dev.example.com', cloud: 'aws', zones: ['us-east-1a'], networking: 'cni',
 *   kubernetesVersion: 'v1.32.0', configBase: 's3://my-state-store/dev.example.com',
 * });
 */
export function clusterFromOptions(options: CreateClusterOptions, cloudFacts?: CloudFacts): ClusterWithGroups {
  const name = options.clusterName;
  if (!name) throw new StateStoreError('InvalidArgument', 'clusterName is required');
  const zones = options.zones ?? [];
  if (zones.length === 0) throw new StateStoreError('InvalidArgument', 'at least one zone is required (zones)');
  const cloud = options.cloud;
  if (!cloud) throw new StateStoreError('InvalidArgument', 'cloud is required');
  const channelName = options.channel ?? 'stable';
  const channel = CHANNELS[channelName];
  if (!channel) throw new StateStoreError('InvalidArgument', `unknown channel ${JSON.stringify(channelName)}`);
  const kubernetesVersion = options.kubernetesVersion ?? recommendedKubernetesVersion(channel) ?? '';
  const topology = (options.topology ?? 'public').toLowerCase();
  if (topology !== 'public' && topology !== 'private') {
    throw new StateStoreError('InvalidArgument', `unknown topology ${JSON.stringify(options.topology)} (public or private)`);
  }
  if (options.bastion && topology !== 'private') {
    throw new StateStoreError('InvalidArgument', 'a bastion needs the private topology');
  }
  if (topology === 'private' && (options.networking ?? 'kubenet') === 'kubenet') {
    throw new StateStoreError('InvalidArgument', 'kubenet networking does not support the private topology');
  }
  const isAws = cloud === 'aws';
  const isGce = cloud === 'gce';
  const sizes = DEFAULT_SIZES[cloud] ?? { controlPlane: '', node: '', bastion: '' };
  const channelImg = channelImage(channel, cloud, kubernetesVersion) ?? DEFAULT_IMAGES[cloud];

  const dns = dnsType(options.dnsType ?? options.dns);
  const adminAccess = options.adminAccess?.length ? options.adminAccess : ['0.0.0.0/0', '::/0'];
  const spec: Obj = {
    api: { loadBalancer: apiLoadBalancer(options, isAws) },
    authorization: options.authorization?.toLowerCase() === 'alwaysallow' ? { alwaysAllow: {} } : { rbac: {} },
    channel: channelName,
    cloudProvider: cloud,
    iam: { allowContainerRegistry: true, legacy: false },
    kubelet: { anonymousAuth: false },
    kubernetesApiAccess: adminAccess,
    kubernetesVersion,
    networking: networkingSpec(options.networking ?? 'kubenet'),
    nonMasqueradeCIDR: '100.64.0.0/10',
    sshAccess: options.sshAccess?.length ? options.sshAccess : adminAccess,
    topology: { dns: { type: dns } },
  };
  // kops keeps a cluster's files under {state store}/{cluster name} unless told otherwise.
  const configBase = options.configBase ?? (options.stateStore ? `${options.stateStore.replace(/\/+$/, '')}/${name}` : undefined);
  if (configBase) spec.configBase = configBase;
  // With public DNS kops names the API endpoint up front; gossip and DNS-less clusters do not.
  if (dns === 'Public') spec.masterPublicName = `api.${name}`;
  if (options.networkID) spec.networkID = options.networkID;
  if (options.dnsZone) spec.dnsZone = options.dnsZone;
  if (options.cloudLabels) spec.cloudLabels = parseCloudLabels(options.cloudLabels);
  if (isGce) {
    const cloudConfig: Obj = {};
    if (options.gceServiceAccount) cloudConfig.gceServiceAccount = options.gceServiceAccount;
    spec.cloudConfig = cloudConfig;
    if (options.project) spec.project = options.project;
  }
  if (cloud === 'openstack') Object.assign(spec, openstackSpec(name, options));
  if (options.discoveryStore) {
    const store = options.discoveryStore.replace(/\/+$/, '');
    spec.serviceAccountIssuerDiscovery = isAws
      ? { discoveryStore: `${store}/${name}`, enableAWSOIDCProvider: true }
      : { discoveryStore: `${store}/${name}` };
    if (isAws) (spec.iam as Obj).useServiceAccountExternalPermissions = true;
  }

  // Subnets: regional on GCE, one per zone elsewhere.
  const allZones = [...new Set([...zones, ...(options.controlPlaneZones ?? [])])].sort();
  const zoneSubnet = new Map<string, string>();
  let subnets: Subnet[];
  if (isGce) {
    subnets = [];
    for (const zone of allZones) {
      const region = gceRegion(zone);
      if (!subnets.some((s) => s.name === region)) subnets.push({ name: region, region, type: '' });
      zoneSubnet.set(zone, region);
    }
  } else {
    subnets = allZones.map((zone) => {
      zoneSubnet.set(zone, zone);
      const s: Subnet = { name: zone, zone, type: '' };
      if (options.egress) s.egress = options.egress;
      return s;
    });
  }
  // Each extra --network-cidr block becomes one more subnet, round-robin over the zones, where
  // that zone's nodes then run (kops keeps the first block for the control plane).
  const extraSubnets = new Map<string, string[]>();
  if (!isGce) {
    (options.networkCIDRs ?? []).slice(1).forEach((cidr, i) => {
      const zone = zones[i % zones.length] ?? '';
      const extra: Subnet = { name: `${zone}-${i + 1}`, zone, type: '', cidr };
      if (options.egress) extra.egress = options.egress;
      subnets.push(extra);
      extraSubnets.set(zone, [...(extraSubnets.get(zone) ?? []), extra.name]);
    });
  }
  const ipv6 = options.ipv6 === true && isAws;
  // A shared VPC brings its own CIDR, which kops reads from the cloud.
  const networkCIDR = options.networkCIDR ?? options.networkCIDRs?.[0]
    ?? (options.networkID && isAws ? sharedNetworkCIDR(cloudFacts, options.networkID) : undefined);
  const assigned = ipv6 ? assignIPv6Subnets(allZones, networkCIDR) : assignSubnets(cloud, subnets, topology, networkCIDR);
  if (options.subnetIDs?.length || options.utilitySubnetIDs?.length) {
    assigned.subnets = attachSharedSubnets(assigned.subnets, cloudFacts, options.subnetIDs ?? [], options.utilitySubnetIDs ?? []);
  }
  if (ipv6) {
    // Pods and services get IPv6 addresses; the AWS cloud controller manager runs out of tree.
    spec.nonMasqueradeCIDR = '::/0';
    spec.cloudControllerManager = {};
  }
  spec.subnets = assigned.subnets;
  if (assigned.networkCIDR) spec.networkCIDR = assigned.networkCIDR;
  if (options.networkCIDRs && options.networkCIDRs.length > 1) spec.additionalNetworkCIDRs = options.networkCIDRs.slice(1);

  const groups: InstanceGroupConfig[] = [];
  const withZones = (zone: string, s: Obj): Obj => (isGce ? { ...s, zones: [zone] } : s);
  // Role images override --image only for their own role; API servers and bastions take --image.
  const image = (role: 'cp' | 'node' | 'other'): string | undefined =>
    (role === 'cp' ? options.controlPlaneImage : role === 'node' ? options.nodeImage : undefined) ?? options.image ?? channelImg;

  // Control plane: round-robin over its zones, suffixed when zones repeat.
  const cpZones = options.controlPlaneZones?.length ? options.controlPlaneZones : zones;
  // 0 is Go's "unset" in kops's options struct, so it also means the default.
  const cpCount = options.controlPlaneCount || (options.controlPlaneZones?.length ? cpZones.length : 1);
  const cpNames: string[] = [];
  for (let i = 0; i < cpCount; i++) {
    const zone = cpZones[i % cpZones.length] ?? '';
    const suffix = cpCount > cpZones.length ? `-${1 + Math.floor(i / cpZones.length)}` : '';
    cpNames.push(zone + suffix);
    const s: Obj = { image: image('cp'), machineType: options.controlPlaneSizes?.[0] ?? options.controlPlaneSize ?? sizes.controlPlane, maxSize: 1, minSize: 1, role: 'Master', subnets: [ipv6 ? `dualstack-${zoneSubnet.get(zone) ?? zone}` : zoneSubnet.get(zone)] };
    if (options.controlPlaneSecurityGroups?.length) s.additionalSecurityGroups = [...options.controlPlaneSecurityGroups];
    if (options.controlPlaneVolumeSize) s.rootVolumeSize = options.controlPlaneVolumeSize;
    if (options.controlPlaneVolumeType) s.rootVolumeType = options.controlPlaneVolumeType;
    groups.push(group(name, `control-plane-${zone}${suffix}`, withZones(zone, s)));
  }
  if (cpCount > 0) {
    const encrypted = options.encryptEtcdStorage ?? isAws;
    const memberNames = trimCommonPrefix(cpNames);
    spec.etcdClusters = (options.etcdClusters ?? ['main', 'events']).map((etcd) => ({
      cpuRequest: etcd === 'main' ? '200m' : '100m',
      etcdMembers: cpNames.map((n, i) => ({
        ...(encrypted ? { encryptedVolume: true } : {}),
        instanceGroup: `control-plane-${n}`,
        name: memberNames[i],
      })),
      manager: { backupRetentionDays: 90 },
      memoryRequest: '100Mi',
      name: etcd,
    }));
  }

  const perZone = (prefix: string, role: string, total: number, size: string, extra: Obj = {}): void => {
    const img = image(role === 'Node' ? 'node' : 'other');
    zones.forEach((zone, i) => {
      const n = spread(total, zones, i);
      const own = role === 'Node' ? extraSubnets.get(zone) : undefined;
      const s: Obj = { image: img, machineType: size, maxSize: n, minSize: n, role, subnets: own ?? [zoneSubnet.get(zone)], ...extra };
      groups.push(group(name, `${prefix}-${zone}`, withZones(zone, s)));
    });
  };
  if (options.apiServerCount) perZone('apiserver', 'APIServer', options.apiServerCount, options.apiServerSizes?.[0] ?? sizes.controlPlane);
  const nodeExtra: Obj = {};
  if (options.nodeSecurityGroups?.length) nodeExtra.additionalSecurityGroups = [...options.nodeSecurityGroups];
  if (options.nodeVolumeSize) nodeExtra.rootVolumeSize = options.nodeVolumeSize;
  if (options.nodeVolumeType) nodeExtra.rootVolumeType = options.nodeVolumeType;
  perZone('nodes', 'Node', options.nodeCount || zones.length, options.nodeSizes?.[0] ?? options.nodeSize ?? sizes.node, nodeExtra);

  if (topology === 'private' && options.bastion) {
    const privateNames = assigned.subnets.filter((s) => s.type === 'Private').map((s) => s.name);
    if (dns === 'Public') (spec.topology as Obj).bastion = { bastionPublicName: `bastion.${name}` };
    groups.push(group(name, 'bastions', { image: image('other'), machineType: sizes.bastion, maxSize: 1, minSize: 1, role: 'Bastion', subnets: privateNames, ...(isGce ? { zones: allZones } : {}) }));
  }

  let cluster = { apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name }, spec } as unknown as ClusterConfig;
  cluster = disableKubeProxyWhenReplaced(applySetsAndUnsets(cluster, options));
  // kops lists a cluster's instance groups by name (one file each under instancegroup/).
  groups.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  return { cluster, instanceGroups: groups };
}

/**
 * kops turns kube-proxy off when the CNI replaces it (Cilium with node ports, Calico eBPF); this
 * runs after `--set` so a set `bpfEnabled` counts.
 */
export function disableKubeProxyWhenReplaced(cluster: ClusterConfig): ClusterConfig {
  const spec = (cluster as unknown as { spec: Obj }).spec;
  const networking = (spec.networking ?? {}) as { cilium?: Obj; calico?: Obj };
  if (networking.cilium?.enableNodePort === true || networking.calico?.bpfEnabled === true) {
    spec.kubeProxy = { ...((spec.kubeProxy ?? {}) as Obj), enabled: false };
  }
  return cluster;
}

function capitalised(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();
}

/** `spec.api.loadBalancer`: public by default; AWS uses a network load balancer unless told. */
function apiLoadBalancer(options: CreateClusterOptions, isAws: boolean): Obj {
  const lb: Obj = { type: capitalised(options.apiLoadBalancerType ?? 'public') };
  if (lb.type !== 'Public' && lb.type !== 'Internal') {
    throw new StateStoreError('InvalidArgument', `unknown API load balancer type ${JSON.stringify(options.apiLoadBalancerType)}`);
  }
  if (isAws) lb.class = capitalised(options.apiLoadBalancerClass ?? 'network');
  if (options.apiSSLCertificate) lb.sslCertificate = options.apiSSLCertificate;
  return lb;
}

function dnsType(value: string | undefined): string {
  switch ((value ?? 'none').toLowerCase()) {
    case 'public': return 'Public';
    case 'private': return 'Private';
    case 'none': return 'None';
    default: throw new StateStoreError('InvalidArgument', `unknown DNS type ${JSON.stringify(value)}`);
  }
}

/** Applies `--set`/`--unset` (kops writes them as `cluster.spec.x=v`; `cluster.` is dropped). */
export function applySetsAndUnsets(cluster: ClusterConfig, options: Pick<CreateClusterOptions, 'sets' | 'unsets'>): ClusterConfig {
  const strip = (f: string): string => f.replace(/^cluster\./, '');
  const sets = (options.sets ?? []).filter((f) => f.startsWith('cluster.') || f.startsWith('spec.')).map(strip);
  const unsets = (options.unsets ?? []).filter((f) => f.startsWith('cluster.') || f.startsWith('spec.')).map(strip);
  let out = sets.length ? setFields(cluster, sets) : cluster;
  out = unsets.length ? unsetFields(out, unsets) : out;
  return out;
}


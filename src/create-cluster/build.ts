import { StateStoreError } from '../errors.js';
import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/index.js';
import type { CloudFacts } from './cloud-facts.js';
import { parseCloudLabels } from './cloud-labels.js';
import { buildContext, type BuildContext } from './context.js';
import { controlPlaneGroups, etcdClusters } from './control-plane.js';
import { applyGroupFlags } from './group-flags.js';
import { performAssignments } from './assignments.js';
import { apiServerGroups, bastionGroups, nodeGroups } from './instance-groups.js';
import { clusterNetwork, type ClusterNetwork } from './network.js';
import { openstackSpec } from './openstack.js';
import type { CreateClusterOptions } from './options.js';
import { applySetsAndUnsets, disableKubeProxyForCalicoBPF } from './sets.js';
import { apiSpec, authorizationSpec, featureGateSpecs, networkingChoice, type NetworkingChoice } from './spec-parts.js';

export { networkingSpec } from './spec-parts.js';
export { trimCommonPrefix } from './control-plane.js';
export { applySetsAndUnsets, disableKubeProxyWhenReplaced } from './sets.js';

/** A cluster and its instance groups, as kops writes them to the state store. */
export interface ClusterWithGroups {
  /** The cluster's `config` document. */
  cluster: ClusterConfig;
  /** Its instance groups (control plane, nodes, bastions), one document each. */
  instanceGroups: InstanceGroupConfig[];
}

type Obj = Record<string, unknown>;

// The spec fields every new cluster gets (kops: the start of `NewCluster`).
function baseSpec(ctx: BuildContext, choice: NetworkingChoice): Obj {
  const { options } = ctx;
  const adminAccess = options.adminAccess?.length ? options.adminAccess : ['0.0.0.0/0', '::/0'];
  const { kubeletFeatureGates, ...components } = featureGateSpecs(options.kubernetesFeatureGates);
  const spec: Obj = {
    api: apiSpec(options, ctx.topology, ctx.dns, ctx.cloud),
    authorization: authorizationSpec(options.authorization),
    channel: ctx.channelName,
    cloudProvider: ctx.cloud,
    iam: { allowContainerRegistry: true, legacy: false },
    kubelet: { anonymousAuth: false, ...(kubeletFeatureGates ? { featureGates: kubeletFeatureGates } : {}) },
    kubernetesApiAccess: adminAccess,
    kubernetesVersion: ctx.kubernetesVersion,
    networking: choice.networking,
    sshAccess: options.sshAccess?.length ? options.sshAccess : adminAccess,
    topology: { dns: { type: ctx.dns } },
    ...components,
  };
  if (choice.replacesKubeProxy) spec.kubeProxy = { ...((spec.kubeProxy ?? {}) as Obj), enabled: false };
  if (ctx.configBase) spec.configBase = ctx.configBase;
  if (options.dnsZone) spec.dnsZone = options.dnsZone;
  if (options.cloudLabels) {
    const labels = parseCloudLabels(options.cloudLabels);
    if (Object.keys(labels).length > 0) spec.cloudLabels = labels;
  }
  if (options.disableSubnetTags) spec.DisableSubnetTags = true; // v1alpha2 spells it so (kops: TagSubnets)
  if (options.apiPublicName) spec.masterPublicName = options.apiPublicName;
  return spec;
}

// Per-cloud parts, service-account discovery and Karpenter (kops: `NewCluster`, `setupVPC`).
function cloudParts(ctx: BuildContext, spec: Obj): void {
  const { options, name } = ctx;
  if (ctx.cloud === 'gce') {
    spec.cloudConfig = options.gceServiceAccount ? { gceServiceAccount: options.gceServiceAccount } : {};
    if (options.project) spec.project = options.project;
  }
  if (ctx.cloud === 'openstack') Object.assign(spec, openstackSpec(name, options));
  if (ctx.cloud === 'azure') spec.cloudConfig = { azure: azureSpec(options) };
  // kops: setupVPC, AWS only; v1alpha2 writes them under cloudConfig.
  if (ctx.cloud === 'aws' && (options.spotinstProduct || options.spotinstOrientation)) {
    spec.cloudConfig = {
      ...(options.spotinstOrientation ? { spotinstOrientation: options.spotinstOrientation } : {}),
      ...(options.spotinstProduct ? { spotinstProduct: options.spotinstProduct } : {}),
    };
  }
  if (options.discoveryStore) {
    const discoveryStore = `${options.discoveryStore.replace(/\/+$/, '')}/${name}`;
    spec.serviceAccountIssuerDiscovery =
      ctx.cloud === 'aws' ? { discoveryStore, enableAWSOIDCProvider: true } : { discoveryStore };
    if (ctx.cloud === 'aws') (spec.iam as Obj).useServiceAccountExternalPermissions = true;
  }
  if (options.instanceManager === 'karpenter') spec.karpenter = { enabled: true };
}

// kops: the Azure case of `NewCluster`; v1alpha2 writes it under cloudConfig.azure, and always
// writes tenantId (its JSON tag has no omitempty).
function azureSpec(options: CreateClusterOptions): Obj {
  const azure: Obj = { adminUser: options.azureAdminUser || 'kops', tenantId: options.azureTenantID ?? '' };
  if (options.azureSubscriptionID) azure.subscriptionId = options.azureSubscriptionID;
  if (options.azureResourceGroupName) azure.resourceGroupName = options.azureResourceGroupName;
  if (options.azureRouteTableName) azure.routeTableName = options.azureRouteTableName;
  return azure;
}

function networkParts(ctx: BuildContext, net: ClusterNetwork, spec: Obj): void {
  const { options } = ctx;
  spec.subnets = net.subnets;
  if (net.networkID) spec.networkID = net.networkID;
  // kops: RunCreateCluster takes the first --network-cidr as the network's, the rest as additional.
  const cidrs = options.networkCIDRs?.length ? options.networkCIDRs : options.networkCIDR ? [options.networkCIDR] : [];
  if (cidrs[0]) spec.networkCIDR = cidrs[0];
  if (cidrs.length > 1) spec.additionalNetworkCIDRs = cidrs.slice(1);
  if (ctx.ipv6) {
    // Pods and services get IPv6 addresses; the cloud controller manager runs out of tree.
    spec.nonMasqueradeCIDR = '::/0';
    spec.cloudControllerManager = {};
  }
}

/**
 * Builds the cluster and instance groups `kops create cluster` would write for these options
 * (kops's `NewCluster` + `RunCreateCluster` + `PerformAssignments`), without touching any cloud.
 * What kops would look up in the cloud (a VPC's CIDR, shared subnets' zones, CIDRs and network,
 * machine types' architectures) comes from `cloudFacts`.
 *
 * @example
 * ```ts
 * import { clusterFromOptions } from 'kops-statestore';
 *
 * const { cluster, instanceGroups } = clusterFromOptions({
 *   clusterName: 'dev.example.com', cloud: 'aws', zones: ['us-east-1a'], networking: 'cni',
 *   kubernetesVersion: 'v1.32.0', configBase: 's3://my-state-store/dev.example.com',
 * });
 * // instanceGroups: control-plane-us-east-1a and nodes-us-east-1a
 * ```
 */
export function clusterFromOptions(options: CreateClusterOptions, cloudFacts?: CloudFacts): ClusterWithGroups {
  checkCounts(options);
  const ctx = buildContext(options, cloudFacts);
  const choice = networkingChoice(options.networking ?? '');
  if (ctx.topology === 'private' && choice.networking.kubenet) {
    throw new StateStoreError('InvalidArgument', 'networking: kubenet does not support the private topology');
  }
  const spec = baseSpec(ctx, choice);
  cloudParts(ctx, spec);
  const net = clusterNetwork(ctx);
  networkParts(ctx, net, spec);
  const controlPlane = controlPlaneGroups(ctx, net);
  spec.etcdClusters = etcdClusters(ctx, controlPlane.names, choice.extraEtcdCluster);
  const groups = [
    ...controlPlane.groups,
    ...apiServerGroups(ctx, net),
    ...nodeGroups(ctx, net),
    ...bastionGroups(ctx, net),
  ];
  // kops names the bastion in DNS whenever the cluster publishes DNS records (any type but None).
  if (groups.some((g) => g.metadata?.name === 'bastions') && ctx.dns !== 'None') {
    (spec.topology as Obj).bastion = { bastionPublicName: `bastion.${ctx.name}` };
  }
  applyGroupFlags(options, groups);

  let cluster = {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: ctx.name },
    spec,
  } as unknown as ClusterConfig;
  cluster = disableKubeProxyForCalicoBPF(applySetsAndUnsets(cluster, options));
  performAssignments(ctx, cluster);
  // kops lists a cluster's instance groups by name (one file each under instancegroup/).
  groups.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  return { cluster, instanceGroups: groups };
}

/** The options kops reads as int32 counts and sizes (cmd/kops/create_cluster.go: Int32Var flags). */
const COUNTS = [
  'controlPlaneCount',
  'nodeCount',
  'apiServerCount',
  'etcdCount',
  'kubeControllerManagerCount',
  'schedulerCount',
  'controlPlaneVolumeSize',
  'nodeVolumeSize',
] as const;

/**
 * Counts and volume sizes are whole numbers from 0 (kops's default) to 2^31-1. kops takes a
 * negative `--node-count` and writes it as each group's minSize and maxSize
 * (upup/pkg/fi/cloudup/new_cluster.go, nodeCount / numZones), a group no cloud can run.
 */
function checkCounts(options: CreateClusterOptions): void {
  for (const field of COUNTS) {
    const value = options[field];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0 || value > 2 ** 31 - 1)
      throw new StateStoreError(
        'InvalidArgument',
        `${field} must be a whole number from 0 to 2147483647, not ${String(value)}`,
      );
  }
}

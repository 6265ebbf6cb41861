import { StateStoreError } from '../errors.js';
import type { ClusterConfig } from '../config/schema/index.js';
import { fillSharedSubnetCIDRs, sharedNetworkCIDR } from './cloud-facts.js';
import type { BuildContext } from './context.js';
import { gceAssignments } from './gce-network.js';
import { assignCIDRs, type Subnet } from './subnets.js';

type Obj = Record<string, unknown>;

// kops: upup/pkg/fi/cloudup/defaults.go (defaultAWSNetworkCIDR, defaultAzureNetworkCIDR, defaultNonMasqueradeCIDR).
const DEFAULT_NETWORK: Record<string, string> = { aws: '172.20.0.0/16', azure: '10.0.0.0/16' };
const DEFAULT_NON_MASQUERADE = '100.64.0.0/10';

function gce(ctx: BuildContext, spec: Obj): void {
  const subnets = (spec.subnets ?? []) as Subnet[];
  const networking = (spec.networking ?? {}) as Obj;
  const ipAliases = networking.gce !== undefined || networking.kindnet !== undefined;
  const needed = ipAliases
    ? !(spec.podCIDR && spec.serviceClusterIPRange && subnets[0]?.cidr)
    : subnets.some((s) => !s.id && !s.cidr);
  if (!needed) return;
  // A new network is empty; a shared one's ranges come from the cloud.
  const networkID = typeof spec.networkID === 'string' ? spec.networkID : '';
  let used: string[] = [];
  if (networkID) {
    const fact = ctx.facts?.networks?.[networkID]?.usedRanges;
    if (!fact)
      throw new StateStoreError(
        'InvalidArgument',
        `network ${JSON.stringify(networkID)}: its used ranges are not described in cloudFacts.networks (usedRanges)`,
      );
    used = fact;
  }
  const out = gceAssignments(subnets, ipAliases, used);
  spec.subnets = out.subnets;
  if (out.podCIDR) spec.podCIDR = out.podCIDR;
  if (out.serviceClusterIPRange) spec.serviceClusterIPRange = out.serviceClusterIPRange;
  if (out.nonMasqueradeCIDR) spec.nonMasqueradeCIDR = out.nonMasqueradeCIDR;
}

function networkCIDR(ctx: BuildContext, spec: Obj): void {
  const defaultCIDR = DEFAULT_NETWORK[ctx.cloud];
  if (!defaultCIDR || spec.networkCIDR) return;
  const shared = typeof spec.networkID === 'string' && spec.networkID ? spec.networkID : undefined;
  // kops looks a shared VNet up inside its resource group.
  if (
    shared &&
    ctx.cloud === 'azure' &&
    !((spec.cloudConfig as Obj | undefined)?.azure as Obj | undefined)?.resourceGroupName
  ) {
    throw new StateStoreError('InvalidArgument', 'azureResourceGroupName is required with networkID on Azure');
  }
  // A shared VPC (VNet) brings its own CIDR, which kops reads from the cloud.
  spec.networkCIDR = shared ? sharedNetworkCIDR(ctx.facts, shared) : defaultCIDR;
  // The Amazon VPC CNI gives pods addresses from the VPC itself.
  if (ctx.cloud === 'aws' && (spec.networking as Obj | undefined)?.amazonvpc && spec.nonMasqueradeCIDR !== '::/0') {
    spec.nonMasqueradeCIDR = spec.networkCIDR;
  }
}

/**
 * What kops's `PerformAssignments` (upup/pkg/fi/cloudup/defaults.go) fills in after `--set`:
 * GCE subnet ranges, the network CIDR, the non-masquerade CIDR, the API's public name, and
 * subnet CIDRs on AWS, OpenStack and Azure. Mutates the cluster.
 */
export function performAssignments(ctx: BuildContext, cluster: ClusterConfig): void {
  const spec = (cluster as unknown as { spec: Obj }).spec;
  if (ctx.cloud === 'gce') gce(ctx, spec);
  networkCIDR(ctx, spec);
  spec.nonMasqueradeCIDR ||= DEFAULT_NON_MASQUERADE;
  const dns = ((spec.topology as Obj | undefined)?.dns as Obj | undefined)?.type;
  if ((dns === undefined || dns === 'Public') && !spec.masterPublicName) spec.masterPublicName = `api.${ctx.name}`;
  if (ctx.cloud === 'aws' || ctx.cloud === 'openstack' || ctx.cloud === 'azure') {
    const subnets = (spec.subnets ?? []) as Subnet[];
    if (typeof spec.networkID === 'string' && spec.networkID) fillSharedSubnetCIDRs(subnets, ctx.facts, spec.networkID);
    assignCIDRs(subnets, typeof spec.networkCIDR === 'string' ? spec.networkCIDR : undefined);
  }
}

import { attachSharedSubnets, networkOfSubnet, sharedNetworkCIDR } from './cloud-facts.js';
import type { BuildContext } from './context.js';
import { assignIPv6Subnets, assignSubnets, type Subnet } from './subnets.js';
import { zoneLayout } from './zones.js';

/** The cluster's network as kops lays it out for new clusters. */
export interface ClusterNetwork {
  /** `spec.subnets`. */
  subnets: Subnet[];
  networkCIDR?: string;
  networkID?: string;
  /** For each zone, the names of its subnets: the main one first, then extra `--network-cidr` ones. */
  zoneSubnets: Map<string, string[]>;
}

/**
 * The shared network: `--network-id` (or OpenStack's `--os-network`), else, on AWS and
 * OpenStack, the network of the first `--subnets` entry, which kops asks the cloud for
 * (kops: `setupVPC` in upup/pkg/fi/cloudup/new_cluster.go; `RunCreateCluster` for `--os-network`).
 */
function sharedNetworkID(ctx: BuildContext): string | undefined {
  const { options } = ctx;
  const explicit = options.openstackNetworkID || options.networkID;
  if (explicit) return explicit;
  const first = options.subnetIDs?.[0];
  if (first && (ctx.cloud === 'aws' || ctx.cloud === 'openstack')) return networkOfSubnet(ctx.facts, first);
  return undefined;
}

/** Lays out the cluster's subnets and network CIDR (kops: `setupZones`, `setupTopology`, `assignCIDRsToSubnets`). */
export function clusterNetwork(ctx: BuildContext): ClusterNetwork {
  const { options } = ctx;
  const { subnets, zoneSubnets: map } = zoneLayout(ctx);
  const networkID = sharedNetworkID(ctx);
  // A shared VPC brings its own CIDR, which kops reads from the cloud.
  const networkCIDR = options.networkCIDR || options.networkCIDRs?.[0]
    || (networkID && ctx.cloud === 'aws' ? sharedNetworkCIDR(ctx.facts, networkID) : undefined);
  let assigned: { subnets: Subnet[]; networkCIDR?: string };
  if (ctx.ipv6 && ctx.topology === 'private') {
    assigned = assignIPv6Subnets(ctx.allZones, networkCIDR);
  } else {
    assigned = assignSubnets(ctx.cloud, subnets, ctx.topology, networkCIDR);
    // kops numbers every subnet's IPv6 block in list order; the VPC's /56 resolves them later.
    if (ctx.ipv6) assigned.subnets.forEach((s, i) => { (s as Subnet & { ipv6CIDR?: string }).ipv6CIDR = `/64#${i.toString(16)}`; });
  }
  // GCE's one shared subnet was named in the layout; elsewhere shared subnets match by zone.
  if (ctx.cloud !== 'gce' && (options.subnetIDs?.length || options.utilitySubnetIDs?.length)) {
    assigned.subnets = attachSharedSubnets(assigned.subnets, ctx.facts, {
      subnetIDs: options.subnetIDs ?? [], utilitySubnetIDs: options.utilitySubnetIDs ?? [], networkID,
    });
  }
  return {
    subnets: assigned.subnets,
    zoneSubnets: map,
    ...(assigned.networkCIDR ? { networkCIDR: assigned.networkCIDR } : {}),
    ...(networkID ? { networkID } : {}),
  };
}

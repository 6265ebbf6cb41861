import { attachSharedSubnets, networkOfSubnet, sharedNetworkCIDR } from './cloud-facts.js';
import type { BuildContext } from './context.js';
import { assignIPv6Subnets, assignSubnets, type Subnet } from './subnets.js';

/** The cluster's network as kops lays it out for new clusters. */
export interface ClusterNetwork {
  /** `spec.subnets`. */
  subnets: Subnet[];
  networkCIDR?: string;
  networkID?: string;
  /** For each zone, the names of its subnets: the main one first, then extra `--network-cidr` ones. */
  zoneSubnets: Map<string, string[]>;
}

function gceRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
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

// Subnets before CIDRs: regional on GCE, one per zone elsewhere, plus one per extra
// --network-cidr block, round-robin over the zones (kops keeps the first block for the VPC).
function zoneSubnets(ctx: BuildContext): { subnets: Subnet[]; zoneSubnets: Map<string, string[]> } {
  const { options } = ctx;
  const map = new Map<string, string[]>();
  const subnets: Subnet[] = [];
  for (const zone of ctx.allZones) {
    if (ctx.cloud === 'gce') {
      const region = gceRegion(zone);
      if (!subnets.some((s) => s.name === region)) subnets.push({ name: region, region, type: '' });
      map.set(zone, [region]);
    } else {
      subnets.push({ name: zone, zone, type: '', ...(options.egress ? { egress: options.egress } : {}) });
      map.set(zone, [zone]);
    }
  }
  if (ctx.cloud !== 'gce') {
    (options.networkCIDRs ?? []).slice(1).forEach((cidr, i) => {
      const zone = ctx.zones[i % ctx.zones.length] ?? '';
      const name = `${zone}-${i + 1}`;
      subnets.push({ name, zone, type: '', cidr, ...(options.egress ? { egress: options.egress } : {}) });
      map.set(zone, [...(map.get(zone) ?? [zone]), name]);
    });
  }
  return { subnets, zoneSubnets: map };
}

/** Lays out the cluster's subnets and network CIDR (kops: `setupZones`, `setupTopology`, `assignCIDRsToSubnets`). */
export function clusterNetwork(ctx: BuildContext): ClusterNetwork {
  const { options } = ctx;
  const { subnets, zoneSubnets: map } = zoneSubnets(ctx);
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
  if (options.subnetIDs?.length || options.utilitySubnetIDs?.length) {
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

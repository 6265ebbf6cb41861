import { networkOfSubnet, zoneToSubnetID } from './cloud-facts.js';
import type { BuildContext } from './context.js';
import { topologySubnets, type Subnet } from './subnets.js';
import { zoneLayout } from './zones.js';

/** The cluster's network as kops lays it out in `NewCluster`, before CIDRs are assigned. */
export interface ClusterNetwork {
  /** `spec.subnets`, typed for the topology; shared ones carry their `id`. */
  subnets: Subnet[];
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

// Shared subnets are matched to zones through the cloud on AWS and OpenStack only.
function sharedIDs(
  ctx: BuildContext,
  networkID: string | undefined,
  ids: readonly string[] | undefined,
): Map<string, string> {
  if (!ids?.length || (ctx.cloud !== 'aws' && ctx.cloud !== 'openstack')) return new Map();
  return zoneToSubnetID(ctx.facts, networkID, ids);
}

/** Lays out the cluster's subnets (kops: `setupVPC`, `setupZones`, `setupTopology`). */
export function clusterNetwork(ctx: BuildContext): ClusterNetwork {
  const networkID = sharedNetworkID(ctx);
  const { subnets, zoneSubnets } = zoneLayout(ctx, sharedIDs(ctx, networkID, ctx.options.subnetIDs));
  // kops only reads --utility-subnets in private topology.
  const utilityIDs =
    ctx.topology === 'private' ? sharedIDs(ctx, networkID, ctx.options.utilitySubnetIDs) : new Map<string, string>();
  return {
    subnets: topologySubnets(ctx.cloud, subnets, { private: ctx.topology === 'private', ipv6: ctx.ipv6, utilityIDs }),
    zoneSubnets,
    ...(networkID ? { networkID } : {}),
  };
}

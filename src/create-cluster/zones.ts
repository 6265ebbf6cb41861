import { StateStoreError } from '../errors.js';
import type { BuildContext } from './context.js';
import type { Subnet } from './subnets.js';

/** The subnets of a new cluster before CIDRs, and for each zone the names of its subnets. */
export interface ZoneLayout {
  subnets: Subnet[];
  /** For each zone: its main subnet first, then any extra `--network-cidr` subnets. */
  zoneSubnets: Map<string, string[]>;
}

/** GCE's region of a zone: its first two dash-separated parts (kops: `gce.ZoneToRegion`). */
export function gceRegion(zone: string): string {
  const tokens = zone.split('-');
  if (tokens.length <= 2)
    throw new StateStoreError('InvalidArgument', `zones: invalid GCE zone ${JSON.stringify(zone)}`);
  return `${tokens[0]}-${tokens[1]}`;
}

/** Azure's location of a zone `<location>-<n>` (kops: `azure.ZoneToLocation`). */
function azureLocation(zone: string): string {
  const tokens = zone.split('-');
  if (tokens.length !== 2)
    throw new StateStoreError('InvalidArgument', `zones: invalid Azure zone ${JSON.stringify(zone)}`);
  return tokens[0] ?? '';
}

// GCE and Azure subnets are regional: one per region, shared by its zones.
function regional(ctx: BuildContext, nameOf: (zone: string) => Subnet): ZoneLayout {
  const subnets: Subnet[] = [];
  const map = new Map<string, string[]>();
  for (const zone of ctx.allZones) {
    const subnet = nameOf(zone);
    if (!subnets.some((s) => s.name === subnet.name)) subnets.push(subnet);
    map.set(zone, [subnet.name]);
  }
  return { subnets, zoneSubnets: map };
}

function gceSubnet(ctx: BuildContext, zone: string): Subnet {
  const region = gceRegion(zone);
  const ids = ctx.options.subnetIDs ?? [];
  // kops does not support multi-region GCE clusters, so a shared subnet is one subnet.
  if (ids.length > 1)
    throw new StateStoreError('InvalidArgument', `subnetIDs: expected exactly one subnet for GCE, got ${ids.length}`);
  return { name: region, region, type: '', ...(ids[0] ? { id: ids[0] } : {}) };
}

// One subnet per zone, plus one per extra --network-cidr block, round-robin over the zones
// (kops keeps the first block for the VPC).
function perZone(ctx: BuildContext, ids: ReadonlyMap<string, string>): ZoneLayout {
  const egress = ctx.options.egress ? { egress: ctx.options.egress } : {};
  const idOf = (zone: string): { id?: string } => (ids.get(zone) ? { id: ids.get(zone) as string } : {});
  const subnets: Subnet[] = ctx.allZones.map((zone) => ({ name: zone, zone, type: '', ...egress, ...idOf(zone) }));
  const map = new Map(ctx.allZones.map((zone) => [zone, [zone]]));
  (ctx.options.networkCIDRs ?? []).slice(1).forEach((cidr, i) => {
    const zone = ctx.zones[i % ctx.zones.length] ?? '';
    const name = `${zone}-${i + 1}`;
    subnets.push({ name, zone, type: '', cidr, ...egress, ...idOf(zone) });
    map.set(zone, [...(map.get(zone) ?? [zone]), name]);
  });
  return { subnets, zoneSubnets: map };
}

const SINGLE_ZONE: Record<string, string> = {
  digitalocean: 'digitalocean cloud provider currently supports one region only',
  linode: 'linode cloud provider currently supports one region only',
  hetzner: 'hetzner cloud provider currently supports only one zone (location)',
  scaleway: 'scaleway cloud provider currently supports only one availability zone',
};

/**
 * The subnets kops lays out per cloud for `--zones` (kops: `setupZones`,
 * upup/pkg/fi/cloudup/new_cluster.go); `sharedIDs` maps a zone to its `--subnets` id.
 */
export function zoneLayout(ctx: BuildContext, sharedIDs: ReadonlyMap<string, string> = new Map()): ZoneLayout {
  const single = SINGLE_ZONE[ctx.cloud];
  if (single && ctx.zones.length > 1) throw new StateStoreError('InvalidArgument', `zones: ${single}`);
  switch (ctx.cloud) {
    case 'gce':
      return regional(ctx, (zone) => gceSubnet(ctx, zone));
    // Azure's one subnet is named after the cluster.
    case 'azure':
      return regional(ctx, (zone) => ({ name: ctx.name, region: azureLocation(zone), type: '' }));
    case 'digitalocean':
    case 'linode': {
      // The "zone" is a region, and the subnet is that region.
      const region = ctx.zones[0] ?? '';
      return {
        subnets: [{ name: region, region, zone: region, type: '' }],
        zoneSubnets: new Map([[region, [region]]]),
      };
    }
    default:
      return perZone(ctx, sharedIDs);
  }
}

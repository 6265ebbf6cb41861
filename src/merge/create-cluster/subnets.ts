import { bitsFor, formatCidr, parseCidr, splitCidr } from './cidr.js';

/** A cluster subnet as kops writes it under spec.subnets. */
export interface Subnet {
  name: string;
  type: string;
  zone?: string;
  region?: string;
  cidr?: string;
  egress?: string;
  id?: string;
}

// kops: upup/pkg/fi/cloudup/defaults.go (defaultAWSNetworkCIDR, defaultAzureNetworkCIDR).
const AWS_DEFAULT_NETWORK = '172.20.0.0/16';
const AZURE_DEFAULT_NETWORK = '10.0.0.0/16';
// kops's GCE subnets are carved from 10.0.0.0/8 in /20s; the first /20 is kept back.
const GCE_FIRST_SUBNET = parseCidr('10.0.16.0/20');

/**
 * Types the subnets for the topology and carves their CIDRs the way kops's
 * `assignCIDRsToSubnets` does for new clusters: the network is split into the smallest power of
 * two that holds every zone subnet (plus one reserved block in private topology, which is split
 * into eight for the utility subnets).
 */
export function assignSubnets(
  cloud: string,
  input: readonly Subnet[],
  topology: string,
  networkCIDR: string | undefined,
): { subnets: Subnet[]; networkCIDR?: string } {
  const isPrivate = topology === 'private';
  const subnets = input.map((s) => ({ ...s, type: isPrivate ? 'Private' : 'Public' }));
  if (cloud === 'gce') {
    subnets.forEach((s, i) => {
      s.cidr = formatCidr({ base: GCE_FIRST_SUBNET.base + i * 2 ** 12, prefix: 20 });
    });
    return { subnets };
  }
  // kops carves CIDRs itself on AWS, OpenStack and Azure (PerformAssignments); other clouds
  // (Hetzner, DigitalOcean, ...) let the cloud assign them.
  if (cloud !== 'aws' && cloud !== 'openstack' && cloud !== 'azure') return { subnets, ...(networkCIDR ? { networkCIDR } : {}) };
  const network = networkCIDR ?? (cloud === 'azure' ? AZURE_DEFAULT_NETWORK : AWS_DEFAULT_NETWORK);
  const parsed = parseCidr(network);
  // Subnets that arrive with a CIDR (one per extra --network-cidr block) keep it.
  const toCarve = subnets.filter((sub) => sub.cidr === undefined);
  if (!isPrivate) {
    const pieces = splitCidr(parsed, bitsFor(toCarve.length));
    toCarve.forEach((sub, i) => { sub.cidr = formatCidr(pieces[i] ?? parsed); });
    return { subnets, networkCIDR: network };
  }
  const pieces = splitCidr(parsed, bitsFor(toCarve.length + 1));
  toCarve.forEach((sub, i) => { sub.cidr = formatCidr(pieces[i + 1] ?? parsed); });
  // The first block is kept for utility subnets, eight to a block, handed out zone by zone.
  const utilityBlock = pieces[0] ?? parsed;
  const utilityPieces = splitCidr(utilityBlock, 3);
  const utilities: Subnet[] = subnets.map((sub) => ({
    name: `utility-${sub.name}`,
    type: 'Utility',
    ...(sub.zone ? { zone: sub.zone } : {}),
  }));
  const byZone = [...utilities].sort((a, b) => (a.zone ?? '').localeCompare(b.zone ?? ''));
  byZone.forEach((u, i) => { u.cidr = formatCidr(utilityPieces[i] ?? utilityBlock); });
  return { subnets: [...subnets, ...utilities], networkCIDR: network };
}

/**
 * IPv6 clusters on AWS: each zone gets an IPv6-only private subnet, a dual-stack subnet (where the
 * control plane runs) and a utility subnet. IPv6 blocks are placeholders kops resolves against
 * the VPC's /56 later (`/64#n`, numbered in list order). IPv4 blocks are carved as in private
 * topology, counting the IPv6-only subnets too.
 */
export function assignIPv6Subnets(zones: readonly string[], networkCIDR: string | undefined): { subnets: Subnet[]; networkCIDR: string } {
  const network = networkCIDR ?? AWS_DEFAULT_NETWORK;
  const parsed = parseCidr(network);
  const pieces = splitCidr(parsed, bitsFor(2 * zones.length + 1));
  const utilityBlock = pieces[0] ?? parsed;
  const utilityPieces = splitCidr(utilityBlock, 3);
  const subnets: (Subnet & { ipv6CIDR?: string })[] = [
    ...zones.map((zone) => ({ name: zone, type: 'Private', zone })),
    ...zones.map((zone, i) => ({ name: `dualstack-${zone}`, type: 'DualStack', zone, cidr: formatCidr(pieces[i + 1] ?? parsed) })),
    ...zones.map((zone, i) => ({ name: `utility-${zone}`, type: 'Utility', zone, cidr: formatCidr(utilityPieces[i] ?? utilityBlock) })),
  ];
  subnets.forEach((s, i) => { s.ipv6CIDR = `/64#${i.toString(16)}`; });
  return { subnets, networkCIDR: network };
}

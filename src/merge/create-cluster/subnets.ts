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

const AWS_DEFAULT_NETWORK = '172.20.0.0/16';
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
  if (cloud !== 'aws') return { subnets, ...(networkCIDR ? { networkCIDR } : {}) };
  const network = networkCIDR ?? AWS_DEFAULT_NETWORK;
  const parsed = parseCidr(network);
  if (!isPrivate) {
    const pieces = splitCidr(parsed, bitsFor(subnets.length));
    subnets.forEach((s, i) => { s.cidr = formatCidr(pieces[i] ?? parsed); });
    return { subnets, networkCIDR: network };
  }
  const pieces = splitCidr(parsed, bitsFor(subnets.length + 1));
  const utilityBlock = pieces[0] ?? parsed;
  const utilityPieces = splitCidr(utilityBlock, 3);
  const utilities: Subnet[] = [];
  subnets.forEach((s, i) => {
    s.cidr = formatCidr(pieces[i + 1] ?? parsed);
    const u: Subnet = { name: `utility-${s.name}`, type: 'Utility', cidr: formatCidr(utilityPieces[i] ?? utilityBlock) };
    if (s.zone) u.zone = s.zone;
    utilities.push(u);
  });
  return { subnets: [...subnets, ...utilities], networkCIDR: network };
}

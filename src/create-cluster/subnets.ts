import { StateStoreError } from '../errors.js';
import { formatCidr, parseCidr, splitCidr, type Cidr4 } from './cidr.js';

/** A cluster subnet as kops writes it under spec.subnets. */
export interface Subnet {
  name: string;
  type: string;
  zone?: string;
  region?: string;
  cidr?: string;
  ipv6CIDR?: string;
  egress?: string;
  id?: string;
}

/**
 * Types the zone subnets for the topology and adds the ones kops's `setupTopology` adds
 * (upup/pkg/fi/cloudup/new_cluster.go): in private topology a dual-stack subnet per private one
 * when IPv6 is on, and a utility subnet per private one except on GCE; both take the shared
 * `--utility-subnets` id of their zone. With IPv6 on AWS every subnet gets an IPv6 block
 * placeholder (`/64#n`, numbered in list order) that kops resolves against the VPC later.
 */
export function topologySubnets(
  cloud: string,
  input: readonly Subnet[],
  opts: { private: boolean; ipv6: boolean; utilityIDs: ReadonlyMap<string, string> },
): Subnet[] {
  const subnets: Subnet[] = input.map((s) => ({ ...s, type: opts.private ? 'Private' : 'Public' }));
  if (opts.private) {
    const privates = subnets.filter((s) => s.type === 'Private');
    const derived =
      (prefix: string, type: string) =>
      (s: Subnet): Subnet => {
        const id = s.zone ? opts.utilityIDs.get(s.zone) : undefined;
        return {
          name: `${prefix}-${s.name}`,
          type,
          ...(s.zone ? { zone: s.zone } : {}),
          ...(s.region ? { region: s.region } : {}),
          ...(id ? { id } : {}),
        };
      };
    if (opts.ipv6) for (const subnet of privates.map(derived('dualstack', 'DualStack'))) subnets.push(subnet);
    if (cloud !== 'gce') for (const subnet of privates.map(derived('utility', 'Utility'))) subnets.push(subnet);
  }
  if (opts.ipv6 && cloud === 'aws')
    subnets.forEach((s, i) => {
      s.ipv6CIDR = `/64#${i.toString(16)}`;
    });
  return subnets;
}

function contains(net: Cidr4, ip: number): boolean {
  const size = 2 ** (32 - net.prefix);
  return ip >= net.base && ip < net.base + size;
}

// kops: pkg/util/subnet Overlap.
function overlap(a: Cidr4, b: Cidr4): boolean {
  return contains(a, b.base) || contains(b, a.base);
}

// Go's net.ParseCIDR returns the network, with host bits cleared.
function network(text: string, what: string): Cidr4 {
  let parsed: Cidr4;
  try {
    parsed = parseCidr(text);
  } catch (cause) {
    throw new StateStoreError('InvalidArgument', `${what}: invalid CIDR ${JSON.stringify(text)}`, { cause });
  }
  const size = 2 ** (32 - parsed.prefix);
  return { base: Math.floor(parsed.base / size) * size, prefix: parsed.prefix };
}

function needsCIDR(s: Subnet): boolean {
  return !s.cidr && !(s.ipv6CIDR && s.type === 'Private');
}

function byZone(list: Subnet[]): Subnet[] {
  // Go's sort.Sort on these short lists keeps equal zones in list order; a stable sort does the same.
  return [...list].sort((a, b) => ((a.zone ?? '') < (b.zone ?? '') ? -1 : (a.zone ?? '') > (b.zone ?? '') ? 1 : 0));
}

// The network is split into 1, 2, 4 or 8 blocks; blocks overlapping a subnet that already has a
// CIDR are dropped; the first remaining block (when there are utility subnets) is split into 8.
function carve(networkCIDR: Cidr4, big: Subnet[], little: Subnet[], reserved: Cidr4[]): void {
  const count = big.length + (little.length > 0 ? 1 : 0);
  const bits = count <= 1 ? 0 : count <= 2 ? 1 : count <= 4 ? 2 : 3;
  let blocks = splitCidr(networkCIDR, bits).filter((c) => !reserved.some((r) => overlap(r, c)));
  if (blocks.length === 0) {
    throw new StateStoreError(
      'InvalidArgument',
      'networkCIDR: no CIDR in the network is free of existing subnets; cannot assign subnet CIDRs',
    );
  }
  if (little.length > 0) {
    const small = splitCidr(blocks[0] as Cidr4, 3);
    blocks = blocks.slice(1);
    for (const s of little.filter((x) => !x.cidr)) {
      const next = small.shift();
      if (!next)
        throw new StateStoreError(
          'InvalidArgument',
          `subnets: no CIDR left to assign to subnet ${JSON.stringify(s.name)}`,
        );
      s.cidr = formatCidr(next);
    }
  }
  for (const s of big.filter(needsCIDR)) {
    const next = blocks.shift();
    if (!next)
      throw new StateStoreError(
        'InvalidArgument',
        `subnets: no CIDR left to assign to subnet ${JSON.stringify(s.name)} (kops splits the network into at most 8)`,
      );
    s.cidr = formatCidr(next);
  }
}

/**
 * Assigns CIDRs to the subnets that have none, as kops's `assignCIDRsToSubnets`
 * (upup/pkg/fi/cloudup/subnets.go) does for new clusters on AWS, OpenStack and Azure. Subnets
 * already holding a CIDR inside the network reserve it; those outside (extra `--network-cidr`
 * blocks) are left alone. Mutates and returns `subnets`.
 */
export function assignCIDRs(subnets: Subnet[], networkCIDR: string | undefined): Subnet[] {
  if (!subnets.some(needsCIDR)) return subnets;
  if (!networkCIDR)
    throw new StateStoreError('InvalidArgument', 'networkCIDR is required to assign subnet CIDRs (give networkCIDRs)');
  const net = network(networkCIDR, 'networkCIDR');
  const big: Subnet[] = [];
  const little: Subnet[] = [];
  const reserved: Cidr4[] = [];
  for (const s of subnets) {
    const own = s.cidr ? network(s.cidr, `subnet ${s.name}`) : undefined;
    if (own && !contains(net, own.base)) continue;
    if (s.type === 'Utility') little.push(s);
    else if (s.type === 'Public' || s.type === 'Private' || s.type === 'DualStack') big.push(s);
    else
      throw new StateStoreError(
        'InvalidArgument',
        `subnet ${JSON.stringify(s.name)} has unknown type ${JSON.stringify(s.type)}`,
      );
    if (own) reserved.push(own);
  }
  carve(net, byZone(big), byZone(little), reserved);
  return subnets;
}

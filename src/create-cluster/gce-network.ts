import { StateStoreError } from '../errors.js';
import { formatCidr, parseCidr, type Cidr4 } from './cidr.js';
import type { Subnet } from './subnets.js';

// GCE networks have no CIDR of their own; kops draws subnet ranges from RFC 1918's 10.0.0.0/8.
const GCE_POOL = parseCidr('10.0.0.0/8');

function overlaps(a: Cidr4, b: Cidr4): boolean {
  const inside = (n: Cidr4, ip: number): boolean => ip >= n.base && ip < n.base + 2 ** (32 - n.prefix);
  return inside(a, b.base) || inside(b, a.base);
}

/**
 * kops's `CIDRMap.Allocate` (pkg/util/subnet/cidrmap.go): the first block of the given size in
 * the pool that overlaps nothing in use, never the pool's first block. Marks it used.
 */
export function allocate(used: Cidr4[], prefix: number, pool: Cidr4 = GCE_POOL): Cidr4 {
  const step = 2 ** (32 - prefix);
  for (let base = pool.base + step; base < pool.base + 2 ** (32 - pool.prefix); base += step) {
    const candidate = { base, prefix };
    if (!used.some((u) => overlaps(u, candidate))) {
      used.push(candidate);
      return candidate;
    }
  }
  throw new StateStoreError('InvalidArgument', `subnets: cannot allocate a /${prefix} from ${formatCidr(pool)}`);
}

/** What kops's `gce.PerformNetworkAssignments` (upup/pkg/fi/cloudup/gce/network.go) adds to a GCE cluster. */
export interface GceAssignments {
  subnets: Subnet[];
  podCIDR?: string;
  serviceClusterIPRange?: string;
  nonMasqueradeCIDR?: string;
}

/**
 * GCE subnet ranges: /20 blocks for subnets that are neither shared nor already ranged; with IP
 * aliases (`gce` or `kindnet` networking) the one subnet gets a /19 and the cluster a /14 pod and
 * a /16 service range. `usedRanges` are the ranges an existing network already holds.
 */
export function gceAssignments(subnets: Subnet[], ipAliases: boolean, usedRanges: readonly string[]): GceAssignments {
  const used = usedRanges.map((r) => parseCidr(r));
  if (ipAliases) {
    if (subnets.length !== 1)
      throw new StateStoreError('InvalidArgument', 'zones: GCE IP aliases need exactly one subnet (one region)');
    const pod = allocate(used, 14);
    const service = allocate(used, 16);
    const node = allocate(used, 19);
    const [only] = subnets;
    return {
      subnets: [{ ...(only as Subnet), cidr: (only as Subnet).cidr || formatCidr(node) }],
      podCIDR: formatCidr(pod),
      serviceClusterIPRange: formatCidr(service),
      nonMasqueradeCIDR: formatCidr(GCE_POOL),
    };
  }
  return { subnets: subnets.map((s) => (s.id || s.cidr ? s : { ...s, cidr: formatCidr(allocate(used, 20)) })) };
}

import { StateStoreError } from '../../vfs/errors.js';
import type { Subnet } from './subnets.js';

/** An existing subnet as the cloud describes it. */
export interface SubnetFact {
  /** Its availability zone (kops matches shared subnets to cluster zones by it). */
  zone: string;
  /** Its IPv4 CIDR, which kops copies into the cluster spec. */
  cidr: string;
  /** The network (VPC) it belongs to; kops takes it as `networkID` when `--subnets` comes without `--network-id`. */
  network?: string;
}

/**
 * What kops would read from the cloud while creating a cluster. The functions here stay pure:
 * the caller looks these up (or knows them) and passes them in. Each fact names the cloud call
 * kops makes for it.
 */
export interface CloudFacts {
  /** CIDR of each existing network (VPC) by id (kops: `FindVPCInfo`, upup/pkg/fi/cloudup/defaults.go). */
  networks?: Record<string, { cidr: string }>;
  /**
   * Existing subnets by id (kops: EC2 `DescribeSubnets` in `setupVPC` and
   * `getAWSZoneToSubnetProviderID`; OpenStack `FindNetworkBySubnetID`).
   */
  subnets?: Record<string, SubnetFact>;
  /**
   * The architectures each machine type supports, in the cloud's order, e.g. `['x86_64']`,
   * `['arm64']`, `['i386', 'x86_64']` (kops: EC2 `DescribeInstanceTypes` in `MachineArchitecture`,
   * upup/pkg/fi/cloudup/new_cluster.go). Without a fact for a type, AWS types are judged by name
   * (Graviton families such as `m6g`, `c7gn`, `t4g`, `a1` are arm64).
   */
  machineTypes?: Record<string, { architectures: string[] }>;
}

/**
 * The network a shared subnet is in: kops reads it from the cloud when `--subnets` is given
 * without `--network-id` (kops: `setupVPC`, upup/pkg/fi/cloudup/new_cluster.go).
 */
export function networkOfSubnet(facts: CloudFacts | undefined, subnetID: string): string {
  const network = lookupSubnet(facts, subnetID).network;
  if (!network) {
    throw new StateStoreError('InvalidArgument', `subnetIDs: the network of subnet ${JSON.stringify(subnetID)} is not described in cloudFacts.subnets (give networkID or cloudFacts.subnets[id].network)`);
  }
  return network;
}

function lookupSubnet(facts: CloudFacts | undefined, id: string): SubnetFact {
  const found = facts?.subnets?.[id];
  if (!found) throw new StateStoreError('InvalidArgument', `subnet ${JSON.stringify(id)} is not described in cloudFacts.subnets`);
  return found;
}

/** The CIDR of a shared network, which kops takes as the cluster's networkCIDR. */
export function sharedNetworkCIDR(facts: CloudFacts | undefined, networkID: string): string {
  const found = facts?.networks?.[networkID];
  if (!found) throw new StateStoreError('InvalidArgument', `network ${JSON.stringify(networkID)} is not described in cloudFacts.networks`);
  return found.cidr;
}

/**
 * Points the zone subnets (and utility subnets) at shared subnets: each takes the shared
 * subnet's id and CIDR, matched by zone as kops's `getAWSZoneToSubnetProviderID` does.
 */
export function attachSharedSubnets(
  subnets: Subnet[],
  facts: CloudFacts | undefined,
  shared: { subnetIDs: readonly string[]; utilitySubnetIDs: readonly string[]; networkID?: string | undefined },
): Subnet[] {
  const out = subnets.map((s) => ({ ...s }));
  const attach = (ids: readonly string[], utility: boolean): void => {
    for (const id of ids) {
      const info = lookupSubnet(facts, id);
      // kops looks the subnets up inside the VPC and fails on one from another network.
      if (info.network && shared.networkID && info.network !== shared.networkID) {
        throw new StateStoreError('InvalidArgument', `subnet ${JSON.stringify(id)} is not in network ${JSON.stringify(shared.networkID)}`);
      }
      const target = out.find((s) => s.zone === info.zone && (s.type === 'Utility') === utility);
      if (!target) throw new StateStoreError('InvalidArgument', `subnet ${JSON.stringify(id)} is in zone ${info.zone}, which the cluster does not use`);
      target.id = id;
      target.cidr = info.cidr;
    }
  };
  attach(shared.subnetIDs, false);
  attach(shared.utilitySubnetIDs, true);
  return out;
}

import { StateStoreError } from '../../vfs/errors.js';
import type { Subnet } from './subnets.js';

/**
 * What kops would read from the cloud while creating a cluster into existing infrastructure
 * (`--vpc`, `--subnets`, `--utility-subnets`). The functions here stay pure: the caller looks
 * these up (or knows them) and passes them in.
 */
export interface CloudFacts {
  /** CIDR of each existing network (VPC) by id. */
  networks?: Record<string, { cidr: string }>;
  /** Existing subnets by id: their zone and CIDR. */
  subnets?: Record<string, { zone: string; cidr: string }>;
}

function lookupSubnet(facts: CloudFacts | undefined, id: string): { zone: string; cidr: string } {
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
  subnetIDs: readonly string[],
  utilitySubnetIDs: readonly string[],
): Subnet[] {
  const out = subnets.map((s) => ({ ...s }));
  const attach = (ids: readonly string[], utility: boolean): void => {
    for (const id of ids) {
      const info = lookupSubnet(facts, id);
      const target = out.find((s) => s.zone === info.zone && (s.type === 'Utility') === utility);
      if (!target) throw new StateStoreError('InvalidArgument', `subnet ${JSON.stringify(id)} is in zone ${info.zone}, which the cluster does not use`);
      target.id = id;
      target.cidr = info.cidr;
    }
  };
  attach(subnetIDs, false);
  attach(utilitySubnetIDs, true);
  return out;
}

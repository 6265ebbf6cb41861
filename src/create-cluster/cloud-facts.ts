import { StateStoreError } from '../errors.js';
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
  /**
   * Existing networks by id. `cidr`: an AWS VPC's or Azure VNet's CIDR (kops: `FindVPCInfo` /
   * `FindVNetInfo` in `PerformAssignments`, upup/pkg/fi/cloudup/defaults.go). `usedRanges`: the
   * primary and secondary ranges of a GCE network's subnets, which new subnets avoid (kops:
   * `buildUsed`, upup/pkg/fi/cloudup/gce/network.go).
   */
  networks?: Record<
    string,
    {
      /** The network's IPv4 CIDR (AWS VPC, Azure VNet). */
      cidr?: string;
      /** CIDRs already used in the network (GCE subnets' primary and secondary ranges). */
      usedRanges?: string[];
    }
  >;
  /**
   * Existing subnets by id (kops: EC2 `DescribeSubnets` in `setupVPC` and
   * `getAWSZoneToSubnetProviderID`; OpenStack `FindNetworkBySubnetID`).
   */
  subnets?: Record<string, SubnetFact>;
  /**
   * The architectures each machine type supports, in the cloud's order, e.g. `['x86_64']`,
   * `['arm64']`, `['i386', 'x86_64']` (kops: EC2 `DescribeInstanceTypes` in `MachineArchitecture`,
   * upup/pkg/fi/cloudup/new_cluster.go). Without a fact for a type, AWS types are judged by name
   * (Graviton families such as `m6g`, `c7gn`, `t4g`, `a1` are arm64). Validation reads them too
   * (kops's aws.go: a group's machine type must support its image's architecture), as it reads
   * `images`: see `validateClusterWithInstanceGroups`' `cloudFacts`.
   */
  machineTypes?: Record<
    string,
    {
      /** Supported architectures, in the cloud's order. */
      architectures: string[];
      /** Whether EC2 reports a GPU for the type (kops aws.go:315: a mixed-instances policy does not mix GPU and non-GPU types). */
      gpu?: boolean;
    }
  >;
  /**
   * The zones each AWS instance type is offered in (kops: EC2 `DescribeReservedInstancesOfferings`
   * in `zonesWithInstanceType`, upup/pkg/fi/cloudup/awsup/aws_cloud.go). kops gives a group
   * without a size the first of t3.medium, c5.large, c4.large (t3.micro, t2.micro for bastions)
   * offered in all its zones; without this fact the first is taken.
   */
  instanceTypeZones?: Record<string, string[]>;
  /** AMI architectures by image name (kops: `ResolveImage`), to pick t4g types for arm64 images. */
  images?: Record<
    string,
    {
      /** The image's architecture, e.g. `x86_64` or `arm64`. */
      architecture: string;
    }
  >;
  /**
   * What the cloud's `DefaultInstanceType` answers, by role, when it is known outright (kops's
   * mock AWS cloud answers m3.medium, t2.medium and t2.micro); it wins over the offerings.
   */
  defaultMachineTypes?: {
    /** For control-plane groups. */
    controlPlane?: string;
    /** For API-server-only groups. */
    apiServer?: string;
    /** For node groups. */
    node?: string;
    /** For bastion groups. */
    bastion?: string;
  };
  /** OpenStack flavors (kops: `flavors.ListDetail` in openstack `defaultInstanceType`). */
  flavors?: {
    /** The flavor's name, written as the group's machine type. */
    name: string;
    /** Memory, in MiB as OpenStack reports it. */
    ram: number;
    /** Virtual CPUs. */
    vcpus: number;
  }[];
}

/**
 * The network a shared subnet is in: kops reads it from the cloud when `--subnets` is given
 * without `--network-id` (kops: `setupVPC`, upup/pkg/fi/cloudup/new_cluster.go).
 */
export function networkOfSubnet(facts: CloudFacts | undefined, subnetID: string): string {
  const network = lookupSubnet(facts, subnetID).network;
  if (!network) {
    throw new StateStoreError(
      'InvalidArgument',
      `subnetIDs: the network of subnet ${JSON.stringify(subnetID)} is not described in cloudFacts.subnets (give networkID or cloudFacts.subnets[id].network)`,
    );
  }
  return network;
}

function lookupSubnet(facts: CloudFacts | undefined, id: string): SubnetFact {
  const found = facts?.subnets?.[id];
  if (!found)
    throw new StateStoreError('InvalidArgument', `subnet ${JSON.stringify(id)} is not described in cloudFacts.subnets`);
  return found;
}

/** The CIDR of a shared network, which kops takes as the cluster's networkCIDR. */
export function sharedNetworkCIDR(facts: CloudFacts | undefined, networkID: string): string {
  const cidr = facts?.networks?.[networkID]?.cidr;
  if (!cidr)
    throw new StateStoreError(
      'InvalidArgument',
      `network ${JSON.stringify(networkID)}: its CIDR is not described in cloudFacts.networks (or give networkCIDRs)`,
    );
  return cidr;
}

/**
 * Which shared subnet serves each zone (kops: `getAWSZoneToSubnetProviderID` and
 * `getOpenstackZoneToSubnetProviderID`, upup/pkg/fi/cloudup/new_cluster.go): every subnet must be
 * in the network, and no two in one zone.
 */
export function zoneToSubnetID(
  facts: CloudFacts | undefined,
  networkID: string | undefined,
  ids: readonly string[],
): Map<string, string> {
  const byZone = new Map<string, string>();
  for (const id of ids) {
    const info = lookupSubnet(facts, id);
    if (info.network && networkID && info.network !== networkID) {
      throw new StateStoreError(
        'InvalidArgument',
        `subnet ${JSON.stringify(id)} is not in network ${JSON.stringify(networkID)}`,
      );
    }
    const other = byZone.get(info.zone);
    if (other)
      throw new StateStoreError(
        'InvalidArgument',
        `subnets ${JSON.stringify(id)} and ${JSON.stringify(other)} are in the same zone ${info.zone}`,
      );
    byZone.set(info.zone, id);
  }
  return byZone;
}

/**
 * Shared subnets take their CIDR from the cloud, which must agree with any CIDR and zone already
 * in the spec (kops: the start of `assignCIDRsToSubnets`, upup/pkg/fi/cloudup/subnets.go).
 */
export function fillSharedSubnetCIDRs(subnets: Subnet[], facts: CloudFacts | undefined, networkID: string): void {
  for (const subnet of subnets) {
    if (!subnet.id) continue;
    const info = lookupSubnet(facts, subnet.id);
    if (info.network && info.network !== networkID) {
      throw new StateStoreError(
        'InvalidArgument',
        `subnet ${JSON.stringify(subnet.id)} is not in network ${JSON.stringify(networkID)}`,
      );
    }
    if (!subnet.cidr) subnet.cidr = info.cidr;
    else if (subnet.cidr !== info.cidr) {
      throw new StateStoreError(
        'InvalidArgument',
        `subnet ${JSON.stringify(subnet.id)} has configured CIDR ${subnet.cidr}, but the cloud says ${info.cidr}`,
      );
    }
    if (subnet.zone !== undefined && subnet.zone !== info.zone) {
      throw new StateStoreError(
        'InvalidArgument',
        `subnet ${JSON.stringify(subnet.id)} has configured zone ${subnet.zone}, but the cloud says ${info.zone}`,
      );
    }
  }
}

// kops validation.go (@268927e) 324-332, 557-773, 1122-1339: provider constraints, DNS topology,
// subnets, validateNetworking. Rules (error constructors, IsValidValue calls): 25 of 25 in 557-773
// (with its call to aws.go's awsValidateAdditionalRoutes, 769, aws.ts); 14 of 14 in 1122-1245.
import { append, duplicate, forbidden, invalid, required, type ErrorList } from '../field/errors.js';
import type { FieldPath } from '../field/path.js';
import { awsValidateAdditionalRoutes } from './aws.js';
import { belongsTo, formatIPNet, isPrivateIP, overlap, type GoIPNet } from './go-net.js';
import { getCloudProvider, isIPv6Only, isValidValue, usesNoneDNS, usesPrivateDNS, usesPublicDNS } from './helpers.js';
import type { View } from './spec.js';
import { parseCIDR, validateIPv6CIDR } from './validation-cidr.js';
import { validateNetworkingCNIs } from './validation-cni.js';

/** kops validation.go:324 cloudProviderConstraints. */
export interface CloudProviderConstraints {
  requiresSubnets: boolean;
  requiresNetworkCIDR: boolean;
  prohibitsNetworkCIDR: boolean;
  prohibitsMultipleNetworkCIDRs: boolean;
  requiresNonMasqueradeCIDR: boolean;
  requiresSubnetCIDR: boolean;
  requiresSubnetRegion: boolean;
}

/** The parsed ranges validateNetworking hands to validateSubnets. */
interface Ranges {
  networkCIDRs: GoIPNet[];
  podCIDR: GoIPNet | undefined;
  serviceClusterIPRange: GoIPNet | undefined;
}

// kops validation.go:557 validateTopology
function validateTopology(c: View, topology: View, fieldPath: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const dns = topology.get('dns').str();
  const dnsTypes = ['Public', 'Private', 'None'];
  if (dns !== '') append(allErrs, isValidValue(fieldPath.child('dns', 'type'), dns, dnsTypes, 'validation.go:561'));
  append(allErrs, validateCloudDNSTopology(c, fieldPath.child('dns', 'type')));
  return allErrs;
}

// kops validation.go:569 usesLegacyGossip
function usesLegacyGossip(c: View): boolean {
  return !usesNoneDNS(c) && c.get('metadata', 'name').str().replace(/\.$/, '').endsWith('.k8s.local');
}

const CLOUD_DNS_TOPOLOGIES: Record<string, { none: boolean; public: boolean; private: boolean }> = {
  aws: { none: true, public: true, private: true },
  azure: { none: true, public: false, private: false },
  digitalocean: { none: true, public: true, private: false },
  gce: { none: true, public: true, private: true },
  hetzner: { none: true, public: false, private: false },
  linode: { none: true, public: false, private: false },
  metal: { none: true, public: false, private: false },
  openstack: { none: true, public: true, private: true },
  scaleway: { none: true, public: true, private: false },
};

// kops validation.go:573 validateCloudDNSTopology
export function validateCloudDNSTopology(c: View, fieldPath: FieldPath): ErrorList {
  const cloud = getCloudProvider(c);
  const topologies = CLOUD_DNS_TOPOLOGIES[cloud];
  if (topologies === undefined)
    return [
      forbidden(fieldPath, `cloud provider "${cloud}" has no declared DNS topology support`, 'validation.go:595'),
    ];
  if (usesLegacyGossip(c)) {
    const detail =
      'gossip DNS support was removed in kOps 1.37; migrate the cluster to dns=none or a hosted DNS zone using kOps 1.36 before upgrading (see https://kops.sigs.k8s.io/gossip/)';
    return [forbidden(fieldPath, detail, 'validation.go:601')];
  }
  if (usesNoneDNS(c)) {
    if (!topologies.none)
      return [
        forbidden(fieldPath, `cloud provider "${cloud}" does not support none dns topology`, 'validation.go:605'),
      ];
    return [];
  }
  if (usesPrivateDNS(c)) {
    if (!topologies.private)
      return [
        forbidden(fieldPath, `cloud provider "${cloud}" does not support private dns topology`, 'validation.go:611'),
      ];
    return [];
  }
  if (usesPublicDNS(c)) {
    if (!topologies.public)
      return [
        forbidden(fieldPath, `cloud provider "${cloud}" does not support public dns topology`, 'validation.go:617'),
      ];
    return [];
  }
  return [forbidden(fieldPath, 'unsupported dns topology', 'validation.go:622')];
}

// kops validation.go:626 validateSubnets
export function validateSubnets(
  cluster: View,
  subnets: View[],
  fieldPath: FieldPath,
  strict: boolean,
  providerConstraints: CloudProviderConstraints,
  ranges: Ranges,
): ErrorList {
  const allErrs: ErrorList = [];
  if (providerConstraints.requiresSubnets && subnets.length === 0)
    allErrs.push(required(fieldPath, 'must configure at least one subnet (use --zones)', 'validation.go:631'));
  subnets.forEach((s, i) =>
    append(allErrs, validateSubnet(s, cluster.get('spec'), fieldPath.index(i), strict, providerConstraints, ranges)),
  );
  // cannot duplicate subnet name
  const names = new Set<string>();
  subnets.forEach((s, i) => {
    const name = s.get('name').str();
    if (names.has(name)) allErrs.push(duplicate(fieldPath.index(i).child('name'), name, 'validation.go:645'));
    names.add(name);
  });
  // cannot mix subnets with specified ID and without specified id
  const hasID = subnets.length > 0 && subnets[0]!.get('id').str() !== '';
  subnets.forEach((s, i) => {
    if ((s.get('id').str() !== '') !== hasID) {
      const detail = 'cannot mix subnets with specified ID and unspecified ID';
      allErrs.push(forbidden(fieldPath.index(i).child('id'), detail, 'validation.go:656'));
    }
  });
  if (providerConstraints.requiresSubnetRegion) {
    let region = '';
    subnets.forEach((s, i) => {
      const subnetRegion = s.get('region').str();
      if (subnetRegion === '') {
        allErrs.push(required(fieldPath.index(i).child('region'), 'region must be specified', 'validation.go:665'));
      } else if (region === '') {
        region = subnetRegion;
      } else if (region !== subnetRegion) {
        allErrs.push(
          forbidden(fieldPath.index(i).child('region'), 'clusters cannot span regions', 'validation.go:670'),
        );
      }
    });
  }
  if (getCloudProvider(cluster) !== 'aws') {
    subnets.forEach((s, i) => {
      if (s.get('ipv6CIDR').str() !== '')
        allErrs.push(
          forbidden(
            fieldPath.index(i).child('ipv6CIDR'),
            'ipv6CIDR can only be specified for AWS',
            'validation.go:679',
          ),
        );
    });
  }
  return allErrs;
}

const EGRESS_TYPES = ['nat', 'eipalloc', 'i', 'External', 'tgw'];

// kops validation.go:687 validateSubnet (`c` is the cluster's spec)
function validateSubnet(
  subnetSpec: View,
  c: View,
  fieldPath: FieldPath,
  strict: boolean,
  providerConstraints: CloudProviderConstraints,
  ranges: Ranges,
): ErrorList {
  const allErrs: ErrorList = [];
  const name = subnetSpec.get('name').str();
  const cidr = subnetSpec.get('cidr').str();
  const ipv6CIDR = subnetSpec.get('ipv6CIDR').str();
  const type = subnetSpec.get('type').str();
  if (name === '') allErrs.push(required(fieldPath.child('name'), '', 'validation.go:692'));
  if (cidr === '') {
    if (providerConstraints.requiresSubnetCIDR && strict) {
      if (!c.get('networking', 'nonMasqueradeCIDR').str().includes(':') || ipv6CIDR === '')
        allErrs.push(required(fieldPath.child('cidr'), 'subnet does not have a cidr set', 'validation.go:699'));
    }
  } else {
    append(allErrs, validateSubnetCIDR(subnetSpec, c, fieldPath, ranges));
  }
  if (ipv6CIDR !== '')
    append(allErrs, validateIPv6CIDR(fieldPath.child('ipv6CIDR'), ipv6CIDR, ranges.serviceClusterIPRange));
  append(allErrs, validateSubnetEgress(subnetSpec, fieldPath));
  const types = ['Public', 'Private', 'DualStack', 'Utility'];
  append(allErrs, isValidValue(fieldPath.child('type'), type, types, 'validation.go:744'));
  if (type === 'DualStack' && !isIPv6Only(c))
    allErrs.push(
      forbidden(
        fieldPath.child('type'),
        'subnet type DualStack may only be used in IPv6 clusters',
        'validation.go:752',
      ),
    );
  const openstack = c.get('cloudProvider', 'openstack');
  if (openstack.present && !openstack.get('router', 'externalNetwork').present && type === 'Public')
    allErrs.push(
      forbidden(fieldPath.child('type'), 'subnet type Public requires an external network', 'validation.go:758'),
    );
  if (c.get('cloudProvider', 'aws').present && subnetSpec.get('additionalRoutes').present) {
    const path = fieldPath.child('additionalRoutes');
    if (subnetSpec.get('id').str().length > 0)
      allErrs.push(forbidden(path, 'additional routes cannot be added if the subnet is shared', 'validation.go:765'));
    else if (type !== 'Private')
      allErrs.push(forbidden(path, 'additional routes can only be added on private subnets', 'validation.go:767'));
    append(allErrs, awsValidateAdditionalRoutes(path, subnetSpec.get('additionalRoutes').list(), ranges.networkCIDRs));
  }
  return allErrs;
}

// validation.go:733-742: the subnet's egress.
function validateSubnetEgress(subnetSpec: View, fieldPath: FieldPath): ErrorList {
  const ipv6CIDR = subnetSpec.get('ipv6CIDR').str();
  const type = subnetSpec.get('type').str();
  const allErrs: ErrorList = [];
  const egress = subnetSpec.get('egress').str();
  if (egress !== '') {
    if (!EGRESS_TYPES.includes(egress.split('-')[0]!)) {
      const detail =
        'egress must be of type NAT Gateway, NAT Gateway with existing ElasticIP, NAT EC2 Instance, Transit Gateway, or External';
      allErrs.push(invalid(fieldPath.child('egress'), egress, detail, 'validation.go:736'));
    }
    if (egress !== 'External' && type !== 'DualStack' && type !== 'Private' && (ipv6CIDR === '' || type !== 'Public')) {
      const detail = 'egress can only be specified for private or IPv6-capable public subnets';
      allErrs.push(forbidden(fieldPath.child('egress'), detail, 'validation.go:740'));
    }
  }
  return allErrs;
}

// validation.go:703-725: the subnet's CIDR within the network, outside the pod and service ranges.
function validateSubnetCIDR(subnetSpec: View, c: View, fieldPath: FieldPath, ranges: Ranges): ErrorList {
  const name = subnetSpec.get('name').str();
  const cidr = subnetSpec.get('cidr').str();
  const [subnetCIDR, allErrs] = parseCIDR(fieldPath.child('cidr'), cidr);
  if (ranges.networkCIDRs.length > 0 && subnetCIDR !== undefined) {
    if (!ranges.networkCIDRs.some((networkCIDR) => belongsTo(networkCIDR, subnetCIDR))) {
      const extraMsg = ranges.networkCIDRs.length > 1 ? ' or an additionalNetworkCIDR' : '';
      const networkCIDR = c.get('networking', 'networkCIDR').str();
      const detail = `subnet "${name}" cidr "${cidr}" is not a subnet of the networkCIDR "${networkCIDR}"${extraMsg}`;
      allErrs.push(forbidden(fieldPath.child('cidr'), detail, 'validation.go:717'));
    }
  }
  if (overlap(subnetCIDR, ranges.podCIDR) && !c.get('networking', 'amazonVPC').present) {
    const detail = `subnet "${name}" cidr "${cidr}" must not overlap podCIDR "${formatIPNet(ranges.podCIDR!)}"`;
    allErrs.push(forbidden(fieldPath.child('cidr'), detail, 'validation.go:721'));
  }
  if (overlap(subnetCIDR, ranges.serviceClusterIPRange)) {
    const range = formatIPNet(ranges.serviceClusterIPRange!);
    const detail = `subnet "${name}" cidr "${cidr}" must not overlap serviceClusterIPRange "${range}"`;
    allErrs.push(forbidden(fieldPath.child('cidr'), detail, 'validation.go:724'));
  }
  return allErrs;
}

// kops validation.go:1122 validateNetworking
export function validateNetworking(
  cluster: View,
  v: View,
  fldPath: FieldPath,
  strict: boolean,
  providerConstraints: CloudProviderConstraints,
): ErrorList {
  const [allErrs, networkCIDRs] = validateNetworkCIDRs(cluster, v, fldPath, providerConstraints);
  const [nonMasqErrs, nonMasqueradeCIDR] = validateNonMasqueradeCIDR(v, fldPath, providerConstraints, networkCIDRs);
  append(allErrs, nonMasqErrs);
  let podCIDR: GoIPNet | undefined;
  const podText = v.get('podCIDR').str();
  if (podText === '') {
    if (strict && !isIPv6Only(cluster.get('spec')))
      allErrs.push(required(fldPath.child('podCIDR'), 'Cluster did not have podCIDR set', 'validation.go:1210'));
  } else {
    let errs: ErrorList;
    [podCIDR, errs] = parseCIDR(fldPath.child('podCIDR'), podText);
    append(allErrs, errs);
    if (podCIDR !== undefined && nonMasqueradeCIDR !== undefined && !belongsTo(nonMasqueradeCIDR, podCIDR)) {
      const detail = `podCIDR "${formatIPNet(podCIDR)}" must be a subnet of nonMasqueradeCIDR "${formatIPNet(nonMasqueradeCIDR)}"`;
      allErrs.push(forbidden(fldPath.child('podCIDR'), detail, 'validation.go:1219'));
    }
  }
  let serviceClusterIPRange: GoIPNet | undefined;
  const serviceText = v.get('serviceClusterIPRange').str();
  if (serviceText === '') {
    if (strict)
      allErrs.push(
        required(
          fldPath.child('serviceClusterIPRange'),
          'Cluster did not have serviceClusterIPRange set',
          'validation.go:1229',
        ),
      );
  } else {
    let errs: ErrorList;
    [serviceClusterIPRange, errs] = parseCIDR(fldPath.child('serviceClusterIPRange'), serviceText);
    append(allErrs, errs);
  }
  const ranges = { networkCIDRs, podCIDR, serviceClusterIPRange };
  append(
    allErrs,
    validateSubnets(cluster, v.get('subnets').list(), fldPath.child('subnets'), strict, providerConstraints, ranges),
  );
  if (v.get('topology').present)
    append(allErrs, validateTopology(cluster, v.get('topology'), fldPath.child('topology')));
  append(allErrs, validateNetworkingCNIs(cluster, v, fldPath));
  return allErrs;
}

// validation.go:1126-1174: networkCIDR and additionalNetworkCIDRs.
function validateNetworkCIDRs(
  cluster: View,
  v: View,
  fldPath: FieldPath,
  constraints: CloudProviderConstraints,
): [ErrorList, GoIPNet[]] {
  const allErrs: ErrorList = [];
  const networkCIDRs: GoIPNet[] = [];
  const text = v.get('networkCIDR').str();
  const cloud = getCloudProvider(cluster);
  if (text === '') {
    if (constraints.requiresNetworkCIDR)
      allErrs.push(
        required(fldPath.child('networkCIDR'), 'Cluster does not have networkCIDR set', 'validation.go:1130'),
      );
  } else if (constraints.prohibitsNetworkCIDR) {
    allErrs.push(forbidden(fldPath.child('networkCIDR'), `${cloud} doesn't support networkCIDR`, 'validation.go:1133'));
  } else {
    const [networkCIDR, errs] = parseCIDR(fldPath.child('networkCIDR'), text);
    append(allErrs, errs);
    if (networkCIDR !== undefined) networkCIDRs.push(networkCIDR);
    const privateRange: [string, string, string, string][] = [
      [
        'digitalocean',
        'validation.go:1144',
        'validation.go:1148',
        "DO doesn't support specifying both NetworkID and NetworkCIDR",
      ],
      [
        'linode',
        'validation.go:1155',
        'validation.go:1159',
        "Akamai (Linode) doesn't support specifying both NetworkID and NetworkCIDR",
      ],
    ];
    for (const [provider, privateRule, idRule, idDetail] of privateRange) {
      if (cloud !== provider) continue;
      if (networkCIDR !== undefined && !isPrivateIP(networkCIDR.ip))
        allErrs.push(
          invalid(fldPath.child('networkCIDR'), text, 'networkCIDR must be within a private IP range', privateRule),
        );
      if (v.get('networkID').str() !== '') allErrs.push(forbidden(fldPath.child('networkCIDR'), idDetail, idRule));
    }
  }
  const additional = v.get('additionalNetworkCIDRs').strings();
  if (additional.length > 0 && constraints.prohibitsMultipleNetworkCIDRs) {
    const detail = `${cloud} doesn't support additionalNetworkCIDRs`;
    allErrs.push(forbidden(fldPath.child('additionalNetworkCIDRs'), detail, 'validation.go:1165'));
  } else {
    additional.forEach((cidr, i) => {
      const [networkCIDR, errs] = parseCIDR(fldPath.child('additionalNetworkCIDRs').index(i), cidr);
      append(allErrs, errs);
      if (networkCIDR !== undefined) networkCIDRs.push(networkCIDR);
    });
  }
  return [allErrs, networkCIDRs];
}

// validation.go:1176-1204: nonMasqueradeCIDR.
function validateNonMasqueradeCIDR(
  v: View,
  fldPath: FieldPath,
  constraints: CloudProviderConstraints,
  networkCIDRs: GoIPNet[],
): [ErrorList, GoIPNet | undefined] {
  const allErrs: ErrorList = [];
  const text = v.get('nonMasqueradeCIDR').str();
  const path = fldPath.child('nonMasqueradeCIDR');
  if (text === '') {
    if (constraints.requiresNonMasqueradeCIDR)
      allErrs.push(required(path, 'Cluster does not have nonMasqueradeCIDR set', 'validation.go:1180'));
    return [allErrs, undefined];
  }
  const [nonMasqueradeCIDR, errs] = parseCIDR(path, text);
  append(allErrs, errs);
  if (text.includes(':') && text !== '::/0')
    allErrs.push(forbidden(path, 'IPv6 clusters must have a nonMasqueradeCIDR of "::/0"', 'validation.go:1190'));
  const eni = v.get('cilium', 'ipam').str() === 'eni';
  if (nonMasqueradeCIDR !== undefined && networkCIDRs.length > 0 && !v.get('amazonVPC').present && !eni) {
    if (overlap(nonMasqueradeCIDR, networkCIDRs[0])) {
      const detail = `nonMasqueradeCIDR "${text}" cannot overlap with networkCIDR "${v.get('networkCIDR').str()}"`;
      allErrs.push(forbidden(path, detail, 'validation.go:1195'));
    }
    networkCIDRs.slice(1).forEach((cidr, i) => {
      if (overlap(nonMasqueradeCIDR, cidr)) {
        const detail = `nonMasqueradeCIDR "${text}" cannot overlap with additionalNetworkCIDRs[${i}] "${formatIPNet(cidr)}"`;
        allErrs.push(forbidden(path, detail, 'validation.go:1199'));
      }
    });
  }
  return [allErrs, nonMasqueradeCIDR];
}

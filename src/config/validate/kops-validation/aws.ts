// kops pkg/apis/kops/validation/aws.go (@268927e, Apache-2.0, Copyright The Kubernetes Authors):
// awsValidateCluster and what it calls, and awsValidateAdditionalRoutes (validation.go:769), in
// Go's order, over the internal view of spec.ts. The instance group rules (aws.go:129-342, 425)
// are in aws-instancegroup.ts.
// Rules (error constructors and IsValidValue calls) in this file and aws-instancegroup.ts: 47 of
// aws.go's 47; 6 of them ask the cloud (236, 245, 264, 297, 311, 315: an AMI's architecture, an
// instance type's architectures and GPU) and run only with an AwsCloudLookup the caller passes,
// which no statestore entry point does yet. 91 and 94 resolve the EC2 endpoint of the cluster's
// region with the AWS SDK's endpoint rules: offline data, ported below.
import { append, duplicate, forbidden, goQuote, invalid, notFound, required, type ErrorList } from '../field/errors.js';
import { FieldPath } from '../field/path.js';
import { formatIPNet, isIPv4, netContains, parseCIDRGo, parseIP, type GoIPNet } from './go-net.js';
import { parseArnResource } from './go-values.js';
import { isIPv6Only, isValidValue, usesNoneDNS } from './helpers.js';
import type { View } from './spec.js';
import { parseCIDR } from './validation-cidr.js';

const SUPPORTED_LOAD_BALANCER_CLASSES = ['Network']; // kops cluster.go:552

// kops aws.go:37 awsValidateCluster (`c` is the internal view, spec.ts internalCluster)
export function awsValidateCluster(c: View, strict: boolean): ErrorList {
  const allErrs: ErrorList = [];
  const lbSpec = c.get('spec', 'api', 'loadBalancer');
  if (lbSpec.present) append(allErrs, awsValidateAPILoadBalancer(c, lbSpec, strict));
  append(allErrs, awsValidateEBSCSIDriver(c));
  append(allErrs, awsValidateNLBSecurityGroupMode(c));
  append(allErrs, awsValidateUseIPBasedNodeNames(c));
  append(allErrs, awsValidateS3FileRepositoryPartition(c));
  const authentication = c.get('spec', 'authentication', 'aws');
  if (authentication.present)
    append(allErrs, awsValidateIAMAuthenticator(FieldPath.of('spec', 'authentication', 'aws'), authentication));
  return allErrs;
}

// aws.go:40-59: the API load balancer.
function awsValidateAPILoadBalancer(c: View, lbSpec: View, strict: boolean): ErrorList {
  const allErrs: ErrorList = [];
  const lbPath = FieldPath.of('spec', 'api', 'loadBalancer');
  const lbClass = lbSpec.get('class').str();
  if (lbClass === 'Classic') {
    const detail =
      'AWS Classic Load Balancer for API is no longer supported; migrate to a Network Load Balancer using kOps 1.36 or earlier. See https://github.com/kubernetes/kops/blob/master/permalinks/acm_nlb.md';
    allErrs.push(forbidden(lbPath.child('class'), detail, 'aws.go:44'));
  } else if (strict || lbClass !== '') {
    append(allErrs, isValidValue(lbPath.child('class'), lbClass, SUPPORTED_LOAD_BALANCER_CLASSES, 'aws.go:46'));
  }
  append(allErrs, awsValidateTopologyDNS(lbPath.child('type'), c));
  append(allErrs, awsValidateSecurityGroupOverride(lbPath.child('securityGroupOverride'), lbSpec));
  append(
    allErrs,
    awsValidateAdditionalSecurityGroups(
      lbPath.child('additionalSecurityGroups'),
      lbSpec.get('additionalSecurityGroups').strings(),
    ),
  );
  const internalNLB = lbClass === 'Network' && lbSpec.get('type').str() === 'Internal';
  if (internalNLB && lbSpec.get('useForInternalAPI').bool() === true) {
    const detail = 'useForInternalAPI cannot be used with internal NLB due lack of hairpinning support';
    allErrs.push(forbidden(lbPath.child('useForInternalAPI'), detail, 'aws.go:52'));
  }
  if (lbSpec.get('sslCertificate').str() !== '' && lbClass !== 'Network') {
    const detail =
      'sslCertificate requires a network load balancer. See https://github.com/kubernetes/kops/blob/master/permalinks/acm_nlb.md';
    allErrs.push(forbidden(lbPath.child('sslCertificate'), detail, 'aws.go:55'));
  }
  append(allErrs, awsValidateSSLPolicy(lbPath.child('sslPolicy'), lbSpec));
  append(allErrs, awsValidateLoadBalancerSubnets(lbPath.child('subnets'), c.get('spec')));
  return allErrs;
}

// kops aws.go:76 awsValidateS3FileRepositoryPartition
function awsValidateS3FileRepositoryPartition(cluster: View): ErrorList {
  const fileRepository = cluster.get('spec', 'assets', 'fileRepository').optStr();
  if (fileRepository === undefined || !fileRepository.startsWith('s3://')) return [];
  // Subnet validation reports invalid or missing zones separately.
  const region = findRegion(cluster);
  if (region === undefined) return [];
  const fldPath = FieldPath.of('spec', 'assets', 'fileRepository');
  const supported = supportsS3BootstrapEndpoint(region);
  if (typeof supported === 'string') return [invalid(fldPath, fileRepository, supported, 'aws.go:91')];
  if (!supported)
    return [forbidden(fldPath, `s3:// fileRepository is not supported in AWS region ${goQuote(region)}`, 'aws.go:94')];
  return [];
}

/** kops awsup/aws_utils.go:92 `FindRegion`: the region of the subnets' zones, undefined on its errors. */
export function findRegion(cluster: View): string | undefined {
  let region = '';
  for (const subnet of cluster.get('spec', 'networking', 'subnets').list()) {
    const zone = subnet.get('zone').str();
    if (zone === '') {
      // The zone of a subnet specified by ID is looked up from the cloud later.
      if (subnet.get('id').str() === '') return undefined;
      continue;
    }
    // Go slices bytes: a zone ending in a multi-byte character is cut inside it (never equal here).
    if (Buffer.byteLength(zone) <= 2) return undefined;
    const zoneRegion = zone.slice(0, -1);
    if (region !== '' && zoneRegion !== region) return undefined;
    region = zoneRegion;
  }
  return region === '' ? undefined : region;
}

// The AWS partitions' region patterns and DNS suffixes, in the SDK's order (aws-sdk-go-v2
// internal/endpoints/awsrulesfn/partitions.json, vendored by kops @268927e; no region there
// overrides its partition's suffix, and every listed region matches its partition's pattern).
const PARTITIONS: [RegExp, string][] = [
  [/^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, 'amazonaws.com'],
  [/^cn-\w+-\d+$/, 'amazonaws.com.cn'],
  [/^eusc-(de)-\w+-\d+$/, 'amazonaws.eu'],
  [/^us-iso-\w+-\d+$/, 'c2s.ic.gov'],
  [/^us-isob-\w+-\d+$/, 'sc2s.sgov.gov'],
  [/^eu-isoe-\w+-\d+$/, 'cloud.adc-e.uk'],
  [/^us-isof-\w+-\d+$/, 'csp.hci.ic.gov'],
  [/^us-gov-\w+-\d+$/, 'amazonaws.com'],
];

/**
 * kops awsup/aws_utils.go:126 `SupportsS3BootstrapEndpoint`: the SDK's EC2 endpoint for the
 * region (`https://ec2.{region}.{partition's suffix}`, the aws partition for unknown regions) has
 * the hostname `ec2.{region}.amazonaws.com`. A string: the error, where Go's `url.Parse` refuses
 * the endpoint (a control character, space or one of `{}|\^`%` in the host, or a `:` that makes a
 * port of the rest).
 */
export function supportsS3BootstrapEndpoint(region: string): boolean | string {
  const suffix = PARTITIONS.find(([pattern]) => pattern.test(region))?.[1] ?? 'amazonaws.com';
  const uri = `https://ec2.${region}.${suffix}`;
  const host = region.replace(/[/?#].*$/s, '').replace(/^.*@/s, '');
  if ([...region].some((ch) => ch < ' ' || ch === '\x7f') || /[ {}|\\^`%:]/.test(host))
    return `resolving EC2 endpoint for region ${goQuote(region)}: Failed to parse uri: ${uri}`;
  // A `/`, `?`, `#` or `@` in the region moves the hostname elsewhere.
  return suffix === 'amazonaws.com' && !/[/?#@]/.test(region);
}

// kops aws.go:99 awsValidateEBSCSIDriver
export function awsValidateEBSCSIDriver(cluster: View): ErrorList {
  const fldPath = FieldPath.of('spec', 'cloudProvider', 'aws', 'ebsCSIDriver', 'enabled');
  if (cluster.get('spec', 'cloudProvider', 'aws', 'ebsCSIDriver', 'enabled').bool() === false)
    return [forbidden(fldPath, 'must not be disabled', 'aws.go:104')];
  return [];
}

// kops aws.go:109 awsValidateNLBSecurityGroupMode
export function awsValidateNLBSecurityGroupMode(cluster: View): ErrorList {
  const fldPath = FieldPath.of('spec', 'cloudProvider', 'aws', 'nlbSecurityGroupMode');
  const mode = cluster.get('spec', 'cloudProvider', 'aws', 'nlbSecurityGroupMode').optStr();
  return isValidValue(fldPath, mode, ['Managed'], 'aws.go:114');
}

// kops aws.go:119 awsValidateUseIPBasedNodeNames
export function awsValidateUseIPBasedNodeNames(cluster: View): ErrorList {
  const fldPath = FieldPath.of('spec', 'cloudProvider', 'aws', 'useIPBasedNodeNames');
  const spec = cluster.get('spec');
  if (spec.get('cloudProvider', 'aws', 'useIPBasedNodeNames').bool() === true && isIPv6Only(spec))
    return [forbidden(fldPath, 'IP-based node names are not supported on IPv6-only clusters', 'aws.go:124')];
  return [];
}

// kops aws.go:188 awsValidateAdditionalSecurityGroups
export function awsValidateAdditionalSecurityGroups(fieldPath: FieldPath, groups: readonly string[]): ErrorList {
  const allErrs: ErrorList = [];
  const names = new Set<string>();
  groups.forEach((s, i) => {
    if (names.has(s)) allErrs.push(duplicate(fieldPath.index(i), s, 'aws.go:194'));
    names.add(s);
    if (s.trim() === '') {
      const detail = 'security group cannot be empty, if specified';
      allErrs.push(invalid(fieldPath.index(i), s, detail, 'aws.go:198'));
    } else if (!s.startsWith('sg-')) {
      const detail = 'security group does not match the expected AWS format';
      allErrs.push(invalid(fieldPath.index(i), s, detail, 'aws.go:202'));
    }
  });
  return allErrs;
}

// kops aws.go:209 awsValidateSecurityGroupOverride
function awsValidateSecurityGroupOverride(fieldPath: FieldPath, lbSpec: View): ErrorList {
  if (!lbSpec.get('securityGroupOverride').present) return [];
  const override = lbSpec.get('securityGroupOverride').str();
  if (override.trim() === '')
    return [invalid(fieldPath, override, 'security group override cannot be empty, if specified', 'aws.go:218')];
  if (!override.startsWith('sg-'))
    return [
      invalid(fieldPath, override, 'security group override does not match the expected AWS format', 'aws.go:221'),
    ];
  return [];
}

// kops aws.go:344 awsValidateTopologyDNS
function awsValidateTopologyDNS(fieldPath: FieldPath, c: View): ErrorList {
  const lb = c.get('spec', 'api', 'loadBalancer');
  if (usesNoneDNS(c) && lb.present && lb.get('class').str() !== 'Network')
    return [forbidden(fieldPath, 'topology.dns.type=none requires Network Load Balancer', 'aws.go:348')];
  return [];
}

// kops aws.go:354 awsValidateSSLPolicy
function awsValidateSSLPolicy(fieldPath: FieldPath, spec: View): ErrorList {
  const allErrs: ErrorList = [];
  if (spec.get('sslPolicy').present) {
    if (spec.get('class').str() !== 'Network')
      allErrs.push(forbidden(fieldPath, 'sslPolicy should be specified with Network Load Balancer', 'aws.go:359'));
    if (spec.get('sslCertificate').str() === '')
      allErrs.push(forbidden(fieldPath, 'sslPolicy should not be specified without SSLCertificate', 'aws.go:362'));
  }
  return allErrs;
}

/** Go's JSON of a LoadBalancerSubnetSpec (the Invalid errors' value), fields in Go's order. */
function subnetValue(subnet: View): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const name = subnet.get('name').str();
  if (name !== '') out.name = name;
  for (const key of ['privateIPv4Address', 'allocationID'])
    if (subnet.get(key).present) out[key] = subnet.get(key).str();
  return out;
}

// kops aws.go:369 awsValidateLoadBalancerSubnets (`spec` is the cluster's spec)
function awsValidateLoadBalancerSubnets(fieldPath: FieldPath, spec: View): ErrorList {
  const allErrs: ErrorList = [];
  const lbSpec = spec.get('api', 'loadBalancer');
  const clusterSubnets = spec.get('networking', 'subnets').list();
  lbSpec
    .get('subnets')
    .list()
    .forEach((subnet, i) => {
      const path = fieldPath.index(i);
      const name = subnet.get('name').str();
      let clusterSubnet: View | undefined;
      if (name === '') {
        allErrs.push(required(path.child('name'), "subnet name can't be empty", 'aws.go:377'));
      } else {
        clusterSubnet = clusterSubnets.find((cs) => cs.get('name').str() === name);
        if (clusterSubnet === undefined)
          allErrs.push(
            notFound(path.child('name'), `subnet ${goQuote(name)} not found in cluster subnets`, 'aws.go:386'),
          );
      }
      if (subnet.get('privateIPv4Address').present)
        append(allErrs, awsValidateLoadBalancerPrivateIP(path, subnet, clusterSubnet, lbSpec));
      if (subnet.get('allocationID').present) {
        if (subnet.get('allocationID').str() === '')
          allErrs.push(required(path.child('allocationID'), "allocationID can't be empty", 'aws.go:413'));
        if (lbSpec.get('class').str() !== 'Network' || lbSpec.get('type').str() === 'Internal')
          allErrs.push(
            forbidden(path.child('allocationID'), 'allocationID only allowed for Public NLBs', 'aws.go:417'),
          );
      }
    });
  return allErrs;
}

// aws.go:390-409: a load balancer subnet's private IPv4 address.
function awsValidateLoadBalancerPrivateIP(
  path: FieldPath,
  subnet: View,
  clusterSubnet: View | undefined,
  lbSpec: View,
): ErrorList {
  const allErrs: ErrorList = [];
  const ipPath = path.child('privateIPv4Address');
  const address = subnet.get('privateIPv4Address').str();
  if (address === '') allErrs.push(required(ipPath, "privateIPv4Address can't be empty", 'aws.go:392'));
  const ip = parseIP(address);
  if (ip === undefined || !isIPv4(ip)) {
    allErrs.push(invalid(ipPath, subnetValue(subnet), 'privateIPv4Address is not a valid IPv4 address', 'aws.go:396'));
  } else if (clusterSubnet !== undefined) {
    // we assume that the cidr is actually valid
    const parsed = parseCIDRGo(clusterSubnet.get('cidr').str());
    if (parsed !== undefined && !netContains(parsed.net, ip.bytes))
      allErrs.push(
        invalid(ipPath, subnetValue(subnet), 'privateIPv4Address is not part of the subnet CIDR', 'aws.go:401'),
      );
  }
  if (lbSpec.get('class').str() !== 'Network' || lbSpec.get('type').str() !== 'Internal')
    allErrs.push(forbidden(ipPath, 'privateIPv4Address only allowed for internal NLBs', 'aws.go:407'));
  return allErrs;
}

// kops aws.go:432 awsValidateIAMAuthenticator
function awsValidateIAMAuthenticator(fieldPath: FieldPath, spec: View): ErrorList {
  const allErrs: ErrorList = [];
  const mappings = spec.get('identityMappings').list();
  if (!spec.get('backendMode').str().includes('CRD') && mappings.length > 0)
    allErrs.push(
      forbidden(fieldPath.child('backendMode'), 'backendMode must be CRD if identityMappings is set', 'aws.go:436'),
    );
  mappings.forEach((mapping, i) => {
    const arn = mapping.get('arn').str();
    const parsed = parseArnResource(arn);
    if ('error' in parsed || (!parsed.resource.startsWith('role/') && !parsed.resource.startsWith('user/'))) {
      const detail = 'arn must be a valid IAM Role or User ARN such as arn:aws:iam::123456789012:role/KopsExampleRole';
      allErrs.push(invalid(fieldPath.child('identityMappings').index(i).child('arn'), arn, detail, 'aws.go:441'));
    }
  });
  return allErrs;
}

const ROUTE_TARGETS = ['pcx-', 'i-', 'nat-', 'tgw-', 'igw-', 'eigw-'];

// kops aws.go:448 awsValidateAdditionalRoutes
export function awsValidateAdditionalRoutes(fieldPath: FieldPath, routes: View[], networkCIDRs: GoIPNet[]): ErrorList {
  const allErrs: ErrorList = [];
  routes.forEach((r, i) => {
    const f = fieldPath.index(i);
    const target = r.get('target').str();
    const cidr = r.get('cidr').str();
    // Check if target is a known type
    if (!ROUTE_TARGETS.some((prefix) => target.startsWith(prefix)))
      allErrs.push(invalid(f.child('target'), routeValue(cidr, target), 'unknown target type for route', 'aws.go:461'));
    const [routeCIDR, errs] = parseCIDR(f.child('cidr'), cidr);
    append(allErrs, errs);
    if (routeCIDR === undefined) return;
    for (const clusterNet of networkCIDRs) {
      if (netContains(clusterNet, routeCIDR.ip) && target.startsWith('pcx-')) {
        const detail =
          'target is more specific than a network CIDR block. This route can target only an interface or an instance.';
        allErrs.push(forbidden(f.child('target'), detail, 'aws.go:469'));
      }
    }
  });
  // Check for duplicated CIDR
  const cidrs = new Set(networkCIDRs.map(formatIPNet));
  routes.forEach((route, i) => {
    const rCidr = route.get('cidr').str();
    if (cidrs.has(rCidr)) allErrs.push(duplicate(fieldPath.index(i).child('cidr'), rCidr, 'aws.go:484'));
    cidrs.add(rCidr);
  });
  return allErrs;
}

/** Go's JSON of a RouteSpec (`cidr`, `target`, both omitempty). */
function routeValue(cidr: string, target: string): Record<string, string> {
  return { ...(cidr === '' ? {} : { cidr }), ...(target === '' ? {} : { target }) };
}

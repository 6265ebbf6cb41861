// kops validation.go (@268927e) 324-488: the cloud provider constraints and options
// (validateCloudProvider), validateAWS, validateSAExternalPermissions. Counted with validation.ts.
import { append, duplicate, forbidden, required, type ErrorList } from '../field/errors.js';
import type { FieldPath } from '../field/path.js';
import { getCloudProvider } from './helpers.js';
import type { View } from './spec.js';
import {
  validateAWSLoadBalancerController,
  validateNodeTerminationHandler,
  validatePodIdentityWebhook,
  validateWarmPool,
} from './validation-addons.js';
import type { CloudProviderConstraints } from './validation-networking.js';

const PROVIDER_OPTIONS: [string, string, (k: CloudProviderConstraints) => void][] = [
  ['azure', 'validation.go:352', (k) => (k.requiresSubnetRegion = true)],
  [
    'do',
    'validation.go:359',
    (k) =>
      Object.assign(k, {
        requiresSubnets: false,
        requiresSubnetCIDR: false,
        requiresSubnetRegion: true,
        requiresNetworkCIDR: false,
      }),
  ],
  [
    'gce',
    'validation.go:369',
    (k) =>
      Object.assign(k, {
        requiresNetworkCIDR: false,
        requiresSubnetCIDR: false,
        requiresSubnetRegion: true,
        prohibitsNetworkCIDR: true,
        requiresNonMasqueradeCIDR: false,
      }),
  ],
  [
    'hetzner',
    'validation.go:380',
    (k) => Object.assign(k, { requiresNetworkCIDR: false, requiresSubnets: false, requiresSubnetCIDR: false }),
  ],
  [
    'openstack',
    'validation.go:389',
    (k) => Object.assign(k, { requiresNetworkCIDR: false, requiresSubnetCIDR: false }),
  ],
  ['scaleway', 'validation.go:399', (k) => Object.assign(k, { requiresNetworkCIDR: false, requiresSubnetCIDR: false })],
  [
    'linode',
    'validation.go:407',
    (k) =>
      Object.assign(k, {
        requiresSubnets: false,
        requiresSubnetCIDR: false,
        requiresSubnetRegion: true,
        requiresNetworkCIDR: false,
      }),
  ],
];

// kops validation.go:334 validateCloudProvider
export function validateCloudProvider(
  c: View,
  provider: View,
  fieldSpec: FieldPath,
): [ErrorList, CloudProviderConstraints] {
  const allErrs: ErrorList = [];
  const constraints: CloudProviderConstraints = {
    requiresSubnets: true,
    requiresNetworkCIDR: true,
    prohibitsNetworkCIDR: false,
    prohibitsMultipleNetworkCIDRs: true,
    requiresNonMasqueradeCIDR: true,
    requiresSubnetCIDR: true,
    requiresSubnetRegion: false,
  };
  let optionTaken = false;
  if (provider.get('aws').present) {
    optionTaken = true;
    append(allErrs, validateAWS(c, provider.get('aws'), fieldSpec.child('aws')));
    constraints.prohibitsMultipleNetworkCIDRs = false;
  }
  for (const [name, rule, apply] of PROVIDER_OPTIONS) {
    if (!provider.get(name).present) continue;
    if (optionTaken) allErrs.push(forbidden(fieldSpec.child(name), 'only one cloudProvider option permitted', rule));
    optionTaken = true;
    apply(constraints);
  }
  if (getCloudProvider(c) === 'metal') {
    if (optionTaken)
      allErrs.push(forbidden(fieldSpec.child('metal'), 'only one cloudProvider option permitted', 'validation.go:417'));
    optionTaken = true;
    Object.assign(constraints, { requiresNetworkCIDR: false, requiresSubnetCIDR: false });
  }
  if (!optionTaken) {
    allErrs.push(required(fieldSpec, '', 'validation.go:424'));
    Object.assign(constraints, { requiresSubnets: false, requiresSubnetCIDR: false, requiresNetworkCIDR: false });
  }
  return [allErrs, constraints];
}

// kops validation.go:433 validateAWS
function validateAWS(c: View, aws: View, path: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  if (aws.get('nodeTerminationHandler').present)
    append(
      allErrs,
      validateNodeTerminationHandler(c, aws.get('nodeTerminationHandler'), path.child('nodeTerminationHandler')),
    );
  // kops's own spelling of the path (sic).
  if (aws.get('loadBalancerController').present)
    append(
      allErrs,
      validateAWSLoadBalancerController(c, aws.get('loadBalancerController'), path.child('awsLoadBalanceController')),
    );
  if (aws.get('warmPool').present) append(allErrs, validateWarmPool(aws.get('warmPool'), path.child('warmPool')));
  if (aws.get('podIdentityWebhook', 'enabled').bool() === true)
    append(allErrs, validatePodIdentityWebhook(c, aws.get('podIdentityWebhook'), path.child('podIdentityWebhook')));
  return allErrs;
}

// kops validation.go:453 validateSAExternalPermissions
export function validateSAExternalPermissions(externalPermissions: View[], path: FieldPath): ErrorList {
  const allErrs: ErrorList = [];
  const seen = new Set<string>();
  for (const sa of externalPermissions) {
    const namespace = sa.get('namespace').str();
    const name = sa.get('name').str();
    const key = `${namespace}/${name}`;
    const p = path.key(key);
    if (namespace === '')
      allErrs.push(required(p.child('namespace'), 'namespace cannot be empty', 'validation.go:463'));
    if (name === '') allErrs.push(required(p.child('name'), 'name cannot be empty', 'validation.go:466'));
    if (seen.has(key)) allErrs.push(duplicate(p, key, 'validation.go:470'));
    seen.add(key);
    const aws = sa.get('aws');
    const ap = p.child('aws');
    if (!aws.present) {
      allErrs.push(required(ap, 'AWS permissions must be set', 'validation.go:476'));
      continue;
    }
    const hasARNs = aws.get('policyARNs').length > 0;
    const inline = aws.get('inlinePolicy').str() !== '';
    if (!hasARNs && !inline)
      allErrs.push(required(ap, 'either inlinePolicy or policyARN must be set', 'validation.go:481'));
    if (hasARNs && inline)
      allErrs.push(forbidden(ap, 'cannot set both inlinePolicy and policyARN', 'validation.go:484'));
  }
  return allErrs;
}

/** Shared by the validation_test.go translations (validation-*.test.ts). */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { expectKopsSources } from '../../helpers/kops-sources.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { validateClusterSpec } from '../../../src/config/validate/kops-validation/validation.js';
import { validateCIDR } from '../../../src/config/validate/kops-validation/validation-cidr.js';
import {
  validateNetworking,
  type CloudProviderConstraints,
} from '../../../src/config/validate/kops-validation/validation-networking.js';

export type Json = Record<string, unknown>;
export const cluster = (spec: Json, name = '') => new View({ metadata: { name }, spec });
/** Go's `&cloudProviderConstraints{}`: every constraint false. */
export const NO_CONSTRAINTS: CloudProviderConstraints = {
  requiresSubnets: false,
  requiresNetworkCIDR: false,
  prohibitsNetworkCIDR: false,
  prohibitsMultipleNetworkCIDRs: false,
  requiresNonMasqueradeCIDR: false,
  requiresSubnetCIDR: false,
  requiresSubnetRegion: false,
};

export interface Case {
  source: string;
  input: unknown;
  expected?: string[];
  detail?: string;
}

/** The cluster of Test_Validate_Networking_Flannel and _Kindnet, with `extra` networking. */
export function networkingCluster(extra: Json) {
  return cluster({
    kubernetesVersion: '1.35.0',
    networking: {
      networkCIDR: '10.0.0.0/8',
      nonMasqueradeCIDR: '100.64.0.0/10',
      podCIDR: '100.96.0.0/11',
      serviceClusterIPRange: '100.64.0.0/13',
      subnets: [{ name: 'sg-test', cidr: '10.11.0.0/16', type: 'Public' }],
      ...extra,
    },
  });
}

export const networkingErrors = (c: View) =>
  validateNetworking(c, c.get('spec', 'networking'), FieldPath.of('networking'), true, NO_CONSTRAINTS);

/** The spec of Test_Validate_AdditionalPolicies and Test_Validate_Addons, with `extra`. */
export function policySpec(extra: Json): Json {
  return {
    kubernetesVersion: '1.35.0',
    cloudProvider: { aws: {} },
    networking: {
      networkCIDR: '10.10.0.0/16',
      nonMasqueradeCIDR: '100.64.0.0/10',
      podCIDR: '100.96.0.0/11',
      serviceClusterIPRange: '100.64.0.0/13',
      subnets: [{ name: 'subnet1', type: 'Public', cidr: '10.10.10.0/24' }],
    },
    etcdClusters: [{ name: 'main', etcdMembers: [{ name: 'us-test-1a', instanceGroup: 'master-us-test-1a' }] }],
    ...extra,
  };
}

export const specErrors = (spec: Json) =>
  validateClusterSpec(new View(spec), cluster(spec), FieldPath.of('spec'), true);

/** kops's testFieldErrors (validation_test.go:681). */
export function expectFieldErrors(
  errs: ReturnType<typeof validateCIDR>,
  expected: { type: string; field: string; detail?: string }[],
) {
  expect(errs.length).toBeLessThanOrEqual(expected.length);
  for (const want of expected)
    expect(errs).toContainEqual(
      expect.objectContaining({ type: want.type, ...(want.detail ? { detail: want.detail } : {}) }),
    );
  for (const want of expected) expect(errs.map((e) => e.field.toString())).toContain(want.field);
  expectKopsSources(errs);
}

/**
 * Part 2 of 6 (networking: flannel, kindnet, overlapping CIDRs).
 * kops's pkg/apis/kops/validation/validation_test.go @268927e, translated: cases in Go order,
 * each citing the line its case opens at, expected strings verbatim, checked with testErrors's
 * semantics (test/helpers/expect-errors.ts). Go builds internal-API values; the inputs here are
 * those values as JSON (kops's internal field names), which is what the ported rules read
 * (src/config/validate/kops-validation/spec.ts turns a stored v1alpha2 document into that shape;
 * test/store/kops-validation-writes.test.ts goes through it, end to end).
 */
import { expectErrors } from '../../helpers/index.js';
import { cluster, networkingCluster, networkingErrors, type Case } from './grid.js';

// kops validation_test.go:479 Test_Validate_Networking_Flannel
describe('Test_Validate_Networking_Flannel', () => {
  const grid: Case[] = [
    { source: 'validation_test.go:484', input: { backend: 'udp' } },
    { source: 'validation_test.go:489', input: { backend: 'vxlan' } },
    {
      source: 'validation_test.go:494',
      input: { backend: '' },
      expected: ['Required value::networking.flannel.backend'],
    },
    {
      source: 'validation_test.go:500',
      input: { backend: 'nope' },
      expected: ['Unsupported value::networking.flannel.backend'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(networkingErrors(networkingCluster({ flannel: input })), expected);
  });
});

// kops validation_test.go:533 Test_Validate_Networking_Kindnet
describe('Test_Validate_Networking_Kindnet', () => {
  const grid: Case[] = [
    { source: 'validation_test.go:538', input: { masquerade: { enabled: true } } },
    {
      source: 'validation_test.go:545',
      input: { masquerade: { enabled: true, nonMasqueradeCIDRs: ['10.0.0.0/24', '2001:db8::/64'] } },
    },
    {
      source: 'validation_test.go:553',
      input: { masquerade: { enabled: true, nonMasqueradeCIDRs: ['a.b.c.d/24', '2001:db8::/64'] } },
      expected: ['Invalid value::networking.kindnet'],
    },
    {
      source: 'validation_test.go:562',
      input: { masquerade: { enabled: false, nonMasqueradeCIDRs: ['a.b.c.d/24', '2001:db8::/64'] } },
      expected: [],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(networkingErrors(networkingCluster({ kindnet: input })), expected);
  });
});

// kops validation_test.go:599 Test_Validate_Networking_OverlappingCIDR (testFieldErrors, 681:
// no more errors than expected, each expected type, detail and field found)
describe('Test_Validate_Networking_OverlappingCIDR', () => {
  const net = (podCIDR: string, serviceClusterIPRange: string, subnetCIDR: string) => ({
    networkCIDR: '10.0.0.0/8',
    nonMasqueradeCIDR: '100.64.0.0/10',
    podCIDR,
    serviceClusterIPRange,
    subnets: [{ name: 'subnet-test', cidr: subnetCIDR, type: 'Public' }],
  });
  const grid = [
    {
      source: 'validation_test.go:605',
      networking: net('100.64.10.0/24', '100.64.20.0/24', '10.10.0.0/16'),
      expected: [],
    },
    {
      source: 'validation_test.go:621',
      networking: net('100.64.0.0/10', '100.64.0.0/13', '10.10.0.0/16'),
      expected: [],
    },
    {
      source: 'validation_test.go:637',
      networking: net('100.64.10.0/24', '100.64.20.0/24', '100.64.20.0/28'),
      expected: [
        {
          type: 'Forbidden',
          detail: 'subnet "subnet-test" cidr "100.64.20.0/28" is not a subnet of the networkCIDR "10.0.0.0/8"',
          field: 'networking.subnets[0].cidr',
        },
        {
          type: 'Forbidden',
          detail: 'subnet "subnet-test" cidr "100.64.20.0/28" must not overlap serviceClusterIPRange "100.64.20.0/24"',
          field: 'networking.subnets[0].cidr',
        },
      ],
    },
  ];
  it.each(grid)('$source', ({ networking, expected }) => {
    const errs = networkingErrors(cluster({ kubernetesVersion: '1.35.0', networking }));
    expect(errs.length).toBeLessThanOrEqual(expected.length);
    const got = errs.map((e) => ({ type: e.type, detail: e.detail, field: e.field.toString() }));
    for (const want of expected) expect(got).toContainEqual(want);
  });
});

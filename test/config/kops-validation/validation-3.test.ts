/**
 * Part 3 of 6 (IAM policies, add-ons, calico).
 * kops's pkg/apis/kops/validation/validation_test.go @268927e, translated: cases in Go order,
 * each citing the line its case opens at, expected strings verbatim, checked with testErrors's
 * semantics (test/helpers/expect-errors.ts). Go builds internal-API values; the inputs here are
 * those values as JSON (kops's internal field names), which is what the ported rules read
 * (src/config/validate/kops-validation/spec.ts turns a stored v1alpha2 document into that shape;
 * test/store/kops-validation-writes.test.ts goes through it, end to end).
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { validateNetworkingCalico } from '../../../src/config/validate/kops-validation/validation-calico.js';
import { expectErrors } from '../../helpers/index.js';
import { policySpec, specErrors, type Json, type Case } from './grid.js';

// kops validation_test.go:708 Test_Validate_AdditionalPolicies
describe('Test_Validate_AdditionalPolicies', () => {
  const allow = '[ { "Action": [ "s3:GetObject" ], "Resource": [ "*" ], "Effect": "Allow" } ]';
  const grid: Case[] = [
    { source: 'validation_test.go:713', input: {} },
    { source: 'validation_test.go:716', input: { 'control-plane': allow } },
    {
      source: 'validation_test.go:721',
      input: { notarole: allow },
      expected: ['Unsupported value::spec.additionalPolicies'],
    },
    {
      source: 'validation_test.go:727',
      input: { 'control-plane': 'badjson' },
      expected: ['Invalid value::spec.additionalPolicies[control-plane]'],
    },
    {
      source: 'validation_test.go:733',
      input: { 'control-plane': '[ { "Action": [ "s3:GetObject" ], "Resource": [ "*" ] } ]' },
      expected: ['Required value::spec.additionalPolicies[control-plane][0].Effect'],
    },
    {
      source: 'validation_test.go:739',
      input: { 'control-plane': '[ { "Action": [ "s3:GetObject" ], "Resource": [ "*" ], "Effect": "allow" } ]' },
      expected: ['Unsupported value::spec.additionalPolicies[control-plane][0].Effect'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(specErrors(policySpec({ additionalPolicies: input })), expected);
  });
});

// kops validation_test.go:783 Test_Validate_Addons
describe('Test_Validate_Addons', () => {
  const grid: Case[] = [
    { source: 'validation_test.go:788', input: undefined },
    { source: 'validation_test.go:789', input: [{ manifest: 's3://somebucket/example.yaml' }] },
    {
      source: 'validation_test.go:792',
      input: [{ manifest: 'file:///etc/kubernetes/kops/config/addons/extra.yaml' }],
      expected: ['Invalid value::spec.addons[0].manifest'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(specErrors(policySpec({ addons: input })), expected);
  });
});

// kops validation_test.go:832 Test_Validate_Calico
describe('Test_Validate_Calico', () => {
  const v4 = { networking: { nonMasqueradeCIDR: '100.64.0.0/10' } };
  const v6 = { networking: { nonMasqueradeCIDR: '::/0' } };
  const grid: (Case & { cluster?: Json })[] = [
    { source: 'validation_test.go:838', input: {} },
    { source: 'validation_test.go:844', input: { typhaReplicas: 3 } },
    {
      source: 'validation_test.go:852',
      input: { typhaReplicas: -1 },
      expected: ['Invalid value::calico.typhaReplicas'],
    },
    { source: 'validation_test.go:861', input: {} },
    { source: 'validation_test.go:867', input: { ipv4AutoDetectionMethod: 'first-found' } },
    { source: 'validation_test.go:875', input: { ipv6AutoDetectionMethod: 'first-found' } },
    { source: 'validation_test.go:883', input: { ipv4AutoDetectionMethod: 'can-reach=8.8.8.8' } },
    { source: 'validation_test.go:891', input: { ipv6AutoDetectionMethod: 'can-reach=2001:4860:4860::8888' } },
    {
      source: 'validation_test.go:899',
      input: { ipv4AutoDetectionMethod: 'bogus' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:908',
      input: { ipv6AutoDetectionMethod: 'bogus' },
      expected: ['Invalid value::calico.ipv6AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:917',
      input: { ipv6AutoDetectionMethod: 'interface=' },
      expected: ['Invalid value::calico.ipv6AutoDetectionMethod'],
    },
    { source: 'validation_test.go:926', input: { ipv4AutoDetectionMethod: 'interface=en.*,eth0' } },
    { source: 'validation_test.go:934', input: { ipv6AutoDetectionMethod: 'skip-interface=en.*,eth0' } },
    {
      source: 'validation_test.go:942',
      input: { ipv4AutoDetectionMethod: 'interface=(,en1' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:951',
      input: { ipv4AutoDetectionMethod: 'interface=foo=bar' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:960',
      input: { ipv4AutoDetectionMethod: '=en0,eth.*' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:969',
      cluster: {},
      input: { awsSrcDstCheck: 'off' },
      expected: ['Unsupported value::calico.awsSrcDstCheck'],
    },
    { source: 'validation_test.go:979', cluster: {}, input: { awsSrcDstCheck: 'Enable' } },
    { source: 'validation_test.go:988', cluster: {}, input: { awsSrcDstCheck: 'Disable' } },
    { source: 'validation_test.go:997', cluster: {}, input: { awsSrcDstCheck: 'DoNothing' } },
    {
      source: 'validation_test.go:1006',
      cluster: v4,
      input: { encapsulationMode: 'none' },
      expected: ['Forbidden::calico.encapsulationMode'],
    },
    {
      source: 'validation_test.go:1020',
      cluster: v6,
      input: { encapsulationMode: 'ipip' },
      expected: ['Forbidden::calico.encapsulationMode'],
    },
    {
      source: 'validation_test.go:1034',
      cluster: v6,
      input: { encapsulationMode: 'vxlan' },
      expected: ['Forbidden::calico.encapsulationMode'],
    },
    {
      source: 'validation_test.go:1048',
      input: { ipipMode: 'unknown' },
      expected: ['Unsupported value::calico.ipipMode'],
    },
    { source: 'validation_test.go:1059', input: { ipipMode: 'Always' } },
    { source: 'validation_test.go:1067', input: { ipipMode: 'CrossSubnet' } },
    { source: 'validation_test.go:1075', input: { ipipMode: 'Never' } },
    { source: 'validation_test.go:1083', cluster: v4, input: { encapsulationMode: 'ipip', ipipMode: 'Always' } },
    { source: 'validation_test.go:1097', cluster: v4, input: { encapsulationMode: 'ipip', ipipMode: 'CrossSubnet' } },
    { source: 'validation_test.go:1111', cluster: v4, input: { encapsulationMode: 'ipip', ipipMode: 'Never' } },
    {
      source: 'validation_test.go:1125',
      cluster: v4,
      input: { encapsulationMode: 'vxlan', ipipMode: 'Always' },
      expected: ['Forbidden::calico.ipipMode'],
    },
    {
      source: 'validation_test.go:1140',
      cluster: v4,
      input: { encapsulationMode: 'vxlan', ipipMode: 'Always' },
      expected: ['Forbidden::calico.ipipMode'],
    },
    {
      source: 'validation_test.go:1155',
      cluster: v4,
      input: { encapsulationMode: 'vxlan', ipipMode: 'CrossSubnet' },
      expected: ['Forbidden::calico.ipipMode'],
    },
    { source: 'validation_test.go:1170', cluster: v4, input: { encapsulationMode: 'vxlan', ipipMode: 'Never' } },
    {
      source: 'validation_test.go:1184',
      cluster: v6,
      input: { encapsulationMode: 'none', ipipMode: 'Never', vxlanMode: 'Never' },
    },
    { source: 'validation_test.go:1199', cluster: { kubeProxy: { enabled: false } }, input: { bpfEnabled: true } },
    {
      source: 'validation_test.go:1208',
      cluster: { kubeProxy: {} },
      input: { bpfEnabled: true },
      expected: ['Forbidden::spec.kubeProxy.enabled'],
    },
    {
      source: 'validation_test.go:1218',
      cluster: { kubeProxy: { enabled: true } },
      input: { bpfEnabled: true },
      expected: ['Forbidden::spec.kubeProxy.enabled'],
    },
  ];
  it.each(grid)('$source', ({ cluster: spec, input, expected }) => {
    expectErrors(validateNetworkingCalico(new View(spec), new View(input), FieldPath.of('calico')), expected);
  });
});

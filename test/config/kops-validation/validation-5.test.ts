/**
 * Part 5 of 6 (nvidia, gVisor, containerd, NRI).
 * kops's pkg/apis/kops/validation/validation_test.go @268927e, translated: cases in Go order,
 * each citing the line its case opens at, expected strings verbatim, checked with testErrors's
 * semantics (test/helpers/expect-errors.ts). Go builds internal-API values; the inputs here are
 * those values as JSON (kops's internal field names), which is what the ported rules read
 * (src/config/validate/kops-validation/spec.ts turns a stored v1alpha2 document into that shape;
 * test/store/kops-validation-writes.test.ts goes through it, end to end).
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import {
  validateContainerdConfig,
  validateNriConfig,
  validateNvidiaConfig,
} from '../../../src/config/validate/kops-validation/validation-addons.js';
import { expectErrors } from '../../helpers/index.js';
import { cluster, type Case } from './grid.js';

// kops validation_test.go:1841 Test_Validate_Nvidia_Cluster and 1893 Test_Validate_Nvidia_Ig
describe('Test_Validate_Nvidia_Cluster / Test_Validate_Nvidia_Ig', () => {
  const grid = [
    { source: 'validation_test.go:1846', cloud: { aws: {} }, inCluster: true, expected: [] },
    {
      source: 'validation_test.go:1858',
      cloud: { openstack: {} },
      inCluster: true,
      expected: ['Forbidden::containerd.nvidiaGPU'],
    },
    {
      source: 'validation_test.go:1871',
      cloud: { gce: {} },
      inCluster: true,
      expected: ['Forbidden::containerd.nvidiaGPU'],
    },
    { source: 'validation_test.go:1898', cloud: { aws: {} }, inCluster: false, expected: [] },
    { source: 'validation_test.go:1910', cloud: { openstack: {} }, inCluster: false, expected: [] },
    {
      source: 'validation_test.go:1922',
      cloud: { gce: {} },
      inCluster: false,
      expected: ['Forbidden::containerd.nvidiaGPU'],
    },
  ];
  it.each(grid)('$source', ({ cloud, inCluster, expected }) => {
    const nvidia = { enabled: true };
    const c = cluster({ containerd: { nvidiaGPU: nvidia }, cloudProvider: cloud });
    expectErrors(
      validateNvidiaConfig(c, new View(nvidia), FieldPath.of('containerd', 'nvidiaGPU'), inCluster),
      expected,
    );
  });
});

// kops validation_test.go:1944 Test_Validate_GVisor
describe('Test_Validate_GVisor', () => {
  const grid = [
    {
      source: 'validation_test.go:1951',
      inClusterConfig: true,
      enabled: true,
      expected: ['Forbidden::containerd.gvisor'],
    },
    {
      source: 'validation_test.go:1957',
      inClusterConfig: true,
      enabled: false,
      expected: ['Forbidden::containerd.gvisor'],
    },
    { source: 'validation_test.go:1963', inClusterConfig: false, enabled: true, expected: [] },
  ];
  it.each(grid)('$source', ({ inClusterConfig, enabled, expected }) => {
    const containerd = new View({ gvisor: { enabled } });
    expectErrors(
      validateContainerdConfig(cluster({}), containerd, FieldPath.of('containerd'), inClusterConfig),
      expected,
    );
  });
});

// kops validation_test.go:1981 Test_Validate_ContainerdVersion
describe('Test_Validate_ContainerdVersion', () => {
  const grid = [
    { source: 'validation_test.go:1986', version: 'not-a-semver', expected: ['Invalid value::containerd.version'] },
    { source: 'validation_test.go:1990', version: '1.7.32', expected: ['Invalid value::containerd.version'] },
    { source: 'validation_test.go:1994', version: '2.0.7', expected: ['Invalid value::containerd.version'] },
    { source: 'validation_test.go:1998', version: '2.1.0', expected: [] },
    { source: 'validation_test.go:2001', version: '2.3.4', expected: [] },
  ];
  it.each(grid)('$source', ({ version, expected }) => {
    expectErrors(
      validateContainerdConfig(cluster({}), new View({ version }), FieldPath.of('containerd'), true),
      expected,
    );
  });
});

// kops validation_test.go:2016 Test_Validate_NriConfig
describe('Test_Validate_NriConfig', () => {
  const grid: (Case & { version: string })[] = [
    {
      source: 'validation_test.go:2023',
      input: { enabled: true },
      version: '1.6.0',
      expected: ['Forbidden::containerd.nri'],
    },
    { source: 'validation_test.go:2034', input: {}, version: '1.6.0', expected: [] },
    { source: 'validation_test.go:2043', input: {}, version: '1.6.0', expected: [] },
    { source: 'validation_test.go:2054', input: { enabled: false }, version: '1.6.0', expected: [] },
    { source: 'validation_test.go:2065', input: { enabled: true }, version: '1.7.0', expected: [] },
    {
      source: 'validation_test.go:2076',
      input: { enabled: true, pluginRequestTimeout: '2s', pluginRegistrationTimeout: '5s' },
      version: '1.7.0',
      expected: [],
    },
    {
      source: 'validation_test.go:2089',
      input: { enabled: true, pluginRequestTimeout: '-1s' },
      version: '1.7.0',
      expected: ['Invalid value::containerd.nri.pluginRequestTimeout'],
    },
    {
      source: 'validation_test.go:2101',
      input: { enabled: true, pluginRegistrationTimeout: '0s' },
      version: '1.7.0',
      expected: ['Invalid value::containerd.nri.pluginRegistrationTimeout'],
    },
  ];
  it.each(grid)('$source', ({ input, version, expected }) => {
    expectErrors(validateNriConfig(new View({ nri: input, version }), FieldPath.of('containerd', 'nri')), expected);
  });
});

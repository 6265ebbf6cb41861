/**
 * kops's pkg/apis/kops/validation/gce.go @268927e has no table test of its own: its three rules,
 * each citing its line, on kops's internal API and on stored documents (the cluster rule from
 * newValidateCluster, the group rules with the cross rules where the cluster is on GCE).
 */
import { gceValidateCluster, gceValidateInstanceGroup } from '../../../src/config/validate/kops-validation/gce.js';
import { kopsClusterIssues, kopsCrossOnlyFindings } from '../../../src/config/validate/kops-validation/index.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { expectErrors } from '../../helpers/index.js';

type Json = Record<string, unknown>;
const gce = (subnets: Json[]) => new View({ spec: { cloudProvider: { gce: {} }, networking: { subnets } } });
const group = (spec: Json) => new View({ metadata: { name: 'nodes' }, spec: { role: 'Node', ...spec } });

describe('gceValidateCluster (gce.go:25)', () => {
  it('gce.go:33: a zone on a (regional) GCE subnet', () => {
    const errs = gceValidateCluster(
      gce([
        { name: 'us-east1', region: 'us-east1' },
        { name: 'b', zone: 'us-east1-b' },
      ]),
    );
    expectErrors(errs, ['Invalid value::spec.networking.subnets[1].zone']);
    expect(errs).toHaveLength(1);
  });

  it('regional subnets pass', () => {
    expectErrors(gceValidateCluster(gce([{ name: 'us-east1', region: 'us-east1' }])));
  });
});

describe('gceValidateInstanceGroup (gce.go:40)', () => {
  it.each([
    [
      'gce.go:45',
      { zones: ['us-east1-b'], gcpProvisioningModel: 'PREEMPTIBLE' },
      ['Unsupported value::spec.gcpProvisioningModel'],
    ],
    ['gce.go:49', {}, ['Required value::spec.zones']],
    ['valid', { zones: ['us-east1-b'], gcpProvisioningModel: 'SPOT' }, []],
  ])('%s', (_source, spec, expected) => {
    expectErrors(gceValidateInstanceGroup(group(spec)), expected);
  });
});

describe('on stored documents', () => {
  const cluster = (cloudProvider: string, subnets: Json[]) => ({
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: 'c.example.com' },
    spec: { kubernetesVersion: '1.34.0', cloudProvider, subnets },
  });
  const storedGroup = {
    kind: 'InstanceGroup',
    metadata: { name: 'nodes' },
    spec: { role: 'Node', subnets: ['us-east1'] },
  };

  it('a GCE subnet zone at /spec/subnets/N/zone', () => {
    const issues = kopsClusterIssues(cluster('gce', [{ name: 'us-east1', region: 'us-east1', zone: 'us-east1-b' }]));
    expect(issues).toContainEqual({
      path: '/spec/subnets/0/zone',
      message:
        'spec.networking.subnets[0].zone: Invalid value: "us-east1-b": zones should not be specified for GCE subnets, as GCE subnets are regional',
      source: 'pkg/apis/kops/validation/gce.go:33',
    });
  });

  it('the group rules run with a GCE cluster only', () => {
    const subnets = [{ name: 'us-east1', region: 'us-east1' }];
    const [onGce] = kopsCrossOnlyFindings([storedGroup], cluster('gce', subnets));
    expect(onGce!.map((f) => f.issue)).toContainEqual({
      path: '/spec/zones',
      message: 'spec.zones: Required value: zones should be specified',
      source: 'pkg/apis/kops/validation/gce.go:49',
    });
    const [onAws] = kopsCrossOnlyFindings([storedGroup], cluster('aws', [{ name: 'us-east1', zone: 'us-east-1a' }]));
    expect(onAws!.map((f) => f.issue.message)).not.toContain('spec.zones: Required value: zones should be specified');
  });
});

/**
 * kops's pkg/apis/kops/validation/cluster_test.go @268927e, translated as validation-*.test.ts
 * are (Go order, lines cited, testErrors's semantics, kops's internal-API values as JSON); and
 * `validateClusterUpdate` on stored documents.
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { validateEtcdClusterUpdate } from '../../../src/config/validate/kops-validation/cluster.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { validateEtcdClusterSpec } from '../../../src/config/validate/kops-validation/validation-etcd.js';
import { validateClusterUpdate } from '../../../src/config/validate/kops.js';
import { expectErrors, kopsValidSpec } from '../../helpers/index.js';

const members = (...pairs: [string, string][]) => pairs.map(([name, instanceGroup]) => ({ name, instanceGroup }));
const created = { createdEtcdClusters: ['main'] };

// kops cluster_test.go:27 TestValidEtcdChanges (expects no errors; kops passes a nil path)
describe('TestValidEtcdChanges', () => {
  const abc = members(['a', 'eu-central-1a'], ['b', 'eu-central-1b'], ['c', 'eu-central-1c']);
  const grid = [
    {
      source: 'cluster_test.go:34',
      old: abc,
      next: members(['a', 'eu-central-1a'], ['b', 'eu-central-1b'], ['d', 'eu-central-1d']),
    },
    { source: 'cluster_test.go:82', old: members(['a', 'eu-central-1a']), next: abc },
    { source: 'cluster_test.go:122', old: members(['a', 'eu-central-1a']), next: members(['a', 'eu-central-1a']) },
  ];
  it.each(grid)('$source', ({ old, next }) => {
    const errs = validateEtcdClusterUpdate(
      FieldPath.of(''),
      new View({ name: 'main', etcdMembers: next }),
      created,
      new View({ name: 'main', etcdMembers: old }),
    );
    expect(errs).toEqual([]);
  });
});

// kops cluster_test.go:163 TestEtcdImageChanges
describe('TestEtcdImageChanges', () => {
  const image = 'gcr.io/etcd-development/etcd:v3.6.99';
  const grid = [
    {
      source: 'cluster_test.go:179',
      old: { version: '3.6.99' },
      next: { version: '3.6.99', image },
      status: created,
      expected: ['Forbidden::spec.etcdClusters[main].image'],
    },
    {
      source: 'cluster_test.go:188',
      old: { version: '3.6.99', image },
      next: { version: '3.6.99', image: 'example.com/etcd:v3.6.99' },
      status: created,
      expected: ['Forbidden::spec.etcdClusters[main].image'],
    },
    {
      source: 'cluster_test.go:197',
      old: { version: '3.6.99', image },
      next: { version: '3.6.99' },
      status: created,
      expected: ['Forbidden::spec.etcdClusters[main].image'],
    },
    {
      source: 'cluster_test.go:206',
      old: { version: '3.6.99', image },
      next: { version: '3.6.100', image },
      status: created,
      expected: ['Forbidden::spec.etcdClusters[main].version'],
    },
    {
      source: 'cluster_test.go:215',
      old: { version: '3.6.99', image },
      next: { version: '3.6.99', image },
      status: created,
    },
    { source: 'cluster_test.go:221', old: { version: '3.6.11' }, next: { version: '3.6.12' }, status: created },
    { source: 'cluster_test.go:227', old: { version: '3.6.99' }, next: { version: '3.6.99', image }, status: {} },
  ];
  it.each(grid)('$source', ({ old, next, status, expected }) => {
    const fp = FieldPath.of('spec', 'etcdClusters').key('main');
    const errs = validateEtcdClusterUpdate(
      fp,
      new View({ name: 'main', ...next }),
      status,
      new View({ name: 'main', ...old }),
    );
    expectErrors(errs, expected);
  });
});

// kops cluster_test.go:242 TestEtcdVersionRequiredWithImage (validation.go's validateEtcdClusterSpec)
describe('TestEtcdVersionRequiredWithImage', () => {
  const one = members(['a', 'eu-central-1a']);
  const grid = [
    {
      source: 'cluster_test.go:248',
      spec: { name: 'main', etcdMembers: one, image: 'gcr.io/etcd-development/etcd:v3.6.99' },
      expected: ['Required value::spec.etcdClusters[0].version'],
    },
    {
      source: 'cluster_test.go:259',
      spec: { name: 'main', etcdMembers: one, version: '3.6.99', image: 'gcr.io/etcd-development/etcd:v3.6.99' },
    },
    { source: 'cluster_test.go:268', spec: { name: 'main', etcdMembers: one } },
  ];
  it.each(grid)('$source', ({ spec, expected }) => {
    expectErrors(validateEtcdClusterSpec(new View(spec), FieldPath.of('spec', 'etcdClusters').index(0)), expected);
  });
});

describe('validateClusterUpdate on stored documents', () => {
  const doc = (spec: object) => ({
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: 'c.example.com' },
    spec,
  });
  const base = kopsValidSpec();

  it('refuses removing an etcd cluster (cluster.go:53), with kops path and message', () => {
    const removed = doc({ ...base, etcdClusters: base.etcdClusters.slice(0, 1) });
    expect(validateClusterUpdate(doc(base), removed)).toEqual([
      {
        path: '/spec/etcdClusters',
        message: 'spec.etcdClusters[events]: Forbidden: EtcdClusters cannot be removed',
        source: 'pkg/apis/kops/validation/cluster.go:53',
      },
    ]);
  });

  it('refuses moving a member of a created etcd cluster only with that fact (cluster.go:118)', () => {
    const moved = doc({
      ...base,
      etcdClusters: base.etcdClusters.map((c) => ({ ...c, etcdMembers: members(['a', 'master-b']) })),
    });
    expect(validateClusterUpdate(doc(base), moved)).toEqual([]);
    expect(validateClusterUpdate(doc(base), moved, { createdEtcdClusters: ['main'] })).toEqual([
      {
        path: '/spec/etcdClusters',
        message: 'spec.etcdClusters[main].etcdMembers[a].instanceGroup: Forbidden: instanceGroup cannot be changed',
        source: 'pkg/apis/kops/validation/cluster.go:118',
      },
    ]);
  });

  it('refuses a reserved cloud label a change adds, keeps one already there (cluster.go:142, 154)', () => {
    const labelled = doc({ ...base, cloudLabels: { 'kops.k8s.io/mine': 'x' } });
    expect(validateClusterUpdate(doc(base), labelled).map((issue) => issue.message)).toEqual([
      'spec.cloudLabels.kops.k8s.io/mine: Forbidden: "kops.k8s.io/" is a reserved label prefix and cannot be used as a custom label',
    ]);
    expect(validateClusterUpdate(labelled, labelled)).toEqual([]);
  });
});

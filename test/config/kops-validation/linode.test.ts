/**
 * kops's pkg/apis/kops/validation/linode_test.go @268927e (Apache-2.0, Copyright The Kubernetes
 * Authors), translated as validation-*.test.ts are: cases in Go order citing their lines, the
 * expected errors verbatim, checked with testFieldErrors's semantics (validation_test.go:681), the
 * cluster as kops's internal API; and the rule on a stored v1alpha2 document.
 */
import { linodeValidateCluster } from '../../../src/config/validate/kops-validation/linode.js';
import { kopsClusterIssues } from '../../../src/config/validate/kops-validation/index.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { expectFieldErrors } from './grid.js';

/** kops linode_test.go:28 newLinodeClusterForClusterValidation */
const newLinodeClusterForClusterValidation = (name: string) =>
  new View({ metadata: { name }, spec: { cloudProvider: { linode: {} } } });

// kops linode_test.go:39 TestLinodeValidateCluster
describe('TestLinodeValidateCluster', () => {
  const grid = [
    {
      source: 'linode_test.go:46 accepts cluster name within limit',
      cluster: newLinodeClusterForClusterValidation('linode.example.com'),
      expected: [],
    },
    {
      source: 'linode_test.go:50 rejects cluster name longer than 32 characters',
      cluster: newLinodeClusterForClusterValidation('a'.repeat(33)),
      expected: [
        { type: 'Invalid', field: 'objectMeta.name', detail: 'cluster name must be no more than 32 characters long' },
      ],
    },
  ];
  it.each(grid)('$source', ({ cluster, expected }) => {
    expectFieldErrors(linodeValidateCluster(cluster), expected);
  });
});

describe('linodeValidateCluster from newValidateCluster (validation.go:78-79)', () => {
  const stored = (name: string, cloudProvider: string) => ({
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name },
    spec: { kubernetesVersion: '1.34.0', cloudProvider },
  });
  const name = `${'a'.repeat(30)}.example.com`;
  const message = `objectMeta.name: Invalid value: "${name}": cluster name must be no more than 32 characters long`;

  it('refuses a long name on Linode, at /metadata/name', () => {
    const issues = kopsClusterIssues(stored(name, 'linode'));
    expect(issues).toContainEqual({ path: '/metadata/name', message, source: 'pkg/apis/kops/validation/linode.go:29' });
  });

  it('leaves the same name alone on another cloud', () => {
    expect(kopsClusterIssues(stored(name, 'aws')).map((issue) => issue.message)).not.toContain(message);
  });
});

/**
 * No false positives: kops's rules (src/config/validate/kops-validation/) find nothing in any
 * `cluster-completed.spec` kops itself wrote (test/fixtures/kops/update_cluster/, from kops
 * 268927e), in strict mode as kops applies it to a completed spec, and non-strict. The inputs
 * and create-cluster outputs are checked by test/config/kops-fixtures.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kopsClusterIssues } from '../../../src/config/validate/kops-validation/index.js';
import { parseYaml } from '../../../src/config/yaml/parse.js';

const DIR = path.join(__dirname, '../../fixtures/kops/update_cluster');
const specs = readdirSync(DIR)
  .map((name) => path.join(name, 'cluster-completed.spec'))
  .filter((file) => existsSync(path.join(DIR, file)));

it('finds the completed specs', () => {
  expect(specs.length).toBeGreaterThanOrEqual(57);
});

/** Frozen all the way down: reading it as kops's internal API must not change the stored document. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

it.each(specs)('%s: no kops issue, strict or not', (file) => {
  const value = deepFreeze(parseYaml(readFileSync(path.join(DIR, file), 'utf8')).value);
  expect(kopsClusterIssues(value, true)).toEqual([]);
  expect(kopsClusterIssues(value, false)).toEqual([]);
});

it('converts without changing the stored document (renames, inversions, master policies, OIDC, externalDns)', () => {
  const doc = deepFreeze({
    metadata: { name: 'c.example.com' },
    spec: {
      // legacy.go:47 stops at a missing version, before the rules this test is about.
      kubernetesVersion: '1.30.0',
      cloudProvider: 'aws',
      externalDns: { disable: true },
      additionalPolicies: { master: '[]' },
      kubeAPIServer: { oidcGroupsClaim: 'groups', authenticationConfigFile: '/a' },
      topology: { dns: { type: 'None' }, bastion: { bastionPublicName: 'b' } },
      hooks: [{ disabled: true }],
      subnets: [{ name: 'a', cidr: '10.0.0.0/8', type: 'Public' }],
    },
  });
  const messages = kopsClusterIssues(doc).map((issue) => issue.message);
  // OIDC options moved to authentication.oidc conflict with an authentication config file (validation.go:879).
  expect(messages).toContain(
    'spec.kubeAPIServer.authenticationConfigFile: Forbidden: authenticationConfigFile is mutually exclusive with OIDC options, remove all existing OIDC options to use authenticationConfigFile',
  );
  // "master" is read as "control-plane" (conversion.go:84), which kops accepts.
  expect(messages.some((m) => m.startsWith('spec.additionalPolicies'))).toBe(false);
});

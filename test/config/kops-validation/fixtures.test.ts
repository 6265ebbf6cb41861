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

it.each(specs)('%s: no kops issue, strict or not', (file) => {
  const { value } = parseYaml(readFileSync(path.join(DIR, file), 'utf8'));
  expect(kopsClusterIssues(value, true)).toEqual([]);
  expect(kopsClusterIssues(value, false)).toEqual([]);
});

/**
 * Every kops integration fixture (copied from kops, see test/fixtures/kops/NOTICE.md) parses,
 * validates with zero errors, and round-trips byte for byte; and so does every Cluster and
 * InstanceGroup file of the three reconstructed state-store trees.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseClusterDocuments } from '../../src/config/yaml/cluster.js';
import { parseYaml, parseYamlDocuments } from '../../src/config/yaml/parse.js';
import { updateYamlText } from '../../src/config/yaml/update.js';
import {
  errorsOnly,
  validateClusterConfig,
  validateClusterWithInstanceGroups,
  validateInstanceGroup,
} from '../../src/config/validate/kops.js';

const KOPS = path.join(__dirname, '../fixtures/kops');
const files = ['update_cluster', 'create_cluster'].flatMap((dir) =>
  readdirSync(path.join(KOPS, dir))
    .map((name) => path.join(dir, name, dir === 'update_cluster' ? 'in-v1alpha2.yaml' : 'expected-v1alpha2.yaml'))
    .filter((file) => existsSync(path.join(KOPS, file))),
);

/**
 * Fixtures kops's own validation refuses at 268927e, with its message. `apiserver-gce` is a stale
 * case: kops's create_cluster_integration_test.go no longer runs it, and its `.k8s.local` name
 * with a Private DNS topology is legacy gossip, refused by validation.go:601.
 */
const KOPS_REFUSES: Record<string, string[]> = {
  'create_cluster/apiserver-gce/expected-v1alpha2.yaml': [
    'spec.networking.topology.dns.type: Forbidden: gossip DNS support was removed in kOps 1.37; migrate the cluster to dns=none or a hosted DNS zone using kOps 1.36 before upgrading (see https://kops.sigs.k8s.io/gossip/)',
  ],
};

function storeFiles(dir: string): string[] {
  return readdirSync(path.join(KOPS, dir)).flatMap((name) => {
    const relative = path.join(dir, name);
    if (statSync(path.join(KOPS, relative)).isDirectory()) return storeFiles(relative);
    return /\/(config|cluster-completed\.spec|instancegroup\/[^/]+)$/.test(relative) ? [relative] : [];
  });
}
const stateStoreFiles = storeFiles('state-stores');

/** Splits a multi-document file as the store keeps it: one file per document. */
function parts(text: string): string[] {
  return text.split(/^---\s*$/m).filter((part) => part.trim() !== '');
}

describe('kops fixtures', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
    expect(stateStoreFiles.length).toBeGreaterThanOrEqual(12);
  });

  it.each(files)('%s parses, validates with zero errors (cross-field rules included) and round-trips', (file) => {
    const text = readFileSync(path.join(KOPS, file), 'utf8');
    const { cluster, instanceGroups } = parseClusterDocuments(text);
    expect(errorsOnly(validateClusterConfig(cluster)).map((issue) => issue.message)).toEqual(KOPS_REFUSES[file] ?? []);
    for (const group of instanceGroups) expect(errorsOnly(validateInstanceGroup(group))).toEqual([]);
    expect(validateClusterWithInstanceGroups(cluster, instanceGroups)).toEqual([]);
    for (const part of parts(text)) {
      const { value } = parseYamlDocuments(part)[0]!;
      expect(updateYamlText(part, structuredClone(value))).toBe(part);
    }
  });

  it.each(stateStoreFiles)('state store %s parses, validates and round-trips', (file) => {
    const text = readFileSync(path.join(KOPS, file), 'utf8');
    const { value } = parseYaml(text);
    const kind = (value as { kind?: string }).kind;
    expect(['Cluster', 'InstanceGroup']).toContain(kind);
    const issues = kind === 'Cluster' ? validateClusterConfig(value) : validateInstanceGroup(value);
    expect(errorsOnly(issues)).toEqual([]);
    expect(updateYamlText(text, structuredClone(value))).toBe(text);
  });

  it.each(files)('%s: changing one value rewrites exactly that line', (file) => {
    const clusterText = parts(readFileSync(path.join(KOPS, file), 'utf8'))[0]!;
    const value = parseYaml(clusterText).value as { spec: { kubernetesVersion?: string } };
    expect(typeof value.spec.kubernetesVersion).toBe('string');
    value.spec.kubernetesVersion = '1.99.0';
    const before = clusterText.split('\n');
    const after = updateYamlText(clusterText, value).split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after.filter((line, index) => line !== before[index]);
    expect(changed).toEqual([expect.stringMatching(/^ {2}kubernetesVersion: 1\.99\.0$/)]);
  });

  it.each(files)('%s: adding and removing fields touches only their lines', (file) => {
    const clusterText = parts(readFileSync(path.join(KOPS, file), 'utf8'))[0]!;
    const value = parseYaml(clusterText).value as { spec: Record<string, unknown> };
    delete value.spec.kubernetesVersion;
    value.spec.addedField = { nested: ['on', 1] };
    const out = updateYamlText(clusterText, value);
    const kept = clusterText.split('\n').filter((line) => !line.startsWith('  kubernetesVersion:'));
    expect(
      out.split('\n').filter((line) => !['  addedField:', '    nested:', '    - "on"', '    - 1'].includes(line)),
    ).toEqual(kept);
    expect(out).toContain('  addedField:\n    nested:\n    - "on"\n    - 1\n');
  });

  it.each(files)('%s: appending a subnet and dropping another touches only their lines', (file) => {
    const clusterText = parts(readFileSync(path.join(KOPS, file), 'utf8'))[0]!;
    const value = parseYaml(clusterText).value as { spec: { subnets: Array<Record<string, unknown>> } };
    // Drop the first subnet when another remains (emptying a list rewrites it as `[]`, another path).
    const drop = value.spec.subnets.length > 1 ? 1 : 0;
    const dropped = drop === 1 ? value.spec.subnets[0]! : {};
    value.spec.subnets = [...value.spec.subnets.slice(drop), { name: 'zz-added', type: 'Private', zone: 'on' }];
    const out = updateYamlText(clusterText, value);
    expect(parseYaml(out).value).toEqual(value);
    // The output is the original with one contiguous block (the dropped subnet) cut out and three lines added.
    const lines = out.split('\n');
    const at = lines.findIndex((line) => line.trim() === '- name: zz-added');
    expect(lines.slice(at, at + 3).map((line) => line.trim())).toEqual([
      '- name: zz-added',
      'type: Private',
      'zone: "on"',
    ]);
    const rest = [...lines.slice(0, at), ...lines.slice(at + 3)];
    const before = clusterText.split('\n');
    const cut = before.findIndex((line, index) => line !== rest[index]);
    const cutLength = before.length - rest.length;
    expect(cutLength).toBeGreaterThanOrEqual(Object.keys(dropped).length);
    expect(cut === -1 ? before : [...before.slice(0, cut), ...before.slice(cut + cutLength)]).toEqual(rest);
  });
});

/**
 * Every kops integration fixture (copied from kops, see test/fixtures/kops/README.md) parses,
 * validates with zero errors, and round-trips byte for byte.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseYamlDocuments } from '../../src/merge/yaml/parse.js';
import { updateYamlText } from '../../src/merge/yaml/update.js';
import { errorsOnly, validateClusterConfig, validateInstanceGroup } from '../../src/merge/validate/kops.js';

const KOPS = path.join(__dirname, '../fixtures/kops');
const files = ['update_cluster', 'create_cluster'].flatMap((dir) =>
  readdirSync(path.join(KOPS, dir))
    .map((name) => path.join(dir, name, dir === 'update_cluster' ? 'in-v1alpha2.yaml' : 'expected-v1alpha2.yaml'))
    .filter((file) => existsSync(path.join(KOPS, file))),
);

describe('kops fixtures', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
  });

  it.each(files)('%s parses, validates with zero errors and round-trips', (file) => {
    const text = readFileSync(path.join(KOPS, file), 'utf8');
    const documents = parseYamlDocuments(text);
    const kinds = documents.map((d) => (d.value as { kind?: string }).kind);
    expect(kinds).toContain('Cluster');
    for (const { value } of documents) {
      const kind = (value as { kind?: string }).kind;
      if (kind === 'Cluster') expect(errorsOnly(validateClusterConfig(value))).toEqual([]);
      if (kind === 'InstanceGroup') expect(errorsOnly(validateInstanceGroup(value))).toEqual([]);
    }
    // Round trip, one document at a time, as the store keeps them (config, instancegroup/<name>).
    for (const part of text.split(/^---\s*$/m).filter((p) => p.trim() !== '')) {
      const { value } = parseYamlDocuments(part)[0]!;
      expect(updateYamlText(part, structuredClone(value))).toBe(part);
    }
  });
});

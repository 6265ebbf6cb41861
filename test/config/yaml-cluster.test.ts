import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  parseClusterConfig,
  parseClusterDocuments,
  parseInstanceGroupConfig,
  stringifyClusterConfig,
  stringifyClusterDocuments,
} from '../../src/config/yaml/cluster.js';
import { parseYamlAll, parseYamlDocuments } from '../../src/config/yaml/parse.js';
import { thrown } from '../helpers/index.js';

const KOPS = path.join(__dirname, '../fixtures/kops');

describe('kops documents', () => {
  const minimal = readFileSync(path.join(KOPS, 'update_cluster/minimal-1.34/in-v1alpha2.yaml'), 'utf8');

  it('splits the -f form into the Cluster and its InstanceGroups', () => {
    const { cluster, instanceGroups } = parseClusterDocuments(minimal);
    expect(cluster.metadata?.name).toBe('minimal.example.com');
    expect(instanceGroups.map((group) => group.metadata?.name)).toEqual(['master-us-test-1a', 'nodes']);
  });

  it('keeps documents of other kinds as additional objects (kops passes them to the cluster)', () => {
    const text = readFileSync(path.join(KOPS, 'update_cluster/additionalobjects/in-v1alpha2.yaml'), 'utf8');
    const documents = parseClusterDocuments(text);
    expect(documents.instanceGroups).toHaveLength(2);
    expect(documents.additionalObjects.map((object) => object.kind)).toEqual(['KubeSchedulerConfiguration']);
    expect(parseClusterDocuments(stringifyClusterDocuments(documents))).toEqual(documents);
  });

  it('writes the -f form back so that it reads the same', () => {
    const documents = parseClusterDocuments(minimal);
    const text = stringifyClusterDocuments(documents);
    expect(parseClusterDocuments(text)).toEqual(documents);
    expect(text.split('\n---\n\n')).toHaveLength(3);
  });

  it('refuses a -f file without exactly one Cluster, or with another kind', () => {
    expect(thrown(() => parseClusterDocuments('kind: InstanceGroup\n'))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('found 0'),
    });
    expect(thrown(() => parseClusterDocuments('kind: Cluster\n---\nkind: Cluster\n')).code).toBe('InvalidArgument');
    expect(thrown(() => parseClusterDocuments('kind: Cluster\n---\nname: no kind\n'))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('document 2'),
    });
    expect(thrown(() => parseClusterDocuments('kind: Cluster\n---\n- a list\n')).code).toBe('InvalidArgument');
  });

  it('skips empty documents and comment-only text', () => {
    expect(parseYamlAll('---\n---\nkind: Cluster\n---\n# just a comment\n')).toEqual([{ kind: 'Cluster' }]);
    expect(parseYamlDocuments('# nothing\n')).toEqual([]);
    expect(parseYamlAll('null\n---\n~\n')).toEqual([null, null]); // an explicit null is a document
  });

  it('parses single documents and refuses the wrong kind or apiVersion', () => {
    const config = readFileSync(
      path.join(KOPS, 'state-stores/complex/clusters.example.com/complex.example.com/config'),
      'utf8',
    );
    expect(parseClusterConfig(config).spec?.kubernetesVersion).toBeDefined();
    expect(thrown(() => parseInstanceGroupConfig(config))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('expected kind InstanceGroup'),
    });
    expect(thrown(() => parseClusterConfig('apiVersion: kops/v1alpha1\nkind: Cluster\n')).code).toBe('InvalidArgument');
    expect(thrown(() => parseClusterConfig('just a string\n')).code).toBe('InvalidArgument');
    expect(thrown(() => parseClusterConfig(minimal))).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('expected one YAML document, found 3'),
    });
  });

  it('stringifyClusterConfig edits the original text when given it', () => {
    const text =
      '# hand-written\napiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n  kubernetesVersion: 1.29.0 # keep me\n';
    const config = parseClusterConfig(text);
    const next = { ...config, spec: { ...config.spec, kubernetesVersion: '1.30.0' } };
    expect(stringifyClusterConfig(next, text)).toBe(text.replace('1.29.0', '1.30.0'));
    expect(stringifyClusterConfig(next)).toBe(
      'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n  kubernetesVersion: 1.30.0\n',
    );
  });
});

describe('YAML errors name where they are', () => {
  it.each([
    ['a: 1\nb:\n  c: 1\n  c: 2\n', /line 4, column 3/],
    ['a: 1\nb: [unclosed\n', /line \d+, column \d+/],
    ['spec:\n  list:\n  - x: 1\n  - __proto__: {}\n', /\/spec\/list\/1\/__proto__, line 4, column 5/],
    ['spec:\n  <<: {a: 1}\n', /merge keys.*\/spec\/<<, line 2, column 3/],
  ])('%j', (text, pattern) => {
    const { code, message } = thrown(() => parseYamlAll(text));
    expect(code).toBe('InvalidArgument');
    expect(message).toMatch(pattern);
  });

  it('accepts a quoted "<<" key, which is a string and not a merge key', () => {
    expect(parseYamlAll('"<<": 1\n')).toEqual([{ '<<': 1 }]);
  });

  it('refuses pathologically deep nesting without crashing', () => {
    const { code } = thrown(() => parseYamlAll(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    expect(code).toBe('InvalidArgument');
  });

  it('refuses non-string input', () => {
    expect(thrown(() => parseYamlAll(42 as unknown as string)).code).toBe('InvalidArgument');
  });
});

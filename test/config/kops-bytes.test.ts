/**
 * Bytes as kops writes them and values as kops reads them (issue #13 items 4-5, #14 items 2 and 6).
 * The oracle is kops's own output, copied from kops into test/fixtures/kops (see NOTICE.md):
 * `update_cluster/<case>/cluster-completed.spec` (written by kops into its state store) and
 * `conversion/<case>/v1alpha2.yaml` and `create_cluster/<case>/expected-v1alpha2.yaml` (kops's
 * ToVersionedYaml output its own tests compare against).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseClusterConfig } from '../../src/config/yaml/cluster.js';
import { goKeyLess, goResolve } from '../../src/config/yaml/go-resolve.js';
import { parseYaml, parseYamlAll } from '../../src/config/yaml/parse.js';
import { stringifyYaml } from '../../src/config/yaml/update.js';
import { errorsOnly, validateClusterConfig, validateInstanceGroup } from '../../src/config/validate/kops.js';
import { openStateStore } from '../../src/store/open.js';
import type { ClusterConfig } from '../../src/config/schema/types.generated.js';
import { StateStoreError } from '../../src/errors.js';
import { kopsValidGroups, kopsValidSpec, rejection, thrown } from '../helpers/index.js';

const KOPS = path.join(__dirname, '../fixtures/kops');
const completed = readdirSync(path.join(KOPS, 'update_cluster'))
  .map((name) => path.join('update_cluster', name, 'cluster-completed.spec'))
  .filter((file) => existsSync(path.join(KOPS, file)));
const conversions = [
  ...readdirSync(path.join(KOPS, 'conversion')).map((name) => path.join('conversion', name, 'v1alpha2.yaml')),
  ...readdirSync(path.join(KOPS, 'create_cluster')).map((name) =>
    path.join('create_cluster', name, 'expected-v1alpha2.yaml'),
  ),
];
const read = (file: string): string => readFileSync(path.join(KOPS, file), 'utf8');

let counter = 0;
const freshStore = () => openStateStore(`memfs://kops-bytes-${process.pid}-${++counter}`);

describe('writing YAML as kops writes it', () => {
  it('finds all 57 cluster-completed.spec files kops wrote', () => {
    expect(completed).toHaveLength(57);
  });

  it.each(completed)('%s parses, validates and re-stringifies byte-identical', (file) => {
    const text = read(file);
    const config = parseClusterConfig(text);
    expect(errorsOnly(validateClusterConfig(config))).toEqual([]);
    expect(stringifyYaml(config)).toBe(text);
  });

  it.each(conversions)('%s (kops ToVersionedYaml, multi-document) re-stringifies byte-identical', (file) => {
    const text = read(file);
    const documents = parseYamlAll(text);
    for (const document of documents.slice(1)) expect(errorsOnly(validateInstanceGroup(document))).toEqual([]);
    expect(documents.map((document) => stringifyYaml(document)).join('\n---\n\n')).toBe(text);
  });

  it('quotes as go-yaml v2: single quotes for indicators, double for what would not read back as a string', () => {
    expect(
      stringifyYaml({ a: '*', b: '::', c: 'cn=John Doe: x', d: '1:20', e: 'on', f: '0o14', g: '', h: "it's" }),
    ).toBe(`a: '*'\nb: '::'\nc: 'cn=John Doe: x'\nd: "1:20"\ne: "on"\nf: "0o14"\ng: ""\nh: it's\n`);
    expect(stringifyYaml({ tab: 'a\tb', lead: ' x', multi: 'a\nb\n', emoji: '\u{1F600}' })).toBe(
      'emoji: "\\U0001F600"\nlead: \' x\'\nmulti: |\n  a\n  b\ntab: "a\\tb"\n',
    );
  });

  it('sorts keys as go-yaml v2 (letters first, digit runs by value) and never writes anchors', () => {
    expect(['b', 'a10', 'a9', '_x', 'A'].sort((x, y) => (goKeyLess(x, y) ? -1 : 1))).toEqual([
      '_x',
      'A',
      'a9',
      'a10',
      'b',
    ]); // a letter sorts after a non-letter
    const shared = ['0.0.0.0/0'];
    const out = stringifyYaml({ spec: { sshAccess: shared, kubernetesApiAccess: shared, empty: {}, none: [] } });
    expect(out).toBe(
      'spec:\n  empty: {}\n  kubernetesApiAccess:\n  - 0.0.0.0/0\n  none: []\n  sshAccess:\n  - 0.0.0.0/0\n',
    );
  });

  it.each([
    [{ a: [['x', 'y'], []] }, 'a:\n- - x\n  - "y"\n- []\n'], // y is a boolean to go-yaml v2
    [{ a: ' lead\nx' }, 'a: |2-\n   lead\n  x\n'], // indentation indicator for a leading space
    [{ a: 'x\n\n' }, 'a: |+\n  x\n\n'],
    [{ a: 'a\n ' }, 'a: "a\\n "\n'], // trailing space: no block style
    [{ 'k\nl': 1 }, '? |-\n  k\n  l\n: 1\n'], // a multi-line key is not a simple key
    [[{ b: [1], a: 1 }], '- a: 1\n  b:\n  - 1\n'],
    [{ a: '- x', b: 'a #b', c: 'x: ' }, "a: '- x'\nb: 'a #b'\nc: 'x: '\n"],
    ['top', 'top\n'],
  ])('lays out %j as go-yaml v2 does', (value, expected) => {
    expect(stringifyYaml(value)).toBe(expected);
  });

  it('writes numbers as go-yaml v2 after a JSON round trip (ints plain, floats in Go %g)', () => {
    expect(stringifyYaml({ i: 3, f: 0.5, big: 1e21, m: 1000000.5, small: 0.00001 })).toBe(
      'big: 1e+21\nf: 0.5\ni: 3\nm: 1.0000005e+06\nsmall: 1e-05\n',
    );
  });
});

describe('reading YAML as kops reads it (go-yaml v2)', () => {
  it('has no base 60, reads 0o14 as 12, and !!binary as its text', () => {
    expect(parseYaml('a: 1:20\nb: 0o14\nc: !!binary aGVsbG8=\nd: 0x1F\ne: 010\n').value).toEqual({
      a: '1:20',
      b: 12,
      c: 'hello',
      d: 31,
      e: 8,
    });
    expect(goResolve('2017-02-30')[0]).toBe('str'); // not a date Go's time.Parse accepts
    expect(goResolve('2017-02-28')[0]).toBe('timestamp');
    expect(thrown(() => parseYaml('a: !!binary "@@"')).code).toBe('InvalidArgument');
  });

  it('reads !!omap, !!pairs and !!set as the plain list or map go-yaml reads (not {})', () => {
    expect(parseYaml('a: !!omap [{x: 1}, {z: 2}]\nb: !!pairs [{x: 1}]\nc: !!set {p, q}\n').value).toEqual({
      a: [{ x: 1 }, { z: 2 }],
      b: [{ x: 1 }],
      c: { p: null, q: null },
    });
  });

  const base = (extra: string): string =>
    `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: t.example.com\nspec:\n  kubernetesVersion: 1.30.0\n${extra}`;

  // Per tag: read, an unrelated mergeConfig, and the tagged value intact, or a typed refusal with nothing written.
  it.each([
    ['!!omap', '  cloudLabels: !!omap [{team: a}, {env: b}]\n'],
    ['!!pairs', '  cloudLabels: !!pairs [{team: a}]\n'],
    ['!!set', '  cloudLabels: !!set {team, env}\n'],
    ['!!binary', '  cloudLabels:\n    team: !!binary YWxwaGE=\n'],
    ['base 60', '  cloudLabels:\n    window: 1:20\n'],
    ['0o', '  kubelet:\n    maxPods: 0o14\n'],
  ])('%s survives an unrelated mergeConfig or is refused with nothing written', async (_, extra) => {
    const store = await freshStore();
    const text = base(extra);
    await store.vfs.write('t.example.com/config', text);
    const before = await store.getCluster('t.example.com');
    const result = await store
      .mergeConfig('t.example.com', { spec: { kubernetesVersion: '1.30.1' } })
      .catch((err: unknown) => err);
    const after = await store.getCluster('t.example.com');
    if (result instanceof StateStoreError) {
      expect(['ValidationError', 'InvalidArgument']).toContain(result.code);
      expect(after.text).toBe(text);
    } else {
      expect(after.text).toContain(extra);
      expect(after.value.spec?.cloudLabels ?? null).toEqual(before.value.spec?.cloudLabels ?? null);
      expect(after.value.spec?.kubelet ?? null).toEqual(before.value.spec?.kubelet ?? null);
    }
  });

  it('keeps 1:20 a string and 0o14 the number 12 through a merge', async () => {
    const store = await freshStore();
    await store.vfs.write(
      't.example.com/config',
      base('  cloudLabels:\n    window: 1:20\n  kubelet:\n    maxPods: 0o14\n'),
    );
    await store.mergeConfig('t.example.com', { spec: { kubernetesVersion: '1.30.1' } });
    const { value } = await store.getCluster('t.example.com');
    expect(value.spec?.cloudLabels).toEqual({ window: '1:20' });
    expect(value.spec?.kubelet?.maxPods).toBe(12);
  });
});

describe('API versions and metadata as kops writes them', () => {
  const legacy = read('conversion/minimal/legacy-v1alpha2.yaml');
  const legacyCluster = legacy.split(/^---$/m)[0]!;

  it('reads the legacy kops/v1alpha2 config and merges it, writing kops.k8s.io/v1alpha2', async () => {
    expect(parseClusterConfig(legacyCluster).apiVersion).toBe('kops/v1alpha2');
    expect(errorsOnly(validateClusterConfig(parseClusterConfig(legacyCluster)))).toEqual([]);
    const store = await freshStore();
    await store.vfs.write('minimal.example.com/config', legacyCluster);
    expect((await store.getCluster('minimal.example.com')).value.apiVersion).toBe('kops/v1alpha2');
    await store.mergeConfig('minimal.example.com', { spec: { kubernetesVersion: 'v1.30.1' } });
    const { value, text } = await store.getCluster('minimal.example.com');
    expect(value.apiVersion).toBe('kops.k8s.io/v1alpha2');
    expect(value.spec?.kubernetesVersion).toBe('v1.30.1');
    expect(text.replace('kops.k8s.io/v1alpha2', 'kops/v1alpha2').replace(/kubernetesVersion: .*\n/, '')).toBe(
      legacyCluster
        .replace(/kubernetesVersion: .*\n/, '')
        .replace(/(metadata:\n {2}creationTimestamp: .*\n {2}name: .*\n)/, '$1  generation: 1\n'), // an edit appends the new key
    );
  });

  it('refuses kops.k8s.io/v1alpha3 with Unsupported (kops converts it; statestore does not) and other apiVersions', () => {
    const v1alpha3 = read('conversion/minimal/v1alpha3.yaml').split(/^---$/m)[0]!;
    const err = thrown(() => parseClusterConfig(v1alpha3));
    expect(err.code).toBe('Unsupported');
    expect(err.message).toMatch(/apiVersion "kops\.k8s\.io\/v1alpha3"/);
    expect(thrown(() => parseClusterConfig('apiVersion: kops.k8s.io/v9\nkind: Cluster\n')).code).toBe(
      'InvalidArgument',
    );
    expect(validateClusterConfig({ apiVersion: 'kops.k8s.io/v1alpha3', kind: 'Cluster' })[0]?.path).toBe('/apiVersion');
  });

  it('createCluster sets creationTimestamp as kops does and writes sorted keys without anchors', async () => {
    const store = await freshStore();
    const access = ['0.0.0.0/0'];
    const config = {
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'Cluster',
      metadata: { name: 'c.example.com' },
      spec: { ...kopsValidSpec(), sshAccess: access, kubernetesApiAccess: access },
    };
    const before = Date.now();
    await store.createCluster('c.example.com', config as ClusterConfig, kopsValidGroups() as never);
    const { text, value } = await store.getCluster('c.example.com');
    expect(value.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(String(value.metadata?.creationTimestamp))).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000,
    );
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text).toBe(stringifyYaml(value));
  });

  it('bumps metadata.generation when the spec changes (mergeConfig, putConfig), not otherwise', async () => {
    const store = await freshStore();
    const config = {
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'Cluster',
      metadata: { name: 'g.example.com' },
      spec: kopsValidSpec(),
    } as ClusterConfig;
    await store.createCluster('g.example.com', config, kopsValidGroups() as never);
    await store.mergeConfig('g.example.com', { spec: { kubernetesVersion: '1.30.1' } });
    expect((await store.getCluster('g.example.com')).value.metadata?.generation).toBe(1);
    await store.mergeConfig('g.example.com', { metadata: { labels: { a: 'b' } } });
    expect((await store.getCluster('g.example.com')).value.metadata?.generation).toBe(1);
    const { value } = await store.getCluster('g.example.com');
    await store.putConfig('g.example.com', { ...value, spec: { ...value.spec, kubernetesVersion: '1.30.2' } });
    expect((await store.getCluster('g.example.com')).value.metadata?.generation).toBe(2);
  });

  it('createCluster refuses a 5.1 MB config and an oversized instance group with InvalidArgument, writing nothing', async () => {
    const store = await freshStore();
    const huge = {
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'Cluster',
      metadata: { name: 'h.example.com' },
      spec: { additionalPolicies: { node: 'x'.repeat(5_100_000) } },
    };
    expect((await rejection(store.createCluster('h.example.com', huge as ClusterConfig))).code).toBe('InvalidArgument');
    // Small as JSON, over the read limit as YAML (every line indented): refused before the config is written.
    let deep: unknown = Array.from({ length: 90_000 }, () => 'x');
    for (let i = 0; i < 50; i++) deep = { level: deep };
    const group = {
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'InstanceGroup',
      metadata: { name: 'nodes' },
      spec: { role: 'Node', x: deep },
    };
    const small = { ...huge, spec: kopsValidSpec() };
    const err = await rejection(
      store.createCluster('h.example.com', small as ClusterConfig, [...kopsValidGroups(), group] as never),
    );
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toMatch(/could not be read back/);
    expect(await store.listClusters()).toEqual([]);
  });

  it('a config with 99 aliases to a 43 KB string: an unrelated mergeConfig keeps it readable (kept or refused) (#14.2)', async () => {
    const store = await freshStore();
    const labels = Array.from({ length: 99 }, (_, i) => `    l${i}: *big\n`).join('');
    const text = `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: a.example.com\nspec:\n  additionalPolicies:\n    node: &big ${'x'.repeat(43_000)}\n  cloudLabels:\n${labels}  kubernetesVersion: 1.30.0\n`;
    await store.vfs.write('a.example.com/config', text);
    const result = await store
      .mergeConfig('a.example.com', { spec: { kubernetesVersion: '1.30.1' } })
      .catch((err: unknown) => err);
    const after = await store.getCluster('a.example.com');
    if (result instanceof StateStoreError) {
      expect(result.code).toBe('InvalidArgument');
      expect(after.text).toBe(text);
    } else {
      expect(after.text.length).toBeLessThan(text.length + 100);
      expect(after.text).toContain('l98: *big');
    }
  });
});

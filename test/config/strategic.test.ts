import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeepPatch } from '../../src/config/patch/json.js';
import { clusterSchema, type ClusterConfig } from '../../src/config/schema/index.js';
import { strategicMerge } from '../../src/config/patch/strategic.js';
import { parse as parseYamlText } from 'yaml';
import { thrown } from '../helpers/index.js';

describe('strategicMerge: rule 1 (pure, all-or-nothing)', () => {
  test('never mutates base or patch', () => {
    const base = { spec: { subnets: [{ name: 'a', type: 'Public' }], kubelet: { x: 1 } } };
    const patch = { spec: { subnets: [{ name: 'a', type: 'Private' }], kubelet: { y: 2 } } } as never;
    const baseCopy = structuredClone(base);
    const patchCopy = structuredClone(patch);
    const out = strategicMerge(base, patch);
    expect(base).toEqual(baseCopy);
    expect(patch).toEqual(patchCopy);
    expect(out.spec.subnets[0]).not.toBe(base.spec.subnets[0]);
    expect(out.spec.kubelet).not.toBe(base.spec.kubelet);
  });

  test('the output shares no structure with the inputs', () => {
    const base = { a: { b: { c: 1 } }, untouched: { d: [1] } };
    const out = strategicMerge(base, { a: { e: 1 } } as never);
    out.untouched.d.push(2);
    expect(base.untouched.d).toEqual([1]);
  });

  test('an error anywhere aborts the whole merge', () => {
    const base = { spec: { a: 1, subnets: [{ name: 'x' }] } };
    expect(() => strategicMerge(base, { spec: { a: 2, subnets: [{ type: 'Private' }] } } as never)).toThrow();
    expect(base.spec.a).toBe(1);
  });
});

describe('strategicMerge: rule 2 (maps, scalars, null, empty objects)', () => {
  test('maps merge deeply, scalars replace', () => {
    expect(
      strategicMerge({ spec: { kubelet: { a: 1, b: 2 }, v: '1.29' } }, { spec: { kubelet: { b: 3 }, v: '1.30' } }),
    ).toEqual({
      spec: { kubelet: { a: 1, b: 3 }, v: '1.30' },
    });
  });

  test('null deletes a field, and deleting an absent field is a no-op', () => {
    expect(
      strategicMerge({ spec: { a: 1, b: 2 } } as Record<string, unknown>, { spec: { a: null, zz: null } } as never),
    ).toEqual({ spec: { b: 2 } });
  });

  test('empty objects are values: they are added, and merging {} changes nothing', () => {
    expect(strategicMerge({ spec: {} } as Record<string, unknown>, { spec: { api: { dns: {} } } } as never)).toEqual({
      spec: { api: { dns: {} } },
    });
    expect(strategicMerge({ spec: { kubelet: { a: 1 } } }, { spec: { kubelet: {} } })).toEqual({
      spec: { kubelet: { a: 1 } },
    });
  });

  test('a map replaces a scalar and a scalar replaces a map; nested nulls in new maps are dropped', () => {
    expect(strategicMerge({ a: 1 } as Record<string, unknown>, { a: { b: null, c: 2 } } as never)).toEqual({
      a: { c: 2 },
    });
    expect(strategicMerge({ a: { b: 1 } } as Record<string, unknown>, { a: 'x' } as never)).toEqual({ a: 'x' });
  });

  test('an undefined field means no change (as JSON would drop it), never a deletion', () => {
    expect(strategicMerge({ spec: { a: 1, b: 2 } }, { spec: { a: undefined, b: 3 } })).toEqual({
      spec: { a: 1, b: 3 },
    });
  });

  test('key order: base keys keep their order, new keys append', () => {
    expect(Object.keys(strategicMerge({ b: 1, a: 2 } as Record<string, number>, { c: 3, b: 4 } as never))).toEqual([
      'b',
      'a',
      'c',
    ]);
  });
});

describe('strategicMerge: rule 3 (keyed lists)', () => {
  const base = {
    spec: {
      subnets: [
        { name: 'a', type: 'Public', cidr: '10.0.1.0/24' },
        { name: 'b', type: 'Public' },
      ],
      sshAccess: ['0.0.0.0/0'],
    },
  };

  test('matched elements merge, new ones append, base order kept', () => {
    const out = strategicMerge(base, {
      spec: {
        subnets: [
          { name: 'c', type: 'Utility' },
          { name: 'a', type: 'Private' },
        ],
      },
    });
    expect(out.spec.subnets).toEqual([
      { name: 'a', type: 'Private', cidr: '10.0.1.0/24' },
      { name: 'b', type: 'Public' },
      { name: 'c', type: 'Utility' },
    ]);
  });

  test('lists of scalars (and of objects without a key) replace', () => {
    expect(strategicMerge(base, { spec: { sshAccess: ['10.0.0.0/8'] } }).spec.sshAccess).toEqual(['10.0.0.0/8']);
    expect(strategicMerge({ r: [{ cidr: 'x' }] }, { r: [{ cidr: 'y' }] })).toEqual({ r: [{ cidr: 'y' }] });
  });

  test('nested keyed lists (etcdClusters[].etcdMembers[]) merge by name', () => {
    const etcd = {
      etcdClusters: [{ name: 'main', etcdMembers: [{ name: 'a', instanceGroup: 'master-a' }, { name: 'b' }] }],
    };
    const out = strategicMerge(etcd, {
      etcdClusters: [{ name: 'main', etcdMembers: [{ name: 'b', instanceGroup: 'master-b' }] }],
    });
    expect(out.etcdClusters[0]?.etcdMembers).toEqual([
      { name: 'a', instanceGroup: 'master-a' },
      { name: 'b', instanceGroup: 'master-b' },
    ]);
  });

  test('a patch element without its key is an error naming the path', () => {
    const err = thrown(() => strategicMerge(base, { spec: { subnets: [{ type: 'Private' }] } } as never));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('/spec/subnets/0');
    expect(err.message).toContain('"name"');
    expect((err as { issues?: Array<{ path: string }> }).issues?.[0]?.path).toBe('/spec/subnets/0');
  });

  test('duplicate keys in the patch or the base are errors', () => {
    expect(thrown(() => strategicMerge(base, { spec: { subnets: [{ name: 'a' }, { name: 'a' }] } })).message).toContain(
      '/spec/subnets/1',
    );
    const dupBase = { subnets: [{ name: 'a' }, { name: 'a' }] };
    expect(thrown(() => strategicMerge(dupBase, { subnets: [{ name: 'b' }] })).message).toMatch(/duplicate name "a"/);
  });

  test('options.listKeys names another key per path, or makes a list atomic with null', () => {
    const doc = { spec: { hooks: [{ id: 'x', manifest: 'a' }], fileAssets: [{ name: 'f', content: '1' }] } };
    const keyed = strategicMerge(doc, { spec: { hooks: [{ id: 'x', manifest: 'b' }, { id: 'y' }] } } as never, {
      listKeys: { 'spec.hooks': 'id' },
    });
    expect(keyed.spec.hooks).toEqual([{ id: 'x', manifest: 'b' }, { id: 'y' }]);
    const atomic = strategicMerge(doc, { spec: { fileAssets: [{ name: 'g' }] } } as never, {
      listKeys: { 'spec.fileAssets': null },
    });
    expect(atomic.spec.fileAssets).toEqual([{ name: 'g' }]);
  });

  test('the schema marks lists keyed by name even when the base is empty', () => {
    const schema = {
      type: 'object',
      properties: { l: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } },
    };
    expect(() => strategicMerge({ l: [] as unknown[] }, { l: [{ other: 1 }] } as never, { schema })).toThrow(
      /no "name"/,
    );
  });

  test('numeric keys are compared as strings', () => {
    expect(strategicMerge({ l: [{ name: 1, v: 1 }] }, { l: [{ name: 1, v: 2 }] })).toEqual({ l: [{ name: 1, v: 2 }] });
  });
});

describe('strategicMerge: rule 4 (directives)', () => {
  const base = {
    spec: { kubelet: { a: 1, b: 2 }, subnets: [{ name: 'a', type: 'Public', cidr: 'x' }, { name: 'b' }] },
  };

  test('$patch: replace on a map replaces it', () => {
    expect(strategicMerge(base, { spec: { kubelet: { $patch: 'replace', c: 3 } } } as never).spec.kubelet).toEqual({
      c: 3,
    });
  });

  test('$patch: delete on a map removes it', () => {
    expect(strategicMerge(base, { spec: { kubelet: { $patch: 'delete' } } }).spec).not.toHaveProperty('kubelet');
  });

  test('$patch: replace and delete on keyed elements', () => {
    expect(
      strategicMerge(base, { spec: { subnets: [{ name: 'a', type: 'Private', $patch: 'replace' }] } }).spec.subnets,
    ).toEqual([{ name: 'a', type: 'Private' }, { name: 'b' }]);
    expect(strategicMerge(base, { spec: { subnets: [{ name: 'a', $patch: 'delete' }] } }).spec.subnets).toEqual([
      { name: 'b' },
    ]);
    expect(strategicMerge(base, { spec: { subnets: [{ name: 'zz', $patch: 'delete' }] } }).spec.subnets).toHaveLength(
      2,
    );
  });

  test('{ $patch: replace } as a list element replaces the whole list', () => {
    expect(
      strategicMerge(base, { spec: { subnets: [{ $patch: 'replace' }, { name: 'c' }] } } as never).spec.subnets,
    ).toEqual([{ name: 'c' }]);
  });

  test('$ keys never reach the output', () => {
    const out = strategicMerge({}, {
      a: { $patch: 'merge', b: { $patch: 'replace', c: 1 } },
      l: [{ name: 'x', $patch: 'replace' }],
    } as never);
    expect(JSON.stringify(out)).not.toContain('$');
    expect(out).toEqual({ a: { b: { c: 1 } }, l: [{ name: 'x' }] });
  });

  test('unknown directives and other $ keys are errors', () => {
    expect(thrown(() => strategicMerge(base, { spec: { kubelet: { $patch: 'explode' } } } as never)).code).toBe(
      'InvalidArgument',
    );
    expect(thrown(() => strategicMerge(base, { spec: { $retainKeys: ['a'] } } as never)).message).toContain(
      '$retainKeys',
    );
    expect(thrown(() => strategicMerge({ $x: 1 }, {} as never)).code).toBe('InvalidArgument');
    expect(thrown(() => strategicMerge({ a: { l: [{ $x: 1 }] } }, {} as never)).message).toContain('/a/l/0');
  });

  test('deleting the whole document is an error', () => {
    expect(() => strategicMerge(base, { $patch: 'delete' } as never)).toThrow(/whole document/);
    expect(() => strategicMerge(base, null)).toThrow(/whole document/);
  });
});

describe('strategicMerge: rule 5 (prototype pollution)', () => {
  test.each([
    ['__proto__ key', '{"__proto__": {"polluted": true}}'],
    ['constructor key', '{"constructor": {"prototype": {"polluted": true}}}'],
    ['nested prototype key', '{"spec": {"prototype": 1}}'],
    ['key value', '{"spec": {"subnets": [{"name": "__proto__"}]}}'],
  ])('refuses a %s', (_name, json) => {
    const patch = JSON.parse(json) as never;
    expect(thrown(() => strategicMerge({ spec: { subnets: [] } }, patch)).code).toBe('InvalidArgument');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('strategicMerge: composite and default list keys, schema typing', () => {
  test('IAM service-account permissions are keyed by namespace + name by default', () => {
    const base = {
      spec: {
        iam: {
          serviceAccountExternalPermissions: [
            { name: 'sa', namespace: 'a', aws: { policyARNs: ['x'] } },
            { name: 'sa', namespace: 'b', aws: { policyARNs: ['y'] } },
          ],
        },
      },
    };
    const out = strategicMerge(base, {
      spec: {
        iam: { serviceAccountExternalPermissions: [{ name: 'sa', namespace: 'b', aws: { policyARNs: ['z'] } }] },
      },
    });
    expect(out.spec.iam.serviceAccountExternalPermissions.map((p) => p.aws.policyARNs[0])).toEqual(['x', 'z']);
    expect(() =>
      strategicMerge(base, { spec: { iam: { serviceAccountExternalPermissions: [{ name: 'sa' }] } } } as never),
    ).toThrow(/no "namespace"/);
  });

  test('options.listKeys accepts composite keys', () => {
    const out = strategicMerge(
      {
        l: [
          { a: 1, b: 1, v: 0 },
          { a: 1, b: 2, v: 0 },
        ],
      },
      { l: [{ a: 1, b: 2, v: 9 }] },
      { listKeys: { l: ['a', 'b'] } },
    );
    expect(out.l).toEqual([
      { a: 1, b: 1, v: 0 },
      { a: 1, b: 2, v: 9 },
    ]);
  });

  test('a base list with duplicates only fails when the patch touches it', () => {
    const base = { dup: [{ name: 'a' }, { name: 'a' }], other: 1 };
    expect(strategicMerge(base, { other: 2 })).toEqual({ dup: [{ name: 'a' }, { name: 'a' }], other: 2 });
  });
});

describe('strategicMerge on a real kops config (typed, with the cluster schema)', () => {
  const text = readFileSync(
    join(__dirname, '../fixtures/kops/state-stores/complex/clusters.example.com/complex.example.com/config'),
    'utf8',
  );
  const config = parseYamlText(text) as ClusterConfig;

  test('a DeepPatch<ClusterConfig> merges keyed etcd members and subnets and deletes with null', () => {
    const patch: DeepPatch<ClusterConfig> = {
      spec: {
        kubernetesVersion: '1.30.0',
        etcdClusters: [{ name: 'events', etcdMembers: [{ name: 'a', volumeSize: 30 }] }],
        subnets: [{ name: 'us-test-1a', type: 'Private' }],
        cloudLabels: { Owner: null },
      },
    };
    const out = strategicMerge(config, patch, { schema: clusterSchema });
    expect(out.spec?.kubernetesVersion).toBe('1.30.0');
    expect(out.spec?.etcdClusters?.map((c) => c.name)).toEqual(config.spec?.etcdClusters?.map((c) => c.name));
    const events = out.spec?.etcdClusters?.find((c) => c.name === 'events');
    expect(events?.etcdMembers).toEqual([{ instanceGroup: 'master-us-test-1a', name: 'a', volumeSize: 30 }]);
    expect(out.spec?.subnets?.length).toBe(config.spec?.subnets?.length);
    expect(out.spec?.subnets?.find((s) => s.name === 'us-test-1a')?.type).toBe('Private');
    expect(out.spec?.cloudLabels).toEqual({ 'foo/bar': 'fib+baz' });
    expect(parseYamlText(text)).toEqual(config);
  });

  test('the schema keys a list by name even when the patch element misses it', () => {
    const patch = { spec: { etcdClusters: [{ version: '3.5.9' }] } } as DeepPatch<ClusterConfig>;
    expect(() => strategicMerge(config, patch, { schema: clusterSchema })).toThrow(/\/spec\/etcdClusters\/0/);
  });
});

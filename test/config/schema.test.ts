import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { clusterSchema, instanceGroupSchema, schemaAtPath, type JsonSchema } from '../../src/config/schema/index.js';

const ROOT = path.join(__dirname, '../..');

function crdSchema(file: string): JsonSchema {
  const crd = parse(readFileSync(path.join(ROOT, 'test/fixtures/kops/crds', file), 'utf8')) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: JsonSchema } }> };
  };
  return crd.spec.versions.find((version) => version.name === 'v1alpha2')!.schema.openAPIV3Schema;
}

/** Every property path of a schema, with `[]` for list items and `*` for map values. */
function paths(schema: JsonSchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    out.push(`${prefix}/${name}`, ...paths(child, `${prefix}/${name}`));
  if (schema.items) out.push(...paths(schema.items, `${prefix}/[]`));
  if (typeof schema.additionalProperties === 'object') out.push(...paths(schema.additionalProperties, `${prefix}/*`));
  return out;
}

describe.each([
  ['Cluster', clusterSchema, 'kops.k8s.io_clusters.yaml'],
  ['InstanceGroup', instanceGroupSchema, 'kops.k8s.io_instancegroups.yaml'],
])('generated %s schema', (_kind, schema, crdFile) => {
  it('has every field of the CRD (regenerate with `npx tsx scripts/gen-schema.ts` when this fails)', () => {
    const generated = new Set(paths(schema));
    const missing = paths(crdSchema(crdFile)).filter((p) => !generated.has(p) && !p.startsWith('/metadata'));
    expect(missing).toEqual([]);
    expect(paths(schema).length).toBeGreaterThan(100);
  });

  it('closes every object that lists its properties (unknown fields are detectable) unless it preserves unknown fields', () => {
    const open: string[] = [];
    const walk = (node: JsonSchema, at: string): void => {
      if (
        node.properties &&
        node['x-kubernetes-preserve-unknown-fields'] !== true &&
        node.additionalProperties !== false
      )
        open.push(at);
      for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${at}/${name}`);
      if (node.items) walk(node.items, `${at}/[]`);
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${at}/*`);
    };
    walk(schema, '');
    expect(open).toEqual([]);
  });

  it('turns int-or-string into one node: quantities take any number, IntOrString whole numbers only', () => {
    const nodes: JsonSchema[] = [];
    const walk = (node: JsonSchema): void => {
      if (node['x-kubernetes-int-or-string'] === true) nodes.push(node);
      Object.values(node.properties ?? {}).forEach(walk);
      if (node.items) walk(node.items);
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties);
    };
    walk(schema);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      expect(node.type).toEqual(['number', 'string']);
      expect(node.anyOf).toBeUndefined();
      expect(node.multipleOf).toBe(node.pattern === undefined ? 1 : undefined);
    }
  });

  it('describes metadata (the CRD leaves it as a bare object)', () => {
    expect(Object.keys(schemaAtPath(schema, ['metadata'])?.properties ?? {})).toEqual(
      expect.arrayContaining(['name', 'labels', 'annotations', 'creationTimestamp']),
    );
  });
});

describe('schemaAtPath', () => {
  it('follows properties, list items (by number or numeric string) and map values', () => {
    expect(schemaAtPath(clusterSchema, ['spec', 'kubernetesVersion'])).toEqual({ type: 'string' });
    expect(schemaAtPath(clusterSchema, ['spec', 'subnets', 0, 'name'])).toEqual({ type: 'string' });
    expect(schemaAtPath(clusterSchema, ['spec', 'subnets', '3', 'zone'])).toEqual({ type: 'string' });
    expect(schemaAtPath(clusterSchema, ['spec', 'etcdClusters', 0, 'etcdMembers', 1, 'instanceGroup'])).toEqual({
      type: 'string',
    });
    expect(schemaAtPath(instanceGroupSchema, ['spec', 'nodeLabels', 'any/label'])).toEqual({ type: 'string' });
    expect(schemaAtPath(instanceGroupSchema, ['spec', 'maxSize'])?.type).toBe('integer');
    expect(schemaAtPath(clusterSchema, ['spec', 'rollingUpdate', 'maxSurge'])?.['x-kubernetes-int-or-string']).toBe(
      true,
    );
  });

  it('returns the root for an empty path and undefined where the schema says nothing', () => {
    expect(schemaAtPath(clusterSchema, [])).toBe(clusterSchema);
    expect(schemaAtPath(clusterSchema, ['spec', 'noSuchField'])).toBeUndefined();
    expect(schemaAtPath(clusterSchema, ['spec', 'kubernetesVersion', 'deeper'])).toBeUndefined();
    expect(schemaAtPath(clusterSchema, ['spec', 'api', 'dns', 'anything'])).toBeUndefined(); // a free-form object
  });
});

describe('generated files', () => {
  it.each(['src/config/schema/schemas.generated.ts', 'src/config/schema/types.generated.ts'])(
    '%s names the kops commit and the licence',
    (file) => {
      const head = readFileSync(path.join(ROOT, file), 'utf8').slice(0, 600);
      expect(head).toContain('268927e26409f861634e18f3632c9dd483c350cf');
      expect(head).toContain('Apache License, Version 2.0');
      expect(head).toContain('scripts/gen-schema.ts');
    },
  );

  it('exports ClusterConfig and InstanceGroupConfig, int-or-string as number | string', () => {
    const types = readFileSync(path.join(ROOT, 'src/config/schema/types.generated.ts'), 'utf8');
    expect(types).toMatch(/^export interface ClusterConfig \{/m);
    expect(types).toMatch(/^export interface InstanceGroupConfig \{/m);
    expect(types).toContain('maxSurge?: number | string;');
  });
});

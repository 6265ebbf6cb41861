/**
 * The Cluster and InstanceGroup validators are compiled at build time (scripts/gen-validators.ts).
 * The committed file must be what the generator writes now (else the schema or the ajv options
 * changed without a regeneration), and the precompiled validators must judge exactly as a
 * validator compiled at run time from the same schema and options.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { generateValidatorsSource } from '../../scripts/validators-source.js';
import { clusterSchema, instanceGroupSchema } from '../../src/config/schema/schemas.generated.js';
import { AJV_OPTIONS } from '../../src/config/validate/ajv-options.js';
import { validateCluster, validateInstanceGroup } from '../../src/config/validate/validators.generated.js';
import { REPO_ROOT } from '../helpers/index.js';

type Validate = ((value: unknown) => boolean) & { errors?: unknown[] | null };

const samples: unknown[] = [
  {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: 'a.example.com' },
    spec: { kubernetesVersion: '1.30.0' },
  },
  {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    spec: { kubernetesVersoin: '1.30.0', subnets: [{ name: 'a', type: 3 }] },
  },
  { kind: 'Cluster', spec: { kubelet: { maxPods: 'many' }, etcdClusters: 'none' } },
  { kind: 'InstanceGroup', spec: { role: 'Node', minSize: '2', maxSize: 3, machineType: 't3.medium' } },
  { kind: 'InstanceGroup', spec: { rootVolume: { size: -1, sizz: 4 }, subnets: 'a' } },
  'not an object',
];

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: Schema; additionalProperties?: unknown };

/**
 * A document wrong everywhere the schema reaches: every object gets an unknown field, every leaf
 * a value of the wrong type, every list one such element, every map one such value. The
 * validators are split into one function per object schema (scripts/validators-split.ts), so
 * this reaches every generated function and every schemaPath they report.
 */
function wrongEverywhere(schema: Schema): unknown {
  if (schema.properties !== undefined) {
    const out: Record<string, unknown> = { zzUnknownField: 1 };
    for (const [name, sub] of Object.entries(schema.properties)) out[name] = wrongEverywhere(sub);
    return out;
  }
  if (schema.items !== undefined) return [wrongEverywhere(schema.items)];
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null)
    return { key: wrongEverywhere(schema.additionalProperties as Schema) };
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes('string') ? { not: 'a string' } : 'not a number, boolean or object';
}

it('validators.generated.js is what scripts/gen-validators.ts writes now', () => {
  const committed = readFileSync(path.join(REPO_ROOT, 'src/config/validate/validators.generated.js'), 'utf8');
  expect(committed === generateValidatorsSource()).toBe(true);
});

it.each([
  ['Cluster', clusterSchema, validateCluster],
  ['InstanceGroup', instanceGroupSchema, validateInstanceGroup],
] as const)('the precompiled %s validator judges as one compiled at run time', (_kind, schema, precompiled) => {
  const runtime = new Ajv(AJV_OPTIONS).compile(schema as object);
  const built = precompiled as unknown as Validate;
  let invalid = 0;
  for (const sample of samples) {
    const expected = runtime(sample);
    expect(built(sample)).toBe(expected);
    expect(built.errors ?? null).toEqual(runtime.errors ?? null);
    if (!expected) invalid += 1;
  }
  expect(invalid).toBeGreaterThanOrEqual(3);
});

it.each([
  ['Cluster', clusterSchema, validateCluster],
  ['InstanceGroup', instanceGroupSchema, validateInstanceGroup],
] as const)(
  'the precompiled %s validator reports every error of a wrong-everywhere document alike',
  (_k, schema, pre) => {
    const runtime = new Ajv(AJV_OPTIONS).compile(schema as object);
    const built = pre as unknown as Validate;
    const document = wrongEverywhere(schema as Schema);
    expect(built(document)).toBe(false);
    expect(runtime(document)).toBe(false);
    expect(built.errors ?? []).toEqual(runtime.errors ?? []);
    // Deep paths are in the comparison, i.e. the split functions report their original schemaPath.
    expect((built.errors ?? []).length).toBeGreaterThan(100);
  },
);

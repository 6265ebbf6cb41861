/**
 * kops's own --set / --unset table cases (test/fixtures/vectors/kops-set-unset, transcribed from
 * kops's Go tests, Apache-2.0). They use kops's internal field names; the stored documents use
 * v1alpha2 names, so inputs and expectations are translated with the same rename table before
 * comparing, and the paths are given to setFields/unsetFields in their internal spelling.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setFields, unsetFields } from '../../src/config/paths/set-fields.js';
import { isStateStoreError } from '../../src/errors.js';

interface Case {
  fields: string[];
  input: Record<string, unknown>;
  expected?: Record<string, unknown>;
  error?: string;
}
const load = (name: string) =>
  (
    JSON.parse(readFileSync(path.join(__dirname, '../fixtures/vectors/kops-set-unset', name), 'utf8')) as {
      cases: Case[];
    }
  ).cases;

/**
 * The renames these tables touch, internal -> stored: spec.api.publicName -> spec.masterPublicName,
 * and spec.networking.cilium.masquerade -> disableMasquerade (inverted).
 */
function toStored(doc: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(doc) as {
    spec?: {
      api?: { publicName?: string };
      masterPublicName?: string;
      networking?: { cilium?: Record<string, unknown> };
    };
  };
  if (copy.spec?.api?.publicName !== undefined) {
    copy.spec.masterPublicName = copy.spec.api.publicName;
    delete copy.spec.api.publicName;
    if (Object.keys(copy.spec.api).length === 0) delete copy.spec.api;
  }
  const cilium = copy.spec?.networking?.cilium;
  if (cilium !== undefined && typeof cilium.masquerade === 'boolean') {
    cilium.disableMasquerade = !cilium.masquerade;
    delete cilium.masquerade;
  }
  return copy;
}

/**
 * One deliberate difference: unsetting spec.api.dns leaves `api: {}`. In kops's internal API `api`
 * is a struct that omitempty drops when empty; in the stored YAML an empty map is kept, as the
 * unset rule "parents are not pruned" says for every other field.
 */
const EXPECTED_OVERRIDES: Record<string, Record<string, unknown>> = { 'spec.api.dns': { spec: { api: {} } } };

describe('kops set cases', () => {
  it.each(load('set_cluster_cases.json').map((c) => [c.fields.join(' '), c]))('%s', (_name, c) => {
    if (c.error !== undefined) {
      let err: unknown;
      try {
        setFields(c.input, c.fields);
      } catch (e) {
        err = e;
      }
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
      return;
    }
    expect(setFields(toStored(c.input), c.fields)).toEqual(toStored(c.expected!));
  });
});

describe('kops unset cases', () => {
  it.each(load('unset_cluster_cases.json').map((c) => [c.fields.join(' '), c]))('%s', (_name, c) => {
    if (c.error !== undefined) {
      expect(() => unsetFields(c.input, c.fields)).toThrow(/not found/);
      return;
    }
    expect(unsetFields(toStored(c.input), c.fields)).toEqual(
      EXPECTED_OVERRIDES[c.fields.join(' ')] ?? toStored(c.expected!),
    );
  });
});

describe('setFields extensions and both spellings', () => {
  const config = {
    spec: { subnets: [{ name: 'us-east-1a', zone: 'us-east-1a', type: 'Public' }], kubernetesApiAccess: ['0.0.0.0/0'] },
  };

  it('accepts the stored and the internal spelling of a renamed field alike', () => {
    expect(setFields({}, ['spec.masterPublicName=api.x'])).toEqual({ spec: { masterPublicName: 'api.x' } });
    expect(setFields({}, ['spec.api.publicName=api.x'])).toEqual({ spec: { masterPublicName: 'api.x' } });
    expect(unsetFields({ spec: { masterPublicName: 'a' } }, ['spec.api.publicName'])).toEqual({ spec: {} });
  });

  it('selects list elements by name, creating them when absent', () => {
    expect(setFields(config, ['spec.subnets[name=us-east-1a].type=Private']).spec.subnets).toEqual([
      { name: 'us-east-1a', zone: 'us-east-1a', type: 'Private' },
    ]);
    expect(setFields(config, ['spec.subnets[name=us-east-1b].zone=us-east-1b']).spec.subnets[1]).toEqual({
      name: 'us-east-1b',
      zone: 'us-east-1b',
    });
  });

  it('appends with += and types values by the schema', () => {
    expect(setFields(config, ['spec.kubernetesApiAccess+=10.0.0.0/8']).spec.kubernetesApiAccess).toEqual([
      '0.0.0.0/0',
      '10.0.0.0/8',
    ]);
    expect(() => setFields(config, ['spec.kubernetesVersion+=1'])).toThrow(/lists only/);
    expect(() => setFields({}, ['spec.kubelet.anonymousAuth=maybe'])).toThrow(/not a boolean/);
    expect(setFields({}, ['spec.kubelet.maxPods=110'])).toEqual({ spec: { kubelet: { maxPods: 110 } } });
  });

  it('does not modify its input', () => {
    const before = structuredClone(config);
    setFields(config, ['spec.kubernetesVersion=1.30.0']);
    expect(config).toEqual(before);
  });

  it.each([
    'spec.__proto__.polluted=1',
    'spec.subnets[__proto__=x].type=a',
    'constructor.prototype.x=1',
    'spec.subnets[name=__proto__].x=1',
  ])('refuses %s', (field) => {
    let err: unknown;
    try {
      setFields({}, [field]);
    } catch (e) {
      err = e;
    }
    expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

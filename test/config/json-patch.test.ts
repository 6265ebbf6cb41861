import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyJsonPatch, type JsonPatchOperation } from '../../src/config/patch/json-patch.js';
import { formatPointer, parsePointer } from '../../src/config/patch/json-pointer.js';
import type { ClusterConfig } from '../../src/config/schema/index.js';
import { isStateStoreError } from '../../src/errors.js';

interface Vector {
  comment?: string;
  doc: unknown;
  patch: JsonPatchOperation[];
  expected?: unknown;
  error?: string;
  disabled?: boolean;
}

const dir = join(__dirname, '../fixtures/vectors/json-patch-tests');
const load = (name: string): Vector[] => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Vector[];

for (const file of ['tests.json', 'spec_tests.json']) {
  describe(`RFC 6902 vectors: ${file}`, () => {
    const cases = load(file)
      .map((vector, index) => ({ vector, index }))
      .filter(({ vector }) => vector.disabled !== true);
    test.each(cases.map(({ vector, index }) => [`#${index} ${vector.comment ?? vector.error ?? ''}`, vector]))(
      '%s',
      (_name, vector) => {
        const before = JSON.stringify(vector.doc);
        if (vector.error !== undefined) {
          let thrown: unknown;
          try {
            applyJsonPatch(vector.doc, vector.patch);
          } catch (err) {
            thrown = err;
          }
          expect(isStateStoreError(thrown, 'InvalidArgument')).toBe(true);
        } else if (vector.expected !== undefined) {
          expect(applyJsonPatch(vector.doc, vector.patch)).toEqual(vector.expected);
        } else {
          // A case with neither expected nor error only asserts that the patch applies.
          expect(() => applyJsonPatch(vector.doc, vector.patch)).not.toThrow();
        }
        expect(JSON.stringify(vector.doc)).toBe(before);
      },
    );
  });
}

describe('applyJsonPatch', () => {
  const doc = { spec: { kubernetesVersion: '1.29.0', subnets: [{ name: 'a' }, { name: 'b' }] } };

  test('is atomic: a failing operation leaves the input unchanged and throws InvalidArgument', () => {
    const copy = structuredClone(doc);
    expect(() =>
      applyJsonPatch(doc, [
        { op: 'replace', path: '/spec/kubernetesVersion', value: '1.30.0' },
        { op: 'remove', path: '/spec/missing' },
      ]),
    ).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(doc).toEqual(copy);
  });

  test('a failed test operation throws InvalidArgument', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/kubernetesVersion', value: '1.28.0' }])).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });

  test('all six operations, with pointer escaping', () => {
    const out = applyJsonPatch({ 'a/b': 1, 'm~n': 2, list: [1, 2] } as Record<string, unknown>, [
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/a~1b', value: 10 },
      { op: 'copy', from: '/m~0n', path: '/copied' },
      { op: 'move', from: '/list/0', path: '/first' },
      { op: 'remove', path: '/m~0n' },
      { op: 'test', path: '/list', value: [2, 3] },
    ]);
    expect(out).toEqual({ 'a/b': 10, list: [2, 3], copied: 2, first: 1 });
  });

  test('ignores oldValue on replace and remove', () => {
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/spec/kubernetesVersion', value: 'x', oldValue: '1.29.0' },
    ]);
    expect(out.spec.kubernetesVersion).toBe('x');
  });

  test.each(['/__proto__/polluted', '/constructor/prototype/polluted', '/spec/prototype'])(
    'refuses the pointer %s',
    (path) => {
      expect(() => applyJsonPatch({}, [{ op: 'add', path, value: 1 }])).toThrow(
        expect.objectContaining({ code: 'InvalidArgument' }),
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  test('refuses __proto__ inside a value', () => {
    const value = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(() => applyJsonPatch({}, [{ op: 'add', path: '/x', value: value as never }])).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });

  test('rejects leading-zero indexes, moving into a child, and unknown ops', () => {
    expect(() => applyJsonPatch([1, 2], [{ op: 'remove', path: '/01' }])).toThrow();
    expect(() => applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }])).toThrow();
    expect(() => applyJsonPatch({}, [{ op: 'nope', path: '/a' } as unknown as JsonPatchOperation])).toThrow();
  });
});

describe('applyJsonPatch errors', () => {
  test('name the failing operation and carry its path as an issue', () => {
    let thrown: unknown;
    try {
      applyJsonPatch({ a: [1] }, [
        { op: 'add', path: '/b', value: 1 },
        { op: 'remove', path: '/a/01' },
      ]);
    } catch (err) {
      thrown = err;
    }
    expect(isStateStoreError(thrown, 'InvalidArgument')).toBe(true);
    const error = thrown as { message: string; issues?: Array<{ path: string }> };
    expect(error.message).toMatch(/^JSON patch operation 1: /);
    expect(error.issues?.[0]?.path).toBe('/a/01');
  });
});

describe('JSON pointers (RFC 6901)', () => {
  test('parse and format round-trip with ~0 and ~1 escapes', () => {
    const tokens = ['a/b', 'm~n', '', '0', ' '];
    const pointer = formatPointer(tokens);
    expect(pointer).toBe('/a~1b/m~0n//0/ ');
    expect(parsePointer(pointer)).toEqual(tokens);
    expect(parsePointer('')).toEqual([]);
  });

  test.each(['a', '/a~2', '/a~', '/__proto__', '/x/constructor'])('refuses %s', (pointer) => {
    expect(() => parsePointer(pointer)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  test('a typed config fragment is accepted as a value', () => {
    type Subnet = NonNullable<NonNullable<ClusterConfig['spec']>['subnets']>[number];
    const subnet: Subnet = { name: 'us-test-1c', type: 'Private', zone: 'us-test-1c' };
    const out = applyJsonPatch({ spec: { subnets: [] as Subnet[] } }, [
      { op: 'add', path: '/spec/subnets/-', value: subnet },
    ]);
    expect(out.spec.subnets).toEqual([subnet]);
  });
});

import fc from 'fast-check';
import { diffConfig } from '../../src/config/diff/index.js';
import { applyJsonPatch, type JsonPatchOperation } from '../../src/config/patch/json-patch.js';
import type { JsonValue } from '../../src/config/patch/json.js';
import { applyMergePatch } from '../../src/config/patch/merge-patch.js';
import { setFields, unsetFields } from '../../src/config/paths/index.js';
import { strategicMerge } from '../../src/config/patch/strategic.js';

// Keys that collide with Object.prototype machinery, mixed with ordinary ones, so the generators
// reach the guards as well as the happy paths.
const UNSAFE = ['__proto__', 'constructor', 'prototype'];
const key = fc.oneof(fc.constantFrom('a', 'b', 'name', 'spec', 'x~y', 'p/q', ''), fc.string({ maxLength: 4 }));
const unsafeKey = fc.oneof(key, fc.constantFrom(...UNSAFE));

/** JSON values with ordinary keys (no unsafe keys). */
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 4 })),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON text whose objects may carry `__proto__` and friends as own keys (as JSON.parse makes them). */
const hostileJson: fc.Arbitrary<unknown> = fc
  .letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('null', '1', '"s"', 'true', '{"polluted": true}'),
      fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
      fc
        .array(fc.tuple(unsafeKey, tie('value')), { maxLength: 3 })
        .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    ),
  }))
  .value.map((text) => JSON.parse(text) as unknown);

const runs = { numRuns: 300 };

describe('merge properties (fast-check)', () => {
  test('applying a merge patch twice equals applying it once', () => {
    fc.assert(
      fc.property(json, json, (doc, patch) => {
        const once = applyMergePatch(doc, patch);
        expect(applyMergePatch(once, patch)).toEqual(once);
      }),
      runs,
    );
  });

  test('applyJsonPatch(a, diffConfig(a, b).operations) equals b, and leaves a unchanged', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const before = JSON.stringify(a);
        const { operations } = diffConfig(a, b);
        expect(applyJsonPatch(a, operations as JsonPatchOperation[])).toEqual(b);
        expect(JSON.stringify(a)).toBe(before);
      }),
      runs,
    );
  });

  test('diffConfig of a document with itself is empty', () => {
    fc.assert(
      fc.property(json, (a) => {
        const diff = diffConfig(a, structuredClone(a));
        expect(diff.operations).toEqual([]);
      }),
      runs,
    );
  });

  test('a strategic merge patch without directives is idempotent', () => {
    fc.assert(
      fc.property(json, json, (doc, patch) => {
        let once: unknown;
        try {
          once = strategicMerge(doc, patch as never);
        } catch {
          return; // keyed-list errors (an element without its name) are fine here
        }
        expect(strategicMerge(once, patch as never)).toEqual(once);
      }),
      runs,
    );
  });

  test('applyJsonPatch is atomic on random operation lists: a result or InvalidArgument, input unchanged', () => {
    const pointer = fc
      .array(fc.oneof(key, fc.constantFrom('0', '1', '-', '01')), { maxLength: 3 })
      .map((tokens) => tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''));
    const operation: fc.Arbitrary<JsonPatchOperation> = fc.oneof(
      fc.record({ op: fc.constant('add' as const), path: pointer, value: json }),
      fc.record({ op: fc.constant('remove' as const), path: pointer }),
      fc.record({ op: fc.constant('replace' as const), path: pointer, value: json }),
      fc.record({ op: fc.constant('move' as const), from: pointer, path: pointer }),
      fc.record({ op: fc.constant('copy' as const), from: pointer, path: pointer }),
      fc.record({ op: fc.constant('test' as const), path: pointer, value: json }),
    );
    fc.assert(
      fc.property(json, fc.array(operation, { maxLength: 5 }), (doc, operations) => {
        const before = JSON.stringify(doc);
        try {
          applyJsonPatch(doc, operations);
        } catch (err) {
          expect(err).toMatchObject({ code: 'InvalidArgument' });
        }
        expect(JSON.stringify(doc)).toBe(before);
      }),
      runs,
    );
  });

  test('strategicMerge never mutates its inputs', () => {
    fc.assert(
      fc.property(json, json, (doc, patch) => {
        const before = JSON.stringify([doc, patch]);
        try {
          strategicMerge(doc, patch as never);
        } catch (err) {
          expect(err).toMatchObject({ code: 'InvalidArgument' });
        }
        expect(JSON.stringify([doc, patch])).toBe(before);
      }),
      runs,
    );
  });

  test('no input pollutes Object.prototype', () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const { toString, hasOwnProperty } = Object.prototype;
    const attempt = (fn: () => unknown): void => {
      try {
        fn();
      } catch {
        // Refusing is the expected outcome for hostile input; only pollution matters here.
      }
    };
    fc.assert(
      fc.property(hostileJson, hostileJson, unsafeKey, (doc, patch, segment) => {
        attempt(() => applyMergePatch(doc, patch));
        attempt(() => strategicMerge(doc, patch as never));
        attempt(() => applyJsonPatch(doc, [{ op: 'add', path: `/${segment}/polluted`, value: patch as JsonValue }]));
        attempt(() => applyJsonPatch(doc, [{ op: 'replace', path: `/${segment}`, value: patch as JsonValue }]));
        attempt(() => applyJsonPatch(doc, [{ op: 'copy', from: '', path: `/${segment}` }]));
        attempt(() => diffConfig(doc, patch));
        attempt(() =>
          setFields(doc, [
            `${segment}.polluted=true`,
            `spec.${segment}.polluted=true`,
            `spec.l[name=${segment}].polluted=true`,
          ]),
        );
        attempt(() => unsetFields(doc, [`${segment}.toString`, `spec.${segment}`]));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
        expect(Object.prototype.toString).toBe(toString);
        expect(Object.prototype.hasOwnProperty).toBe(hasOwnProperty);
      }),
      runs,
    );
  });
});

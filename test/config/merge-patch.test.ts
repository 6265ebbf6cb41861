import { applyMergePatch } from '../../src/config/patch/merge-patch.js';
import { isStateStoreError } from '../../src/errors.js';

// RFC 7386 Appendix A, every example.
const APPENDIX_A: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch (RFC 7386)', () => {
  test.each(APPENDIX_A.map((row, index) => [index, ...row]))(
    'appendix A example %i',
    (_index, target, patch, expected) => {
      const before = JSON.stringify(target);
      expect(applyMergePatch(target, patch)).toEqual(expected);
      expect(JSON.stringify(target)).toBe(before);
    },
  );

  test('an undefined member is ignored, not deleted', () => {
    expect(applyMergePatch({ a: 1, b: 2 }, { a: undefined, b: 3 })).toEqual({ a: 1, b: 3 });
  });

  test('never shares structure with its inputs', () => {
    const target = { keep: { deep: [1] } };
    const patch = { added: { x: [2] } };
    const out = applyMergePatch(target, patch) as { keep: { deep: number[] }; added: { x: number[] } };
    out.keep.deep.push(9);
    out.added.x.push(9);
    expect(target.keep.deep).toEqual([1]);
    expect(patch.added.x).toEqual([2]);
  });

  test.each([
    '{"__proto__": {"polluted": 1}}',
    '{"a": {"constructor": {"prototype": {"polluted": 1}}}}',
    '{"prototype": 1}',
  ])('refuses %s with InvalidArgument', (json) => {
    let thrown: unknown;
    try {
      applyMergePatch({ a: {} }, JSON.parse(json));
    } catch (err) {
      thrown = err;
    }
    expect(isStateStoreError(thrown, 'InvalidArgument')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

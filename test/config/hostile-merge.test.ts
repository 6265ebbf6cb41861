/**
 * Hostile and careless input in the pure config layer (issue #14 items 3, 4, 7 and the merge
 * messages of 9): every entry point answers a too-deep, too-large or too-long input with a typed
 * InvalidArgument naming the limit; paths and pointers parse in linear time; unified diffs come
 * from jsdiff; unknown fields and prototype names are refused with clear messages.
 */
import { applyPatch } from 'diff';
import { applyJsonPatch } from '../../src/config/patch/json-patch.js';
import { applyMergePatch } from '../../src/config/patch/merge-patch.js';
import { diffConfig } from '../../src/config/diff/diff-config.js';
import { unifiedDiff } from '../../src/config/diff/unified.js';
import { assertSafeValue, INPUT_LIMITS } from '../../src/config/guard.js';
import { parsePointer } from '../../src/config/patch/json-pointer.js';
import { parseFieldPath } from '../../src/config/paths/parse.js';
import { setFields, unsetFields } from '../../src/config/paths/set-fields.js';
import { strategicMerge } from '../../src/config/patch/strategic.js';
import { unknownFields, checkChangeFields } from '../../src/config/validate/unknown-fields.js';
import { validateClusterChange, validateClusterConfig } from '../../src/config/validate/kops.js';
import { clusterSchema } from '../../src/config/schema/schemas.generated.js';
import { stringifyYaml } from '../../src/config/yaml/stringify.js';
import { applyChange } from '../../src/store/change.js';
import { StateStoreError } from '../../src/errors.js';
import { kopsValidSpec, thrown } from '../helpers/index.js';

function deep(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

const DEEP = deep(5000);
const BIG = { spec: { additionalPolicies: { node: 'x'.repeat(5 * 1024 * 1024) } } };
const WIDE = { spec: { sshAccess: Array.from({ length: 300_000 }, () => 1) } };
const LONG_POINTER = '/a'.repeat(100_000);
const LONG_PATH = `spec${'.a'.repeat(100_000)}`;

describe('one guard at every entry point (#14.3)', () => {
  const entryPoints: Array<[string, (value: unknown) => unknown]> = [
    ['strategicMerge (patch)', (value) => strategicMerge({}, value as never)],
    ['strategicMerge (base)', (value) => strategicMerge(value, {})],
    ['applyMergePatch (patch)', (value) => applyMergePatch({}, value)],
    ['applyMergePatch (document)', (value) => applyMergePatch(value, {})],
    ['applyJsonPatch (value)', (value) => applyJsonPatch({}, [{ op: 'add', path: '/x', value }])],
    ['applyJsonPatch (document)', (value) => applyJsonPatch(value, [])],
    ['setFields (document)', (value) => setFields(value, ['spec.kubernetesVersion=1.30.0'])],
    ['unsetFields (document)', (value) => unsetFields(value, ['spec.kubernetesVersion'])],
    ['stringifyYaml', (value) => stringifyYaml(value)],
    ['diffConfig', (value) => diffConfig({}, value)],
    ['applyChange (strategic)', (value) => applyChange({}, { spec: value } as never, clusterSchema)],
    ['applyChange (mergePatch)', (value) => applyChange({}, { mergePatch: value }, clusterSchema)],
    [
      'applyChange (jsonPatch)',
      (value) => applyChange({}, { jsonPatch: [{ op: 'add', path: '/spec', value }] }, clusterSchema),
    ],
  ];

  it.each(entryPoints)('%s: a 5,000-deep value is InvalidArgument naming maxDepth, not a RangeError', (_, run) => {
    const err = thrown(() => run(DEEP));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toMatch(/limit of 100 levels \(maxDepth\)/);
  });

  it.each(entryPoints)('%s: a 5 MB value is InvalidArgument naming maxBytes', (_, run) => {
    const err = thrown(() => run(BIG));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toMatch(/maxBytes/);
  });

  it.each(entryPoints)('%s: 300,000 entries are InvalidArgument naming maxNodes', (_, run) => {
    expect(thrown(() => run(WIDE)).message).toMatch(/maxNodes/);
  });

  it('bounds a value that is one huge string too', () => {
    expect(thrown(() => stringifyYaml('x'.repeat(5 * 1024 * 1024))).message).toMatch(/maxBytes/);
    expect(thrown(() => applyMergePatch({}, 'x'.repeat(5 * 1024 * 1024))).message).toMatch(/maxBytes/);
  });

  it('accepts what kops writes, with a wide margin under each bound', () => {
    expect(INPUT_LIMITS.maxDepth).toBeGreaterThanOrEqual(50);
    expect(() => assertSafeValue(deep(INPUT_LIMITS.maxDepth - 2))).not.toThrow();
    expect(strategicMerge({ spec: deep(60) }, { spec: { b: 1 } })).toMatchObject({ spec: { b: 1 } });
    expect(() =>
      assertSafeValue({ spec: { additionalPolicies: { node: 'x'.repeat(3 * 1024 * 1024) } } }),
    ).not.toThrow();
  });

  it('names the path of the offending value (shortened) in the message and the issue', () => {
    const err = thrown(() => assertSafeValue({ spec: { a: deep(200) } }));
    expect(err.issues?.[0]?.path).toMatch(/^\/spec\/a\/a\/a/);
    expect(err.message.length).toBeLessThan(400);
  });

  it('a 100k-token pointer or path is InvalidArgument naming the limit, without quoting it whole', () => {
    for (const err of [
      thrown(() => applyJsonPatch({}, [{ op: 'add', path: LONG_POINTER, value: 1 }])),
      thrown(() => parsePointer(LONG_POINTER)),
      thrown(() => setFields({}, [`${LONG_PATH}=1`])),
      thrown(() => unsetFields({}, [LONG_PATH])),
      thrown(() => applyChange({}, { set: [`${LONG_PATH}=1`] }, clusterSchema)),
    ]) {
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toMatch(/maxPathLength|maxPathTokens/);
      expect(err.message.length).toBeLessThan(1000);
    }
  });
});

describe('linear paths and diffs (#14.4)', () => {
  // Before: 40k tokens took 10 s or more (the message quoting the path was built for every token).
  const tokens = 40_000;

  it('40k-token pointers and field paths are refused by their token count, not parsed quadratically', () => {
    const pointer = '/ab'.repeat(tokens).slice(0, INPUT_LIMITS.maxPathLength);
    expect(thrown(() => applyJsonPatch({}, [{ op: 'add', path: pointer, value: 1 }])).message).toMatch(/maxPathTokens/);
    const path = `spec${'.a'.repeat(tokens)}`.slice(0, INPUT_LIMITS.maxPathLength);
    expect(thrown(() => setFields({}, [`${path}=1`])).message).toMatch(/maxPathTokens/);
    expect(thrown(() => unsetFields({}, [path])).message).toMatch(/maxPathTokens/);
  });

  it('paths up to the token limit still parse, and an unsafe token is still refused', () => {
    const tokensOk = INPUT_LIMITS.maxPathTokens - 1;
    expect(parsePointer('/a'.repeat(tokensOk))).toHaveLength(tokensOk);
    expect(parseFieldPath(`spec${'.a'.repeat(tokensOk - 1)}`)).toHaveLength(tokensOk);
    expect(thrown(() => parsePointer(`${'/a'.repeat(50)}/__proto__`)).message).toMatch(/prototype pollution guard/);
    expect(thrown(() => parseFieldPath(`spec${'.a'.repeat(50)}.constructor`)).message).toMatch(
      /prototype pollution guard/,
    );
  });

  const lines = (count: number, change: (i: number) => string | undefined = () => undefined) =>
    Array.from({ length: count }, (_, i) => change(i) ?? `  field${i}: value ${i}`).join('\n') + '\n';

  it('a 20k-line diff is correct: applying it to the old text gives the new one', () => {
    const before = lines(20_000);
    const after = lines(20_000, (i) => (i % 200 === 0 ? `  field${i}: changed` : undefined));
    const diff = unifiedDiff(before, after);
    expect(diff.startsWith('--- before\n+++ after\n@@ -1,4 +1,4 @@\n-  field0: value 0\n+  field0: changed\n')).toBe(
      true,
    );
    expect(diff.match(/^@@/gm)).toHaveLength(100);
    expect(applyPatch(before, diff)).toBe(after);
  });

  // 4,000 lines: past the 500-edit bound, and the diff (7,998 lines) under DIFF_LIMITS.maxLines.
  it('texts that differ everywhere fall back to one hunk for the changed middle, still correct', () => {
    const before = lines(4_000);
    const after = lines(4_000, (i) => (i > 0 && i < 3_999 ? `  other${i}: ${i}` : undefined));
    const diff = unifiedDiff(before, after);
    expect(diff.match(/^@@/gm)).toEqual(['@@']);
    expect(diff).toContain('@@ -1,4000 +1,4000 @@\n   field0: value 0\n-  field1: value 1\n');
    expect(applyPatch(before, diff)).toBe(after);
  });

  it("keeps diff(1)'s conventions: empty ranges, and a missing final newline marked", () => {
    expect(unifiedDiff('a\n', 'a\nb\n')).toBe('--- before\n+++ after\n@@ -1,1 +1,2 @@\n a\n+b\n');
    expect(unifiedDiff('', 'a\n')).toBe('--- before\n+++ after\n@@ -0,0 +1,1 @@\n+a\n');
    expect(unifiedDiff('a', 'a\n')).toContain('\\ No newline at end of file');
    expect(unifiedDiff('same\n', 'same\n')).toBe('');
  });
});

describe('unknown fields (#14.7)', () => {
  const base = {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: 'c.example.com' },
    spec: { kubernetesVersion: '1.29.0' },
  };

  it('finds every unknown field by own property, prototype names included', () => {
    const value = {
      ...base,
      spec: {
        ...base.spec,
        k8sVersion: '1.30',
        toString: 'x',
        valueOf: 1,
        hasOwnProperty: true,
        kubelet: { maxPodz: 1 },
      },
    };
    expect(unknownFields(clusterSchema, value).map((field) => [field.path, field.didYouMean])).toEqual([
      ['/spec/k8sVersion', undefined],
      ['/spec/toString', undefined],
      ['/spec/valueOf', undefined],
      ['/spec/hasOwnProperty', undefined],
      ['/spec/kubelet/maxPodz', 'maxPods'],
    ]);
  });

  it('a change that introduces one is a ValidationError; one already stored is a warning', () => {
    const stored = { ...base, spec: { ...base.spec, futureField: 1, subnets: [{ name: 'a', futureOption: true }] } };
    const introduced = thrown(() =>
      checkChangeFields(
        clusterSchema,
        'Cluster',
        stored,
        { ...stored, spec: { ...stored.spec, k8sVersion: '1.30' } },
        () => undefined,
      ),
    );
    expect(introduced.code).toBe('ValidationError');
    expect(introduced.issues).toEqual([expect.objectContaining({ path: '/spec/k8sVersion' })]);
    expect(introduced.message).toMatch(
      /unknown field "k8sVersion" at \/spec\/k8sVersion in Cluster \(kops would ignore it/,
    );
    const moved = { ...stored, spec: { ...stored.spec, subnets: [{ name: 'b' }, { name: 'a', futureOption: true }] } };
    const { warnings } = checkChangeFields(clusterSchema, 'Cluster', stored, moved, () => undefined);
    expect(warnings.map((issue) => [issue.path, issue.severity])).toEqual([
      ['/spec/futureField', 'warning'],
      ['/spec/subnets/1/futureOption', 'warning'],
    ]);
  });

  it("a typo already stored does not lock the document: the validator's error for it becomes a warning", () => {
    const stored = { ...base, spec: { ...base.spec, kubernetesVersoin: 'x' } };
    const validate = () => {
      throw new StateStoreError('ValidationError', 'invalid', { issues: validateClusterChange(stored, stored) });
    };
    expect(checkChangeFields(clusterSchema, 'Cluster', stored, stored, validate).warnings).toEqual([
      expect.objectContaining({ path: '/spec/kubernetesVersoin', didYouMean: 'kubernetesVersion' }),
    ]);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('"%s" as a list element\'s name is refused everywhere', (name) => {
    const subnets = [{ name, type: 'Public' }];
    const doc = { ...base, spec: { subnets } };
    for (const run of [
      () => strategicMerge(base, { spec: { subnets } } as never),
      () => strategicMerge(doc, {}),
      () => applyMergePatch(base, { spec: { subnets } }),
      () => applyJsonPatch(base, [{ op: 'add', path: '/spec/subnets', value: subnets }]),
      () => setFields(base, [`spec.subnets[name=${name}].type=Private`]),
      () => stringifyYaml(doc),
      () => assertSafeValue(doc),
    ]) {
      const err = thrown(run);
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toContain(`"${name}"`);
    }
  });
});

describe('messages (#14.9)', () => {
  it('--set of a misspelled field gets a did-you-mean, as the patch form does', () => {
    const err = thrown(() => setFields({}, ['spec.kubelet.maxPodz=1']));
    expect(err.message).toMatch(/not found in the Cluster schema; did you mean "spec\.kubelet\.maxPods"\?/);
    expect(err.issues).toEqual([expect.objectContaining({ path: '/spec/kubelet/maxPodz', didYouMean: 'maxPods' })]);
    expect(thrown(() => unsetFields({}, ['spec.kubernetesVersoin'])).message).toMatch(
      /did you mean "spec\.kubernetesVersion"/,
    );
  });

  it('mixing change forms says so, instead of "unknown field set"', () => {
    for (const change of [
      { set: ['spec.channel=stable'], spec: {} },
      { mergePatch: {}, spec: {} },
      { jsonPatch: [], set: [] },
      { strategic: {}, metadata: {} },
    ]) {
      const err = thrown(() => applyChange({}, change as never, clusterSchema));
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toMatch(/a change takes one form: .* cannot be mixed with/);
    }
    expect(applyChange({}, { set: ['spec.channel=stable'], unset: ['spec.channel'] }, clusterSchema)).toEqual({
      spec: { channel: 'stable' },
    });
  });

  it('says "an integer", not "a integer"', () => {
    const cluster = {
      kind: 'Cluster',
      metadata: { name: 'c.example.com' },
      spec: { ...kopsValidSpec(), kubelet: { maxPods: 'x' } },
    };
    const issues = validateClusterConfig(cluster);
    expect(issues).toEqual([
      expect.objectContaining({ path: '/spec/kubelet/maxPods', message: '/spec/kubelet/maxPods must be an integer' }),
    ]);
  });
});

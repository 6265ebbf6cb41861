import { diffConfig } from '../../src/config/diff/diff-config.js';
import { unifiedDiff } from '../../src/config/diff/unified.js';
import { applyJsonPatch } from '../../src/config/patch/json-patch.js';

describe('diffConfig', () => {
  const a = {
    spec: {
      kubernetesVersion: '1.29.0',
      subnets: [{ name: 'a', type: 'Public' }, { name: 'b' }],
      gone: true,
      'we/ird~key': 1,
    },
  };
  const b = {
    spec: {
      kubernetesVersion: '1.30.0',
      subnets: [{ name: 'a', type: 'Private' }],
      added: { x: [1, 2] },
      'we/ird~key': 2,
    },
  };

  it('gives operations with old values that turn a into b', () => {
    const { operations } = diffConfig(a, b);
    expect(operations).toContainEqual({
      op: 'replace',
      path: '/spec/kubernetesVersion',
      value: '1.30.0',
      oldValue: '1.29.0',
    });
    expect(operations).toContainEqual({ op: 'remove', path: '/spec/gone', oldValue: true });
    expect(operations).toContainEqual({ op: 'replace', path: '/spec/we~1ird~0key', value: 2, oldValue: 1 });
    expect(applyJsonPatch(a, operations)).toEqual(b);
  });

  it('gives a unified YAML diff, and nothing for equal configs', () => {
    const { unified } = diffConfig(a, b);
    expect(unified).toContain('-  kubernetesVersion: 1.29.0');
    expect(unified).toContain('+  kubernetesVersion: 1.30.0');
    expect(unified.startsWith('--- before\n+++ after\n@@ ')).toBe(true);
    expect(diffConfig(a, structuredClone(a))).toEqual({ operations: [], unified: '' });
  });
});

describe('unifiedDiff', () => {
  it('keeps three lines of context and separate hunks for distant changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'line two\n').replace('line 17\n', 'line seventeen\n');
    const diff = unifiedDiff(before, after);
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,6 +1,6 @@\n line 0\n line 1\n-line 2\n+line two\n line 3');
  });
});

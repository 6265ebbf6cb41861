/**
 * Issue #25 items 7 and 8 in the pure config layer: a 200,000-line value diffs without
 * overflowing the stack (no spread of all diff lines into one `push`) and the diff is capped with
 * a clear last line; YAML's duplicate-key check is one linear pass, so a 15,000-key map parses in
 * milliseconds (it took 2.3 s: the `yaml` package compares each key with every earlier one).
 */
import { applyPatch } from 'diff';
import { diffConfig } from '../../src/config/diff/diff-config.js';
import { DIFF_LIMITS, unifiedDiff } from '../../src/config/diff/unified.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { stringifyYaml, updateYamlText } from '../../src/config/yaml/update.js';
import { thrown } from '../helpers/index.js';

const HUGE = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n');

describe('diffs of huge values (#25.7)', () => {
  it('a 200,000-line value diffs without a RangeError, capped with a last line saying so', () => {
    const { operations, unified } = diffConfig({ spec: { a: 'x' } }, { spec: { a: HUGE } });
    expect(operations).toEqual([{ op: 'replace', path: '/spec/a', value: HUGE, oldValue: 'x' }]);
    const lines = unified.trimEnd().split('\n');
    expect(lines).toHaveLength(DIFF_LIMITS.maxLines + 1);
    expect(lines.at(-1)).toMatch(/^\\ diff truncated: \d+ more lines not shown \(a diff shows at most 10000 lines/);
    expect(unified.length).toBeLessThanOrEqual(DIFF_LIMITS.maxChars + 200);
  });

  it('caps by characters too: one 3 MB line', () => {
    const diff = unifiedDiff('a\n', `${'x'.repeat(3_000_000)}\n`);
    expect(diff.length).toBeLessThan(DIFF_LIMITS.maxChars);
    expect(diff).toMatch(/\\ diff truncated: 1 more line not shown/);
  });

  it('a diff under the cap is whole and applies', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `k${i}: ${i}`).join('\n') + '\n';
    const after = before.replace(/^k(\d+)5: /gm, 'k$15: changed ');
    const diff = unifiedDiff(before, after);
    expect(diff).not.toContain('truncated');
    expect(applyPatch(before, diff)).toBe(after);
  });
});

describe('YAML maps with many keys (#25.8)', () => {
  const wide = (keys: number) =>
    `spec:\n  cloudLabels:\n${Array.from({ length: keys }, (_, i) => `    k${i}: v${i}\n`).join('')}`;

  // Durations are measured in bench/bounded (bench/README.md), not asserted here: these tests check
  // the results; the suite's timeout (60 s, and 120 s for the edit) only stops a return to the
  // quadratic edit path (1,463 s before the fix) from hanging the run.
  it('parses a 15,000-key map; duplicates are still refused, with their line', () => {
    const text = wide(15_000);
    const { value } = parseYaml(text);
    expect(Object.keys((value as { spec: { cloudLabels: object } }).spec.cloudLabels)).toHaveLength(15_000);
    const duplicate = `${text}    k7: again\n`;
    const err = thrown(() => parseYaml(duplicate));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe(
      'invalid YAML: the key "k7" appears twice in one map (at /spec/cloudLabels/k7, line 15003, column 5; first at line 10)',
    );
  });

  it('refuses keys that would become one JSON key: 1 and "1", null and ""', () => {
    for (const text of ['1: a\n"1": b\n', 'true: a\n"true": b\n', ': a\n"": b\n', '{a: 1, a: 2}\n']) {
      expect(thrown(() => parseYaml(text)).message).toMatch(/appears twice in one map/);
    }
    expect(parseYaml('a: 1\nb: {a: 2}\n').value).toEqual({ a: 1, b: { a: 2 } });
  });

  it('an edit adding 60,000 keys to a 15,000-key map writes them all', () => {
    const text = wide(15_000);
    const { value } = parseYaml(text);
    const labels = (value as { spec: { cloudLabels: Record<string, string> } }).spec.cloudLabels;
    for (let i = 0; i < 60_000; i++) labels[`n${i}`] = `w${i}`;
    const written = updateYamlText(text, value);
    expect(written.startsWith(text)).toBe(true);
    expect(written.split('\n')).toHaveLength(2 + 75_000 + 1);
  }, 120_000);
});

describe('U+2028 and the other line breaks only go-yaml has (#25 "Weak")', () => {
  it('are refused alike for a new key, an existing key and a fresh document, with what they are', () => {
    const base = 'spec:\n  a: x\n';
    const message = (path: string) =>
      `cannot write YAML: ${path}: the value holds U+2028 (LINE SEPARATOR), a line break to kops's YAML reader (go-yaml v2) but not to JSON: it would not read back as written; use "\\n" or a space`;
    expect(thrown(() => updateYamlText(base, { spec: { a: 'a\u2028b' } })).message).toBe(message('/spec/a'));
    expect(thrown(() => updateYamlText(base, { spec: { a: 'x', b: 'a\u2028b' } })).message).toBe(message('/spec/b'));
    expect(thrown(() => stringifyYaml({ spec: { b: 'a\u2028b' } })).message).toBe(message('/spec/b'));
    expect(thrown(() => updateYamlText(base, { spec: { a: 'a\u0085b' } })).message).toMatch(/U\+0085 \(NEXT LINE\)/);
  });
});

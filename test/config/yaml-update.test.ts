import { parseYaml } from '../../src/config/yaml/parse.js';
import { stringifyYaml, updateYamlText } from '../../src/config/yaml/update.js';
import { goYamlReadsAsNonString } from '../../src/config/yaml/yaml11.js';
import { thrown } from '../helpers/index.js';

const AMBIGUOUS = [
  'on',
  'Off',
  'YES',
  'y',
  'n',
  'N',
  'true',
  'False',
  'null',
  '~',
  '',
  '1.30',
  '0755',
  '08',
  '1e3',
  '0x1F',
  '0o17',
  '0B101',
  '1_000',
  '-0x1f',
  '.5',
  '+12',
  '.inf',
  '-.Inf',
  '.NaN',
  '2017-01-01T00:00:00Z',
  '2017-1-2',
  '<<',
];

describe('updateYamlText', () => {
  const text = [
    'spec:',
    '  # why this version',
    '  kubernetesVersion: 1.29.0 # pinned',
    '  channel: stable',
    '  # about to go',
    '  obsolete: true # gone soon',
    '  mode: 0644',
    "  label: 'kept'",
    '',
  ].join('\n');

  it('keeps a hand-placed comment when the value next to it changes', () => {
    const value = parseYaml(text).value as { spec: Record<string, unknown> };
    value.spec.kubernetesVersion = '1.30.0';
    const out = updateYamlText(text, value);
    expect(out).toBe(text.replace('1.29.0 # pinned', '1.30.0 # pinned'));
  });

  it('removes a key together with its comments, and appends new keys at the end of their map', () => {
    const value = parseYaml(text).value as { spec: Record<string, unknown> };
    delete value.spec.obsolete;
    value.spec.added = { nested: 1 };
    const out = updateYamlText(text, value);
    expect(out).not.toContain('obsolete');
    expect(out).not.toContain('about to go');
    expect(out).not.toContain('gone soon');
    expect(out).toBe(
      "spec:\n  # why this version\n  kubernetesVersion: 1.29.0 # pinned\n  channel: stable\n  mode: 0644\n  label: 'kept'\n  added:\n    nested: 1\n",
    );
  });

  it('treats undefined fields as absent (JSON semantics) and returns the original bytes when only undefineds differ', () => {
    const value = parseYaml(text).value as { spec: Record<string, unknown> };
    expect(updateYamlText(text, { spec: { ...value.spec, extra: undefined } })).toBe(text);
    expect(updateYamlText(text, { spec: { ...value.spec, obsolete: undefined } })).not.toContain('obsolete');
  });

  it.each(AMBIGUOUS)('quotes the string %j whether it replaces a plain value or is a new key/value', (s) => {
    const value = parseYaml(text).value as { spec: Record<string, unknown> };
    value.spec.channel = s;
    value.spec[`new${s}`] = s;
    value.spec[s === '' ? 'emptyKeyTest' : s] = 'x';
    const out = updateYamlText(text, value);
    expect(out).not.toMatch(new RegExp(`channel: ${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    expect(out).toContain(`channel: ${JSON.stringify(s)}\n`);
    expect(parseYaml(out).value).toEqual(value);
  });

  it('keeps the quote style of a string that stays a string, and drops quotes when a string becomes a number', () => {
    const value = parseYaml(text).value as { spec: Record<string, unknown> };
    value.spec.label = 'changed';
    value.spec.mode = '0644'; // was the number 420 (YAML 1.1 octal); now the string, which must be quoted
    expect(updateYamlText(text, value)).toContain('  mode: "0644"\n  label: \'changed\'\n');
    const quoted = 'a: "1"\n';
    expect(updateYamlText(quoted, { a: 2 })).toBe('a: 2\n');
  });

  it('changes only the bytes of changed scalars: odd indentation, flow lists and spacing survive', () => {
    const odd =
      'spec:\n  sshAccess:\n      - 0.0.0.0/0\n  zones: [a,  b]   # flow\n  version:    1.29.0\n\n\n  num: 0x1F\n';
    const out = updateYamlText(odd, {
      spec: { sshAccess: ['10.0.0.0/8'], zones: ['a', 'on'], version: '1.30', num: 31 },
    });
    expect(out).toBe(
      'spec:\n  sshAccess:\n      - 10.0.0.0/8\n  zones: [a,  "on"]   # flow\n  version:    "1.30"\n\n\n  num: 0x1F\n',
    );
    expect(
      updateYamlText(odd, { spec: { sshAccess: ['0.0.0.0/0'], zones: ['a', 'b'], version: '1.29.0', num: 30 } }),
    ).toBe(odd.replace('0x1F', '30'));
  });

  it('drops and appends keyed list items in place, comments and indentation of the others kept', () => {
    const list =
      'subnets: # the zones\n    # first\n    - name: a # A\n      zone: p\n    # second\n    - name: b\n      zone: q\nafter: 1\n';
    const out = updateYamlText(list, {
      subnets: [
        { name: 'b', zone: 'q' },
        { name: 'c', zone: 'no' },
      ],
      after: 1,
    });
    expect(out).toBe(
      'subnets: # the zones\n    # second\n    - name: b\n      zone: q\n    - name: c\n      zone: "no"\nafter: 1\n',
    );
    const map = 'spec:\n  # about a\n  a: 1\n  # about b\n  b: 2\n';
    expect(updateYamlText(map, { spec: { b: 2 } })).toBe('spec:\n  # about b\n  b: 2\n');
  });

  it('edits block scalars in place and writes new multi-line strings as blocks', () => {
    const block = 'script: |\n  echo one\n  echo two\n';
    expect(updateYamlText(block, { script: 'echo three\necho four\n' })).toBe('script: |\n  echo three\n  echo four\n');
  });

  it('never expands aliases: unrelated edits keep them, a changed alias gives way to its new value alone (#14.2)', () => {
    const anchored = 'a: &v 1\nb: *v\nlist: &l [p, q]\ncopy: *l\ncount: 1\n';
    expect(updateYamlText(anchored, { a: 1, b: 1, list: ['p', 'q'], copy: ['p', 'q'], count: 2 })).toBe(
      anchored.replace('count: 1', 'count: 2'),
    );
    const out = updateYamlText(anchored, { a: 1, b: 1, list: ['p', 'q'], copy: ['p', 'z'], count: 1, more: 3 });
    expect(parseYaml(out).value).toEqual({ a: 1, b: 1, list: ['p', 'q'], copy: ['p', 'z'], count: 1, more: 3 });
    expect(out).toContain('b: *v');
    expect(out).toMatch(/list: &l \[ ?p, q ?\]/);
  });

  it('refuses to change an anchored value its aliases still hold (it would change every copy)', () => {
    const err = thrown(() => updateYamlText('a: &v 1\nb: *v\n', { a: 2, b: 1 }));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toMatch(/anchor and alias/);
  });

  it('keeps 99 aliases of a 20 KB string through unrelated edits: no growth (#14.2)', () => {
    const big = 'x'.repeat(20_000);
    const text = `big: &b ${big}\n${Array.from({ length: 99 }, (_, i) => `k${i}: *b\n`).join('')}count: 1\n`;
    const value = parseYaml(text).value as Record<string, unknown>;
    const out = updateYamlText(text, { ...value, count: 2 });
    expect(out.length).toBe(text.length);
    expect(parseYaml(out).value).toEqual({ ...value, count: 2 });
    const added = updateYamlText(text, { ...value, count: 1, list: [1, 2] }); // a tree-path edit
    expect(added.length).toBeLessThan(text.length + 20);
    expect(parseYaml(added).value).toEqual({ ...value, count: 1, list: [1, 2] });
  });

  it('refuses to give an alias its own copy of a big anchor when only the anchor changes', () => {
    const text = `big: &b ${'x'.repeat(50_000)}\n${Array.from({ length: 99 }, (_, i) => `k${i}: *b\n`).join('')}`;
    const value = parseYaml(text).value as Record<string, unknown>;
    expect(thrown(() => updateYamlText(text, { ...value, big: 'y' })).code).toBe('InvalidArgument');
  });

  it('refuses a result over the 4 MiB read limit with InvalidArgument (#14.2)', () => {
    // Under 0.5 MB as JSON (and under the guard's node limit), but YAML indents every line: about 9 MB as text.
    let deep: unknown = { list: Array.from({ length: 90_000 }, () => 'x') };
    for (let i = 0; i < 50; i++) deep = { level: deep };
    for (const write of [() => stringifyYaml(deep), () => updateYamlText('a: 1\n', deep)]) {
      const err = thrown(write);
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toMatch(/could not be read back/);
    }
  });

  it('refuses values YAML cannot carry as JSON, and unsafe keys, with InvalidArgument', () => {
    expect(thrown(() => updateYamlText('a: 1\n', { a: new Date(0) })).code).toBe('InvalidArgument');
    expect(thrown(() => updateYamlText('a: 1\n', { a: Number.NaN })).code).toBe('InvalidArgument');
    expect(thrown(() => updateYamlText('a: 1\n', JSON.parse('{"a":1,"__proto__":{"x":1}}'))).code).toBe(
      'InvalidArgument',
    );
    expect(thrown(() => updateYamlText('a: 1\n---\nb: 2\n', { a: 2 })).code).toBe('InvalidArgument');
  });

  it('writes a fresh document when the original is empty', () => {
    expect(updateYamlText('# nothing yet\n', { a: 'on' })).toBe('a: "on"\n');
  });
});

describe('stringifyYaml', () => {
  it.each(AMBIGUOUS)('writes the string %j so that go-yaml v2 (kops) reads a string', (s) => {
    const out = stringifyYaml({ value: s });
    expect(out).toBe(`value: ${JSON.stringify(s)}\n`);
    expect(parseYaml(out).value).toEqual({ value: s });
  });

  it('leaves ordinary strings plain, sorts keys and lays sequences out as kops does', () => {
    expect(stringifyYaml({ spec: { kubernetesVersion: '1.30.0', image: 'v1.30', subnets: [{ name: 'a' }] } })).toBe(
      'spec:\n  image: v1.30\n  kubernetesVersion: 1.30.0\n  subnets:\n  - name: a\n',
    );
  });

  it('folds a long line at a space past column 80, as go-yaml v2 does (kops: conversion/aws/v1alpha2.yaml)', () => {
    const long = 'x '.repeat(50).trim();
    const out = stringifyYaml({ long });
    expect(out).toBe(`long: ${'x '.repeat(37)}x\n  ${'x '.repeat(12).trim()}\n`); // the 38th x ends at column 81
    expect(parseYaml(out).value).toEqual({ long });
    // Without spaces there is nowhere to fold: certificates and scripts stay on one line.
    expect(stringifyYaml({ long: 'x'.repeat(200) })).toBe(`long: ${'x'.repeat(200)}\n`);
  });
});

describe('goYamlReadsAsNonString', () => {
  it.each(AMBIGUOUS)('knows go-yaml v2 would not read %j as a string', (s) => {
    expect(goYamlReadsAsNonString(s)).toBe(true);
  });

  it.each([
    '1.30.0',
    'v1.30',
    'stable',
    'us-east-1a',
    '0.0.0.0/0',
    'Private',
    '10.0.0.0',
    'onion',
    'yesterday',
    '1.2.3e4',
  ])('knows %j reads as a string', (s) => {
    expect(goYamlReadsAsNonString(s)).toBe(false);
  });
});

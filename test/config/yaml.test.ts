import { isStateStoreError } from '../../src/errors.js';
import { parseYaml, parseYamlDocuments } from '../../src/config/yaml/parse.js';
import { stringifyYaml, updateYamlText } from '../../src/config/yaml/update.js';
import { errorCodeSync } from '../helpers/index.js';

describe('YAML round trip', () => {
  const text = [
    '# Cluster managed by hand: do not remove this line',
    'apiVersion: kops.k8s.io/v1alpha2',
    'kind: Cluster',
    'metadata:',
    '  name: c.example.com # the name',
    'spec:',
    '  kubernetesVersion: 1.29.0 # pinned on purpose',
    "  channel: 'stable'",
    '  subnets:',
    '  # the first zone',
    '  - name: us-east-1a',
    '    zone: us-east-1a # zone a',
    '  - name: us-east-1b',
    '    zone: us-east-1b',
    '',
  ].join('\n');

  it('keeps comments, order and quoting when a value changes', () => {
    const value = parseYaml(text).value as { spec: { kubernetesVersion: string } };
    value.spec.kubernetesVersion = '1.30.0';
    const out = updateYamlText(text, value);
    expect(out).toBe(text.replace('1.29.0 # pinned', '1.30.0 # pinned'));
  });

  it('keeps an item comment with its item when a keyed list is reordered, and appends new keys', () => {
    const value = parseYaml(text).value as {
      spec: { subnets: Array<{ name: string; zone: string; type?: string }>; newField?: string };
    };
    value.spec.subnets.reverse();
    value.spec.subnets[1]!.type = 'Private';
    value.spec.newField = 'x';
    const out = updateYamlText(text, value);
    expect(out).toContain(
      '  - name: us-east-1b\n    zone: us-east-1b\n  - name: us-east-1a\n    zone: us-east-1a # zone a\n    type: Private\n',
    );
    expect(out).toContain('# the first zone');
    expect(out.trimEnd().endsWith('newField: x')).toBe(true);
    expect(parseYaml(out).value).toEqual(value);
  });

  it('returns the original text byte for byte when nothing changed', () => {
    const odd = 'a:   1\nb: [x,  y]   # flow\nc: "quoted"\n\n\nd: >-\n  folded\n';
    expect(updateYamlText(odd, parseYaml(odd).value)).toBe(odd);
  });

  it.each([
    'on',
    'off',
    'yes',
    'no',
    'y',
    'n',
    'true',
    'null',
    '~',
    '1.30',
    '0755',
    '1e3',
    '2017-01-01T00:00:00Z',
    '0x1F',
    '.inf',
  ])('writes the string %j so that a YAML 1.1 reader (kops) reads a string', (s) => {
    const out = stringifyYaml({ value: s });
    expect(out).not.toBe(`value: ${s}\n`);
    expect(parseYaml(out).value).toEqual({ value: s });
  });

  it('reads YAML 1.1 scalars the way kops does', () => {
    expect(parseYaml('a: on\nb: yes\nc: 0755\nd: 2017-01-01T00:00:00Z\n').value).toEqual({
      a: true,
      b: true,
      c: 493,
      d: '2017-01-01T00:00:00Z',
    });
  });

  it('reads scalars the same under a %YAML directive, and each document of a text alike (the schema is shared)', () => {
    const expected = { a: true, b: 493, c: 12, d: true };
    expect(parseYaml('%YAML 1.2\n---\na: on\nb: 0755\nc: 0o14\nd: yes\n').value).toEqual(expected);
    expect(parseYaml('%YAML 1.1\n---\na: on\nb: 0755\nc: 0o14\nd: yes\n').value).toEqual(expected);
    const docs = parseYamlDocuments('a: on\nb: 0755\n---\nc: 0o14\nd: yes\n');
    expect(docs.map((d) => d.value)).toEqual([
      { a: true, b: 493 },
      { c: 12, d: true },
    ]);
  });

  it('reads multi-document files (kops create -f)', () => {
    const docs = parseYamlDocuments('kind: Cluster\n---\nkind: InstanceGroup\n---\nkind: InstanceGroup\n');
    expect(docs.map((d) => (d.value as { kind: string }).kind)).toEqual(['Cluster', 'InstanceGroup', 'InstanceGroup']);
  });
});

describe('hostile YAML', () => {
  it('refuses an alias bomb', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
    ].join('\n');
    expect(errorCodeSync(() => parseYaml(bomb))).toBe('InvalidArgument');
  });

  it('refuses an oversized document', () => {
    expect(errorCodeSync(() => parseYaml(`a: "${'x'.repeat(5 * 1024 * 1024)}"`))).toBe('InvalidArgument');
    expect(errorCodeSync(() => parseYaml('a: 1234567', { maxBytes: 5 }))).toBe('InvalidArgument');
  });

  it('refuses duplicate keys, merge keys, and complex keys', () => {
    expect(errorCodeSync(() => parseYaml('a: 1\na: 2\n'))).toBe('InvalidArgument');
    expect(errorCodeSync(() => parseYaml('base: &b {x: 1}\nother:\n  <<: *b\n'))).toBe('InvalidArgument');
    expect(errorCodeSync(() => parseYaml('? [a, b]\n: 1\n'))).toBe('InvalidArgument');
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses the key %s anywhere, without polluting Object.prototype',
    (key) => {
      expect(errorCodeSync(() => parseYaml(`spec:\n  nested:\n    ${key}:\n      polluted: true\n`))).toBe(
        'InvalidArgument',
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('refuses malformed YAML with InvalidArgument naming the line', () => {
    let message = '';
    try {
      parseYaml('a: 1\nb: [unclosed\n');
    } catch (err) {
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
      message = (err as Error).message;
    }
    expect(message).toMatch(/line \d+|invalid YAML/);
  });
});

/**
 * Properties of the YAML writer over generated values: whatever the strings (YAML 1.1 keywords,
 * numbers, indicators, unicode, newlines), what is written reads back as the value written, both
 * for a fresh document and for an edit of an existing one.
 */
import fc from 'fast-check';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { stringifyYaml, updateYamlText } from '../../src/config/yaml/update.js';
import { goYamlReadsAsNonString } from '../../src/config/yaml/yaml11.js';

const tricky = fc.constantFrom(
  'on',
  'no',
  'Y',
  '~',
  '',
  '1.30',
  '0755',
  '0o17',
  '1_0',
  '.5',
  '1e3',
  '<<',
  '- x',
  'a: b',
  '#c',
  ' lead',
  'trail ',
  'x\ny',
  '"q"',
  "'",
  '{',
  '*a',
  '&a',
  '!t',
  '%',
  '@',
  '`',
  '|',
  '>',
  '?',
  'é',
  'null',
);
const text = fc.oneof(fc.string({ maxLength: 12 }), tricky);
const key = text.filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
})).map;

describe('YAML writer properties', () => {
  it('stringifyYaml output reads back as the value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(parseYaml(stringifyYaml(v)).value).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('updateYamlText output reads back as the new value, from any original', () => {
    fc.assert(
      fc.property(value, value, (before, after) => {
        const original = `# a comment\n${stringifyYaml(before)}`;
        const out = updateYamlText(original, after);
        expect(parseYaml(out).value).toEqual(after);
        if (JSON.stringify(before) === JSON.stringify(after)) expect(out).toBe(original);
      }),
      { numRuns: 300 },
    );
  });

  it('quotes every string go-yaml v2 would read as something else', () => {
    fc.assert(
      fc.property(text, (s) => {
        const out = stringifyYaml({ s });
        if (goYamlReadsAsNonString(s)) expect(out.startsWith('s: "') || out.startsWith("s: '")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

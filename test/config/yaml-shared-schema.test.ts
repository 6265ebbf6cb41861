/**
 * parse.ts gives every document without a `%YAML` directive one shared Schema (PARSE_SCHEMA). The
 * `yaml` package's Schema holds a mutable tag list (a parse may push a tag it resolves from its
 * known tags): if any parse changed it, the next parse, of another document, would read scalars
 * differently. Odd and hostile documents are parsed (and written back) first; the schema must be
 * exactly as before, and a normal document must read as it does with a schema of its own. (Built
 * with `resolveKnownTags: true`, the schema fails here: `!!merge` is then pushed into its tags.)
 */
import { Schema, parseAllDocuments, type Document } from 'yaml';
import { PARSE_OPTIONS } from '../../src/config/yaml/options.js';
import { parseYamlDocuments } from '../../src/config/yaml/parse.js';
import { stringifyYaml, updateYamlText } from '../../src/config/yaml/update.js';

/** A document with every kind of scalar the go-yaml rules resolve, tags and collections. */
const NORMAL = [
  'apiVersion: kops.k8s.io/v1alpha2',
  'kind: Cluster',
  'metadata:',
  '  name: c.example.com',
  '  creationTimestamp: 2017-01-01T00:00:00Z',
  'spec:',
  '  flags: [on, off, yes, no, y, n, true, False, ~, null, ""]',
  '  numbers: [0755, 0o14, 0x1F, 1:20, 1_000, 1.5, .inf, -.Inf, .nan, 1e3, +12]',
  '  tagged: [!!int "12", !!str 12, !!float 1, !!bool "true", !!null ""]',
  '  binary: !!binary aGVsbG8=',
  '  omap: !!omap [{x: 1}, {z: 2}]',
  '  set: !!set {p, q}',
  '  quoted: "<<"',
  '  block: |',
  '    line one',
  '    line two',
  '',
].join('\n');

/** What PARSE_SCHEMA is built from (parse.ts), for a schema of the normal document's own. */
function freshSchema(): Schema {
  return new Schema({
    resolveKnownTags: false,
    schema: 'yaml-1.1',
    merge: PARSE_OPTIONS.merge,
    customTags: PARSE_OPTIONS.customTags,
  });
}

/**
 * Everything a parse gives back: the values, and every node's tag, style and value (a parsed
 * document is not written with its parse schema, which has no stringifiers: updates edit text).
 */
function reading(document: Document.Parsed): unknown {
  const nodes: unknown[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const { tag, type, items, key, value } = node as Record<string, unknown>;
    nodes.push([tag, type, Array.isArray(items) || typeof value === 'object' ? undefined : value]);
    for (const item of (items as unknown[] | undefined) ?? []) walk(item);
    if ('key' in node) walk(key);
    if ('value' in node) walk(value);
  };
  walk(document.contents);
  return { value: document.toJS(), nodes };
}

/**
 * A copy of the schema's state that a mutation anywhere shows in: each tag object (by identity)
 * with its own properties (by identity), in order, and the schema's own properties.
 */
function snapshot(schema: Schema): unknown {
  const own = (object: object) => Object.entries(object);
  return {
    schema: own(schema).filter(([name]) => name !== 'tags'),
    tags: schema.tags.map((tag) => ({ tag, properties: own(tag) })),
    knownTags: own(schema.knownTags),
  };
}

/** Parses `text` as the library does, and writes it back; refusals are expected for most. */
function parseAndWrite(text: string): void {
  try {
    const parsed = parseYamlDocuments(text);
    for (const { value } of parsed) stringifyYaml(value);
    if (parsed.length === 1) updateYamlText(text, { changed: 1, ...(parsed[0]!.value as object) });
  } catch {
    // A refusal (InvalidArgument) still went through the parser with the shared schema.
  }
}

const HOSTILE = [
  ['a custom local tag', 'a: !foo bar\nb: !foo [1, 2]\nc: !foo {x: 1}\n'],
  ['a %TAG directive', '%TAG ! tag:example.com,2000:app/\n---\na: !foo bar\n'],
  ['a %TAG for the !! handle', '%TAG !! tag:example.com,2000:\n---\na: !!int 12\nb: !!str x\n'],
  ['a %TAG naming yaml.org tags', '%TAG !e! tag:yaml.org,2002:\n---\na: !e!int "7"\nb: !e!binary aGk=\n'],
  ['verbatim tags', 'a: !<tag:yaml.org,2002:int> "5"\nb: !<tag:yaml.org,2002:js/function> x\n'],
  ['tags the 1.2 core schema knows', 'a: !!timestamp 2001-12-14\nb: !!merge <<\nc: !!value =\n'],
  ['!!binary, good and bad', 'a: !!binary aGVsbG8=\n---\nb: !!binary "@@"\n'],
  ['a merge key', 'base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n'],
  ['a tagged merge key', 'base: &b {x: 1}\nother:\n  !!merge <<: *b\n'],
  ['%YAML 1.1', '%YAML 1.1\n---\na: on\nb: !!binary aGk=\nc: <<\n'],
  ['%YAML 1.2', '%YAML 1.2\n---\na: !!timestamp 2001-12-14\nb: !!set {x}\n'],
  ['%YAML in a later document', 'a: 1\n---\nb: 2\n...\n%YAML 1.1\n---\nc: !!omap [{x: 1}]\n'],
  ['tags on collections', 'a: !!map [1]\nb: !!seq {x: 1}\nc: !!str [1]\nd: !!set [x]\n'],
  ['language tags', 'a: !!python/object:os.system x\nb: !ruby/object:Gem::Installer {}\n'],
  ['the empty tag and odd handles', 'a: ! x\nb: !! x\nc: !a!b c\n'],
] as const;

describe('the shared YAML parse schema', () => {
  it.each(HOSTILE)('is unchanged by %s, and a normal document reads as with a schema of its own', (_, text) => {
    const shared = parseYamlDocuments('a: 1\n')[0]!.document.schema;
    const before = snapshot(shared);
    const tags = shared.tags.slice();
    parseAndWrite(text);
    parseAndWrite(text); // twice: a tag added by the first parse would be found by the second
    expect(shared.tags).toHaveLength(tags.length);
    expect(snapshot(shared)).toEqual(before);
    shared.tags.forEach((tag, index) => expect(tag).toBe(tags[index]));

    const normal = parseYamlDocuments(NORMAL)[0]!.document;
    expect(normal.schema).toBe(shared);
    const own = parseAllDocuments(NORMAL, { ...PARSE_OPTIONS, schema: freshSchema() });
    expect(Array.isArray(own) && own.length === 1).toBe(true);
    expect(reading(normal)).toEqual(reading((own as Document.Parsed[])[0]!));
  });

  it('reads the normal document as kops does (the comparison above is of something)', () => {
    const value = parseYamlDocuments(NORMAL)[0]!.value as { spec: Record<string, unknown> };
    expect(value.spec).toEqual({
      flags: [true, false, true, false, true, false, true, false, null, null, ''],
      numbers: [493, 12, 31, '1:20', 1000, 1.5, Infinity, -Infinity, NaN, 1000, 12],
      tagged: [12, '12', 1, true, null],
      binary: 'hello',
      omap: [{ x: 1 }, { z: 2 }],
      set: { p: null, q: null },
      quoted: '<<',
      block: 'line one\nline two\n',
    });
  });
});

/**
 * The move reads a config's store fields by a scan of the subset of YAML kops writes
 * (src/migrate/config-scan.ts) and falls back to the full parse for anything else. Both paths
 * must agree on everything the move does with a config: the store it names, the fields
 * rewritten, the bytes written, and the error of a config refused. Compared here over kops's
 * fixtures, hostile inputs and generated texts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { scanStoreFields } from '../../src/migrate/config-scan.js';
import { readSourceConfig, rewriteConfig } from '../../src/migrate/config-rewrite.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { memoryTarget, stopAll } from '../backends/targets.js';

afterAll(stopAll);

const KOPS = path.join(__dirname, '../fixtures/kops');
const SOURCE = 'memfs://clusters.example.com';
const DESTINATION = 's3://new-bucket/some/prefix';
/** The source store's URL, the old base of a config whose configBase does not name its cluster. */
const FALLBACK = 'memfs://fallback';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

type Outcome = { error: string } | { oldBase: string; rewritten: string[]; text: string };

/** What the move does with a config's bytes, by the scan (or its fallback) or by the full parse alone. */
function outcome(text: string, cluster: string, full: boolean): Outcome {
  try {
    const config = readSourceConfig(Buffer.from(text, 'utf8'), cluster, FALLBACK, full);
    const { bytes, rewritten } = rewriteConfig(config, DESTINATION);
    return { oldBase: config.oldBase, rewritten, text: bytes.toString('utf8') };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function expectSameOutcome(text: string, cluster = 'c.example.com'): void {
  expect(outcome(text, cluster, false)).toEqual(outcome(text, cluster, true));
}

const fixtures = filesUnder(KOPS).filter((file) => !/\.(go|md)$|LICENSE$/.test(file));
const configs = fixtures.filter((file) => path.basename(file) === 'config');

describe('the config scan', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(250);
    expect(configs.length).toBeGreaterThanOrEqual(3);
  });

  it("reads every kops state store's config (no fallback) and rewrites it as the full parse does", () => {
    for (const file of configs) {
      const cluster = path.basename(path.dirname(file));
      const text = readFileSync(file, 'utf8');
      expect(scanStoreFields(text)).toBeDefined();
      const scanned = outcome(text, cluster, false);
      const oldBase = expect.stringMatching(/^memfs:\/\/(clusters\.example\.com|tests)$/);
      expect(scanned).toMatchObject({ oldBase, rewritten: expect.arrayContaining(['/spec/configBase']) });
      expect(scanned).toEqual(outcome(text, cluster, true));
    }
  });

  it.each(fixtures.map((file) => [path.relative(KOPS, file), file]))(
    '%s: the same store, fields, bytes or error as the full parse',
    (_name, file) => {
      const text = readFileSync(file, 'utf8');
      const cluster = /configBase: \S+\/([^/\s]+)\s/.exec(text)?.[1] ?? 'c.example.com';
      expectSameOutcome(text, cluster);
      // Quoted the other ways: the rewrite keeps each quoting style.
      expectSameOutcome(text.replace(/(configBase|keyStore|secretStore|backupStore): (\S+)/g, '$1: "$2"'), cluster);
      expectSameOutcome(text.replace(/(configBase|keyStore|secretStore|backupStore): (\S+)/g, "$1: '$2'"), cluster);
    },
  );
});

const BASE = 'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: c.example.com\n';
const SPEC = `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com\n`;

/** Texts at the subset's edges: each must give what the full parse gives (a result or an error). */
const EDGES: string[] = [
  SPEC,
  `${SPEC}  keyStore: ${SOURCE}/c.example.com/pki\n  secretStore: '${SOURCE}/c.example.com/secrets'\n`,
  `${SPEC}  etcdClusters:\n  - backups:\n      backupStore: ${SOURCE}/c.example.com/backups/etcd/main\n    name: main\n  - name: events\n  - x\n  -\n  - backups: {}\n  - backups:\n      backupStore: "${SOURCE}/c.example.com/backups/etcd/events" # kept\n`,
  `${SPEC}  etcdClusters:\n    - backups:\n        backupStore: ${SOURCE}/c.example.com/e\n`,
  `${SPEC}  etcdClusters: []\n`,
  `${SPEC}  etcdClusters: {}\n`,
  `${SPEC}  etcdClusters:\n  -   backups:\n        backupStore: ${SOURCE}/c.example.com/e\n`,
  `${SPEC}  etcdClusters:\n  - - x\n`,
  `${BASE}spec: {}\n`,
  `${BASE}spec: []\n`,
  `${BASE}spec:\n`,
  `${BASE}spec: x\n`,
  `${BASE}spec:\n- a\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com # a comment\n`,
  `${BASE}spec:\n  configBase: "${SOURCE}/c.example.com"#no space\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com#not a comment\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com\n    continued\n`,
  `${BASE}spec:\n  configBase:\n    ${SOURCE}/c.example.com\n`,
  `${BASE}spec:\n  configBase: |\n    ${SOURCE}/c.example.com\n`,
  `${BASE}spec:\n  configBase: "${SOURCE}/c.exa\\u006dple.com"\n`,
  `${BASE}spec:\n  configBase: "${SOURCE}/c.example.com\n    "\n`,
  `${BASE}spec:\n  configBase: 'it''s ${SOURCE}/c.example.com'\n`,
  `${BASE}spec:\n  configBase: '${SOURCE}/c.example.com' x\n`,
  `${BASE}spec:\n  configBase: 12\n`,
  `${BASE}spec:\n  configBase: on\n`,
  `${BASE}spec:\n  configBase: ~\n`,
  `${BASE}spec:\n  configBase: <<\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com: x\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com:\n`,
  `${BASE}spec:\n  configBase: a, [b] {c}\n`,
  `${BASE}spec:\n  configBase: &a ${SOURCE}/c.example.com\n  keyStore: *a\n`,
  `${BASE}spec:\n  configBase: !!str ${SOURCE}/c.example.com\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com\n  configBase: ${SOURCE}/c.example.com\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com\n  __proto__:\n    polluted: true\n`,
  `${BASE}spec:\n  constructor: x\n`,
  `${BASE}spec:\n  prototype: {}\n`,
  `${BASE}spec:\n  <<: {}\n`,
  `${BASE}spec:\n  on: 1\n  true: 2\n`,
  `${BASE}spec:\n  y: 1\n`,
  `${BASE}spec:\n  1: 1\n  "1": 2\n`,
  `${BASE}spec:\n  ? [a]\n  : 1\n`,
  `${BASE}spec:\n  a: b: c\n`,
  `${BASE}spec:\n  a: [unclosed\n`,
  `${BASE}spec:\n  a: 1\n   b: 2\n`,
  `${BASE}spec:\n  a: 1\n b: 2\n`,
  `${BASE}spec:\n\tconfigBase: x\n`,
  `${BASE}spec:\r\n  configBase: ${SOURCE}/c.example.com\r\n`,
  `\uFEFF${SPEC}`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com\n  note: é\n`,
  `---\n${SPEC}`,
  `${SPEC}---\nkind: InstanceGroup\n`,
  `${SPEC}---\na: [\n`,
  `${SPEC}...\n`,
  `%YAML 1.2\n---\n${SPEC}`,
  `${SPEC}# trailing comment\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com  `,
  `${BASE}spec:\n  configBase: '${SOURCE}/c.example.com'`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com\n\n\n   \n`,
  `# leading comment\n\n${SPEC}`,
  `${BASE}spec:\n# a comment at column 0\n  configBase: ${SOURCE}/c.example.com\n      # a deeper one\n  keyStore: x\n`,
  `${BASE}spec:\n  configBase: ${SOURCE}/c.example.com   \n`,
  `  a: 1\n  b: 2\n`,
  `- a\n- b\n`,
  'just a string\n',
  '',
  '# only a comment\n',
  '{}\n',
  `a: ${'x'.repeat(300 * 1024)}\n`,
  `${'a:\n '.repeat(200)}b: c\n`,
  `${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:\n`).join('')}`,
  `${BASE}spec:\n  a: -1\n  b: - x\n  c: ?x\n  d: :x\n  e: @x\n  f: \`x\n  g: %x\n`,
  `${BASE}spec:\n  a: ::/0\n  b: -x\n  c: ?x\n  d: :x\n  e: --- x\n  f:\n  - ::/0\n  - ---\n  - -1\n  - ? x\n  - : x\n`,
  `---x: 1\n`,
  `${BASE}spec:\n  a: - \n`,
  `${BASE}spec:\n  a: -\n`,
  `${BASE}spec:\n  a: :\n`,
  `${BASE}spec:\n  a:\n  - x\n  b: 1\n`,
  `${BASE}spec:\n  a:\n  - x\n  - y: 1\n    z: 2\n  b: 1\n`,
  `${BASE}spec:\n  a:\n  - x\n   - y\n`,
  `${BASE}spec:\n  a: 1\n  - x\n`,
  `${BASE}spec:\n  -\n`,
  `${BASE}spec:\n  a:    # comment\n    b: 1\n`,
  `${BASE}spec:\n  a:#x\n`,
  `${BASE}spec:\n  a: { }\n`,
  `${BASE}spec:\n  a: {}x\n`,
  `${BASE}spec:\n  a: "x" "y"\n`,
  `${BASE}spec:\n  a: 'x\n`,
  `${BASE}spec:\n  a: "x\n`,
  `${BASE}spec:\n  a: x #c\n  b: "" \n  c: ''\n`,
  `${BASE}spec:\n  "quoted key": 1\n`,
  `${BASE}spec:\n  ${'k'.repeat(1100)}: 1\n`,
];

/** A generated YAML tree: a scalar (the text after `key:` or `-`), a map, or a sequence (indented under its key or not). */
type Tree = string | { map: Array<[string, Tree]> } | { seq: Tree[]; indented: boolean };

function renderMap(tree: { map: Array<[string, Tree]> }, indent: number): string[] {
  const pad = ' '.repeat(indent);
  return tree.map.flatMap(([key, child]) => {
    if (key === '#') return [`${pad}# a comment`];
    if (typeof child === 'string') return [`${pad}${key}:${child}`];
    if ('map' in child) return [`${pad}${key}:`, ...renderMap(child, indent + 2)];
    return [`${pad}${key}:`, ...renderSeq(child, child.indented ? indent + 2 : indent)];
  });
}

function renderSeq(tree: { seq: Tree[] }, indent: number): string[] {
  const pad = ' '.repeat(indent);
  return tree.seq.flatMap((item) => {
    if (typeof item === 'string') return [`${pad}-${item}`];
    if ('seq' in item) return [`${pad}-`, ...renderSeq(item, indent + 2)];
    const [first = `${pad}  x: 1`, ...rest] = renderMap(item, indent + 2);
    return [`${pad}- ${first.slice(indent + 2)}`, ...rest];
  });
}

describe('the config scan against the full parse', () => {
  it.each(EDGES.map((text, i) => [i, text]))('edge %i', (_i, text) => expectSameOutcome(text));

  it('agrees on generated trees of maps and sequences, with kops-like and hostile keys and values', () => {
    const key = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          'spec',
          'configBase',
          'etcdClusters',
          'backups',
          'backupStore',
          'name',
          'a',
          'b',
          'x.y/z',
          '#',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom('on', 'y', '__proto__', 'constructor', '<<', '"q"', '1', '- k', 'a b') },
    );
    const value = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          ' x',
          ` ${SOURCE}/c.example.com`,
          ` "${SOURCE}/c.example.com/d"`,
          ` '${SOURCE}/c.example.com'`,
          ' {}',
          ' []',
          ' ::/0',
          ' a #c',
          ' "#"',
          " 'a''b'",
          '',
          ' 1',
          ' ~',
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          ' [a]',
          ' &a x',
          ' *a',
          ' !t x',
          ' |',
          ' a: b',
          ' "x',
          ' "a\\nb"',
          ' a:',
          ' - x',
          ' ? x',
          ' @x',
        ),
      },
    );
    const { tree } = fc.letrec<{ tree: { map: Array<[string, Tree]> }; node: Tree; seq: Tree }>((tie) => ({
      tree: fc
        .uniqueArray(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 4, selector: ([name]) => name })
        .map((map) => ({ map })),
      node: fc.oneof({ depthSize: 'small' }, value, tie('tree'), tie('seq')),
      seq: fc
        .tuple(fc.array(tie('node'), { minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([seq, indented]) => ({ seq, indented })),
    }));
    let scanned = 0;
    fc.assert(
      fc.property(tree, (root) => {
        const text = `${renderMap(root, 0).join('\n')}\n`;
        if (scanStoreFields(text) !== undefined) scanned += 1;
        expectSameOutcome(text);
      }),
      { numRuns: 1000 },
    );
    // A fifth or more of the generated trees are in the subset (the rest hold a refused key or value).
    expect(scanned).toBeGreaterThan(120);
  });

  it('agrees on generated texts built from kops-like and hostile lines', () => {
    const key = fc.constantFrom(
      'spec',
      'configBase',
      'keyStore',
      'secretStore',
      'etcdClusters',
      'backups',
      'backupStore',
      'name',
      'a',
      'on',
      '__proto__',
      'x.y/z',
      '"q"',
      "'s'",
      '<<',
      '? k',
      '- k',
      'k ',
    );
    const value = fc.constantFrom(
      '',
      ' x',
      ` ${SOURCE}/c.example.com`,
      ` "${SOURCE}/c.example.com"`,
      ` '${SOURCE}/c.example.com/x'`,
      ' {}',
      ' []',
      ' [a]',
      ' 1',
      ' ~',
      ' |',
      ' >-',
      ' &a x',
      ' *a',
      ' !t x',
      ' a: b',
      ' a #c',
      ' ::/0',
      ' :',
      ' ?',
      ' -',
      ' ?x',
      ' --',
      ' "a\\"b"',
      " 'a''b'",
      ' "x',
      ' # c',
      '  ',
      ' a:',
      ' -x',
      ' - x',
    );
    const line = fc.oneof(
      fc.tuple(fc.nat(6), key, value).map(([indent, k, v]) => `${' '.repeat(indent)}${k}:${v}`),
      fc.tuple(fc.nat(6), value).map(([indent, v]) => `${' '.repeat(indent)}-${v}`),
      fc.tuple(fc.nat(6), fc.constantFrom('# c', '', '---', '...', 'x', '"y"')).map(([i, t]) => `${' '.repeat(i)}${t}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 14 }), (lines) => {
        const text = `${lines.join('\n')}\n`;
        expectSameOutcome(text);
        expectSameOutcome(`spec:\n  configBase: ${SOURCE}/c.example.com\n${text}`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('a move of a config the full parse refuses', () => {
  it.each([
    ['bad YAML', `${SPEC}  a: [unclosed\n`],
    ['a prototype key', `${SPEC}  __proto__:\n    polluted: true\n`],
    ['a duplicate key', `${SPEC}  configBase: x\n`],
    ['a merge key', `${SPEC}  <<: {}\n`],
  ])("fails with the parser's message (%s), and nothing reaches the destination", async (_what, text) => {
    const { vfs: from } = await memoryTarget.fresh();
    const { vfs: to } = await memoryTarget.fresh();
    await from.write('c.example.com/pki/f', 'x');
    await from.write('c.example.com/config', text);
    const expected = outcome(text, 'c.example.com', true);
    expect(expected).toHaveProperty('error');
    await expect(moveStateStore({ from, to })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: (expected as { error: string }).error,
    });
    const landed: string[] = [];
    for await (const info of to.listAll()) landed.push(info.key);
    expect(landed).toEqual([]);
  });
});

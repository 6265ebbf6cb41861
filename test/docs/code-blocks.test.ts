/**
 * Every ```ts block of README.md and docs/**\/*.md, and of the `@example` tags in src/'s doc comments,
 * type-checks against the package's sources (test/docs/code-blocks.ts), all in one Program.
 * Blocks marked `nocompile` are counted and listed.
 */
import { REPO_ROOT } from '../helpers/index.js';
import {
  exampleBlocks,
  markdownBlocks,
  repositoryBlocks,
  sourceExamples,
  typeCheck,
  type CodeBlock,
} from './code-blocks.js';

// Two blocks that must fail, checked in the same Program as the real ones (one Program, one
// type-check): proof that a broken block is reported, at its document's line.
const BROKEN: CodeBlock[] = markdownBlocks(
  'broken.md',
  [
    'A wrong type:',
    '```ts',
    "import { openStateStore } from 'kops-statestore';",
    "const store = await openStateStore('memfs://broken');",
    'const clusters: number = await store.listClusters();',
    '```',
    'A name that is not exported:',
    '```ts',
    "import { noSuchExport } from 'kops-statestore/driver';",
    '```',
  ].join('\n'),
);

// The same for a doc comment's @example: the error is placed at the source file's line.
const BROKEN_EXAMPLE = exampleBlocks(
  'src/broken.ts',
  [
    '/**',
    ' * Lists the clusters.',
    ' * @example',
    ' * ```ts',
    ' * const clusters: number = await store.listClusters();',
    ' * ```',
    ' */',
    'export const x = 1;',
  ].join('\n'),
).blocks;

describe('documentation code blocks', () => {
  const blocks = repositoryBlocks(REPO_ROOT);
  const examples = sourceExamples(REPO_ROOT);
  const errors = typeCheck(REPO_ROOT, [...blocks, ...examples.blocks, ...BROKEN, ...BROKEN_EXAMPLE]);
  const broken = (where: string) => where.startsWith('broken.md:') || where.startsWith('src/broken.ts:');
  const inBroken = errors.filter((error) => error.where.startsWith('broken.md:'));
  const inBrokenExample = errors.filter((error) => error.where.startsWith('src/broken.ts:'));
  const inDocs = errors.filter((error) => !broken(error.where) && !error.where.startsWith('src/'));
  const inExamples = errors.filter((error) => !broken(error.where) && error.where.startsWith('src/'));

  it('finds the blocks and lists the ones marked nocompile', () => {
    const skipped = blocks.filter((block) => !block.compile);
    const byFile = new Map<string, number>();
    for (const block of blocks) byFile.set(block.file, (byFile.get(block.file) ?? 0) + 1);
    console.log(
      `${blocks.length - skipped.length} code blocks compiled, ${skipped.length} marked nocompile` +
        skipped.map((block) => `\n  nocompile: ${block.file}:${block.line}`).join('') +
        `\nper file: ${[...byFile].map(([file, count]) => `${file} ${count}`).join(', ')}`,
    );
    expect(blocks.filter((block) => block.file === 'README.md' && block.compile).length).toBeGreaterThan(0);
    expect(blocks.filter((block) => block.file.startsWith('docs/') && block.compile).length).toBeGreaterThan(5);
  });

  it('type-checks every README and docs/ block', () => {
    const report = inDocs.map((error) => `${error.where}: ${error.message}`).join('\n');
    if (report !== '') {
      throw new Error(
        'documentation code blocks that do not type-check (fix the block: imports, declared values; ' +
          `or open a deliberate fragment with "\`\`\`ts nocompile"):\n${report}`,
      );
    }
    expect(inDocs).toHaveLength(0);
  });

  it('reports a broken block at its line', () => {
    expect(inBroken.map((error) => error.where)).toEqual(['broken.md:5', 'broken.md:9']);
    expect(inBroken[0]?.message).toMatch(/not assignable to type 'number'/);
    expect(inBroken[1]?.message).toMatch(/noSuchExport/);
  });

  it('finds the @example blocks of src/ doc comments, each @example fenced', () => {
    const skipped = examples.blocks.filter((block) => !block.compile);
    console.log(
      `${examples.blocks.length - skipped.length} @example blocks compiled, ${skipped.length} marked nocompile` +
        skipped.map((block) => `\n  nocompile: ${block.file}:${block.line}`).join(''),
    );
    expect(examples.blocks.filter((block) => block.compile).length).toBeGreaterThan(20);
    // An @example with no ```ts fence would escape the check: each must have one.
    expect(examples.bare).toEqual([]);
  });

  it('type-checks every @example of the doc comments in src/', () => {
    const report = inExamples.map((error) => `${error.where}: ${error.message}`).join('\n');
    if (report !== '') {
      throw new Error(
        '@example blocks that do not type-check (make each a complete snippet: imports from ' +
          `'statestore', declared inputs; or open a deliberate fragment with "\`\`\`ts nocompile"):\n${report}`,
      );
    }
    expect(inExamples).toHaveLength(0);
  });

  it('reports a broken @example at its source line', () => {
    expect(inBrokenExample.map((error) => error.where)).toEqual(['src/broken.ts:5']);
    expect(inBrokenExample[0]?.message).toMatch(/Cannot find name 'store'/);
  });

  it('extracts the fenced blocks of @example tags only, ` * ` removed, and lists bare examples', () => {
    const text = [
      '/**',
      ' * Not an example:',
      ' * ```ts',
      ' * notThis();',
      ' * ```',
      ' * @example A title',
      ' * ```ts',
      ' * f({',
      ' *   a: 1,',
      ' * });',
      ' * ```',
      ' * @param x - not part of the example',
      ' * @example',
      ' * g();',
      ' */',
      '/** @example ```ts one line``` */',
      '  /**',
      '   * @example',
      '   * ```ts nocompile',
      '   * h();',
      '   * ```',
      '   */',
    ];
    expect(exampleBlocks('y.ts', text.join('\n'))).toEqual({
      blocks: [
        { file: 'y.ts', line: 8, code: 'f({\n  a: 1,\n});', compile: true },
        { file: 'y.ts', line: 20, code: 'h();', compile: false },
      ],
      bare: ['y.ts:13'],
    });
  });

  it('extracts fenced blocks, indented ones too, keeping the nocompile marker', () => {
    const text = [
      '- item',
      '  ```ts nocompile',
      '  const a = 1;',
      '    nested;',
      '  ```',
      '```typescript',
      'f(1);',
      '```',
    ];
    expect(markdownBlocks('x.md', text.join('\n'))).toEqual([
      { file: 'x.md', line: 3, code: 'const a = 1;\n  nested;', compile: false },
      { file: 'x.md', line: 7, code: 'f(1);', compile: true },
    ]);
  });
});

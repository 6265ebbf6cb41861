/**
 * Every ```ts block of README.md and docs/**\/*.md type-checks against
 * the package's sources (test/docs/code-blocks.ts). Blocks marked `nocompile` are counted and listed.
 */
import { REPO_ROOT } from '../helpers/index.js';
import { markdownBlocks, repositoryBlocks, typeCheck, type CodeBlock } from './code-blocks.js';

// Two blocks that must fail, checked in the same Program as the real ones (one Program, one
// type-check): proof that a broken block is reported, at its document's line.
const BROKEN: CodeBlock[] = markdownBlocks(
  'broken.md',
  [
    'A wrong type:',
    '```ts',
    "import { openStateStore } from 'statestore';",
    "const store = await openStateStore('memfs://broken');",
    'const clusters: number = await store.listClusters();',
    '```',
    'A name that is not exported:',
    '```ts',
    "import { noSuchExport } from 'statestore/driver';",
    '```',
  ].join('\n'),
);

describe('documentation code blocks', () => {
  const blocks = repositoryBlocks(REPO_ROOT);
  const errors = typeCheck(REPO_ROOT, [...blocks, ...BROKEN]);
  const inBroken = errors.filter((error) => error.where.startsWith('broken.md:'));
  const inDocs = errors.filter((error) => !error.where.startsWith('broken.md:'));

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

/**
 * Extracts the TypeScript code blocks of the documentation (README.md, docs/**\/*.md, and the
 * `@example` tags of the doc comments in src/**\/*.ts) and type-checks them all in ONE TypeScript Program,
 * with the package's entry points mapped to their sources, so a guide cannot drift from the API.
 *
 * A block opened with ```ts (or ```typescript) is compiled; ```ts nocompile marks a block that is
 * deliberately not (a fragment, a signature): it is counted and listed, never silently skipped.
 * Each block is its own module, so top-level await and imports work as in a user's file; it sits in
 * its source's folder, so the example of a function the package does not export imports it by its path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One fenced block, with where it came from. */
export interface CodeBlock {
  /** The file it is in, relative to the repository root. */
  file: string;
  /** 1-based line of its first code line in that file. */
  line: number;
  /** The code, indentation (or the comment's ` * `) removed. */
  code: string;
  /** False for a block marked `nocompile`. */
  compile: boolean;
}

/** One type error, placed in the documentation file it comes from. */
export interface BlockError {
  /** `file:line`, the documentation file and line. */
  where: string;
  /** TypeScript's message. */
  message: string;
}

const FENCE = /^```(?:ts|typescript)(?:\s+(.*))?$/;

/** The fenced ```ts blocks of a Markdown text (indented fences, as in lists, included). */
export function markdownBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const opening = lines[i] ?? '';
    const indent = /^\s*/.exec(opening)?.[0] ?? '';
    const fence = FENCE.exec(opening.trim());
    if (!fence) continue;
    const words = (fence[1] ?? '').split(/\s+/);
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length && (lines[j] ?? '').trim() !== '```'; j += 1) {
      // Only the opening fence's indentation is removed: the code keeps its own.
      const line = lines[j] ?? '';
      code.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: code block never closed`);
    blocks.push({ file, line: i + 2, code: code.join('\n'), compile: !words.includes('nocompile') });
    i = j;
  }
  return blocks;
}

/** Every documentation block of the repository: README.md and docs/**\/*.md. */
export function repositoryBlocks(root: string): CodeBlock[] {
  const files = ['README.md', ...walk(root, 'docs', '.md')];
  return files.flatMap((file) => markdownBlocks(file, readFileSync(path.join(root, file), 'utf8')));
}

/** The ```ts blocks of the `@example` tags in a source file's doc comments, and the examples with no fence at all. */
export function exampleBlocks(file: string, text: string): { blocks: CodeBlock[]; bare: string[] } {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  const bare: string[] = [];
  let comment: string[] | undefined; // the open doc comment's lines, ` * ` removed
  let start = 0; // the 0-based line of its first line
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (comment === undefined && /^\s*\/\*\*(?!.*\*\/)/.test(line)) [comment, start] = [[], i + 1];
    else if (comment !== undefined && line.includes('*/')) {
      for (const example of examples(comment)) {
        const at = start + example.from; // 0-based file line of the example's first line
        const found = markdownBlocks(file, example.text).map((block) => ({ ...block, line: block.line + at }));
        if (!example.text.includes('```')) bare.push(`${file}:${at + 1}`);
        blocks.push(...found);
      }
      comment = undefined;
    } else comment?.push(line.replace(/^\s*\* ?/, ''));
  }
  return { blocks, bare };
}

/** The `@example` sections of a doc comment: from the tag to the next tag outside a fence. */
function examples(comment: readonly string[]): { from: number; text: string }[] {
  const found: { from: number; text: string }[] = [];
  let fenced = false;
  let open: { from: number; lines: string[] } | undefined;
  comment.forEach((line, index) => {
    if (!fenced && line.startsWith('@')) {
      if (open) found.push({ from: open.from, text: open.lines.join('\n') });
      open = line.startsWith('@example') ? { from: index, lines: [line] } : undefined;
      return;
    }
    if (line.trim().startsWith('```')) fenced = !fenced;
    open?.lines.push(line);
  });
  if (open) found.push({ from: open.from, text: open.lines.join('\n') });
  return found;
}

/** Every `@example` of the doc comments in src/**\/*.ts (generated files left out). */
export function sourceExamples(root: string): { blocks: CodeBlock[]; bare: string[] } {
  const files = walk(root, 'src', '.ts').filter((file) => !file.includes('.generated.') && !file.endsWith('.d.ts'));
  const all = files.map((file) => exampleBlocks(file, readFileSync(path.join(root, file), 'utf8')));
  return { blocks: all.flatMap((one) => one.blocks), bare: all.flatMap((one) => one.bare) };
}

function walk(root: string, folder: string, extension: string): string[] {
  const entries = readdirSync(path.join(root, folder), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** The compiler options of a user's project: strict, ES modules, top-level await, Node's types. */
function compilerOptions(root: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2024.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    strict: true,
    noUncheckedIndexedAccess: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    baseUrl: root,
    paths: {
      'kops-statestore': [path.join(root, 'src/index.ts')],
      'kops-statestore/driver': [path.join(root, 'src/driver.ts')],
      'kops-statestore/testing': [path.join(root, 'src/testing/index.ts')],
    },
  };
}

/** Type-checks the blocks that compile, in one Program; the errors, placed in their documents. */
export function typeCheck(root: string, blocks: readonly CodeBlock[]): BlockError[] {
  const virtual = new Map<string, CodeBlock>();
  blocks.forEach((block, index) => {
    // In its source's folder: an internal function's example imports it relatively ('./unified.js').
    if (block.compile) virtual.set(path.join(root, path.dirname(block.file), `.code-block-${index}.ts`), block);
  });
  const options = compilerOptions(root);
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getCurrentDirectory = () => root;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name)?.code ?? readFile.call(host, name);
  host.getSourceFile = (name, languageVersion, ...rest) => {
    const block = virtual.get(name);
    if (block) return ts.createSourceFile(name, block.code, languageVersion, true, ts.ScriptKind.TS);
    return getSourceFile.call(host, name, languageVersion, ...rest);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const errors: BlockError[] = [];
  for (const [name, block] of virtual) {
    const sourceFile = program.getSourceFile(name);
    if (!sourceFile) throw new Error(`${block.file}:${block.line}: not in the program`);
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    for (const diagnostic of diagnostics) {
      const at = diagnostic.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line;
      errors.push({
        where: `${block.file}:${block.line + at}`,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      });
    }
  }
  return errors;
}

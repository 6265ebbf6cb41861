/**
 * Runs the built `statestore` bin (dist/cli.js, made by `npx tsup`) as a child process against
 * file:// stores made from kops's state-store trees (test/fixtures/kops, via test/store/trees.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/index.js';
import { TREES, treeFiles, type KopsTree } from '../store/trees.js';

export const CLI = path.join(REPO_ROOT, 'dist/cli.js');

/** Fails the suite early, with the fix, when the bin was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup --no-dts\` (or npm run build) first`);
}

export const MINIMAL = TREES.find((tree) => tree.name === 'minimal-1.34')!;
export const COMPLEX = TREES.find((tree) => tree.name === 'complex')!;

/** A temporary folder. */
export function tempDir(prefix = 'statestore-cli-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes kops trees into a fresh folder; returns its path and file:// URL. */
export function makeStore(trees: KopsTree[] = [MINIMAL, COMPLEX]): { dir: string; url: string } {
  const dir = tempDir();
  for (const tree of trees) {
    for (const [key, body] of treeFiles(tree)) {
      const file = path.join(dir, ...key.split('/'));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, body);
    }
  }
  return { dir, url: pathToFileURL(dir).href };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin with `args` (no shell), `input` on stdin, and NO_COLOR unless `env` says otherwise. */
export function run(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; state?: string; cwd?: string } = {},
): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NO_COLOR: '1',
    ...options.env,
  };
  if (options.state !== undefined) env.KOPS_STATE_STORE = options.state;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the bin on a pseudo-terminal; resolves with what the terminal showed and the exit code. */
export function onTerminal(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ output: string; code: number | null }> {
  const quoted = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...extraEnv };
  const child = spawn('script', ['-qefc', quoted, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ output, code })));
}

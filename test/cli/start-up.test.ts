/**
 * What a fresh process loads (issue #29, bench/README.md "Cold start"): the bin answers --version
 * by itself and turns on Node's compile cache where Node has one (src/cli/bin.ts), and the built
 * library loads kops's schema validators on the first validation, not at import (tsup.config.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/index.js';
import { CLI, requireBuiltCli, run, tempDir } from './harness.js';

const exec = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const VALIDATORS = path.join(REPO_ROOT, 'dist', 'validators.generated.cjs');

// Run in a child: the library as built, in a process of its own. It prints whether the validators
// were in the require cache right after the import, and after a first validation with its issues.
const probe = (load: string) => `
${load}
const { createRequire } = require('node:module');
const cache = () => Object.keys(createRequire(${JSON.stringify(VALIDATORS)}).cache).includes(${JSON.stringify(VALIDATORS)});
const atImport = cache();
const issues = lib.validateClusterConfig({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'a.example.com' }, spec: { kubernetesVersion: 5 } });
console.log(JSON.stringify({ atImport, afterValidation: cache(), messages: issues.map((i) => i.message) }));`;

async function loadInChild(
  format: 'esm' | 'cjs',
): Promise<{ atImport: boolean; afterValidation: boolean; messages: string[] }> {
  const script =
    format === 'esm'
      ? `const require = (await import('node:module')).createRequire(import.meta.url); const lib = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'index.js'))});`
      : `const lib = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'index.cjs'))});`;
  const args = format === 'esm' ? ['--input-type=module', '-e', probe(script)] : ['-e', probe(script)];
  const { stdout } = await exec(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(stdout) as { atImport: boolean; afterValidation: boolean; messages: string[] };
}

describe('start-up (built bin and library)', () => {
  beforeAll(() => requireBuiltCli());

  it("prints the package's version from the bin alone, the same as commander prints it", async () => {
    const alone = await run(['--version']);
    // With another flag the command line parses it (commander's --version).
    const parsed = await run(['--quiet', '--version']);
    expect(alone).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(parsed).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('ends --version quietly when the reader has closed the pipe', async () => {
    // The read end closes right away, long before the child's node has started and writes.
    const child = spawn(process.execPath, [CLI, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it.each(['esm', 'cjs'] as const)(
    'loads the schema validators on the first validation, not at import (%s)',
    async (format) => {
      const loaded = await loadInChild(format);
      expect(loaded.atImport).toBe(false);
      expect(loaded.afterValidation).toBe(true);
      expect(loaded.messages).toContain('/spec/kubernetesVersion must be a string');
    },
  );

  it("keeps compiled code in node's compile cache where node has one (Node >= 22.8), and runs as before without", async () => {
    const tmp = tempDir('statestore-compile-cache-');
    try {
      // In statestore's cache folder ($XDG_CACHE_HOME/statestore/compile-cache), nothing in TMPDIR.
      const temp = path.join(tmp, 'temp');
      mkdirSync(temp);
      const result = await run(['get', '--help'], { env: { XDG_CACHE_HOME: tmp, TMPDIR: temp } });
      const folder = path.join(tmp, 'statestore', 'compile-cache');
      const cached = existsSync(folder) ? readdirSync(folder, { recursive: true }).length : 0;
      expect(readdirSync(temp)).toEqual([]);
      const nodeHasIt = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: statestore get');
      expect(cached > 0).toBe(nodeHasIt);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

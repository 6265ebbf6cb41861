/**
 * The rough edges a new user met (issue 27), each run on the built bin: a reader that closes the
 * pipe, refused renames, `--json` lists, `create cluster` flags, the defaulted store.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/index.js';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

beforeAll(requireBuiltCli);
const cluster = MINIMAL.cluster;

/** Runs the bin with its stdout a pipe this side closes at once (as `| head -1` does after a line). */
function runWithClosedStdout(args: string[], state?: string): Promise<{ code: number | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
  if (state !== undefined) env.KOPS_STATE_STORE = state;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed pipe', () => {
  it('ends --help and history --diff quietly: no EPIPE stack, exit 0', async () => {
    const { url } = makeStore([MINIMAL]);
    for (const version of ['1.30.0', '1.31.0'])
      expect((await run(['set', 'cluster', cluster, `spec.kubernetesVersion=${version}`], { state: url })).code).toBe(
        0,
      );
    const results = await Promise.all([
      runWithClosedStdout(['--help']),
      runWithClosedStdout(['history', 'cluster', cluster, '--diff'], url),
      runWithClosedStdout(['get', 'cluster', cluster, '-o', 'yaml'], url),
    ]);
    for (const result of results) {
      expect(result.stderr).not.toMatch(/EPIPE|Unhandled|node:events/);
      expect(result.code).toBe(0);
    }
  });
});

describe('set', () => {
  it('refuses changing metadata.name (exit 4): the cluster stays listed and found under its name', async () => {
    const { url } = makeStore([MINIMAL]);
    const renamed = await run(['set', 'cluster', cluster, 'metadata.name=b.example.com'], { state: url });
    expect(renamed.code).toBe(4);
    expect(renamed.stderr).toContain('/metadata/name: cannot change from "minimal.example.com" to "b.example.com"');
    expect((await run(['get', 'clusters'], { state: url })).stdout).toContain(cluster);
    expect((await run(['get', 'cluster', cluster], { state: url })).code).toBe(0);
  });
});

describe('the store used', () => {
  it('is named when defaulted (no --state, no KOPS_STATE_STORE), and in not-found messages', async () => {
    const cwd = tempDir();
    const store = pathToFileURL(path.join(cwd, '.statestore')).href;
    const empty = await run(['get', 'clusters'], { cwd });
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain(`using the default state store ${store} (no --state or KOPS_STATE_STORE)`);
    expect(empty.stderr).toContain(`no clusters found in state store ${store}`);
    const created = await run(['create', 'cluster', 'demo.example.com', '--cloud', 'aws', '--zones', 'us-east-1a'], {
      cwd,
    });
    expect(created.code).toBe(0);
    // kops would not find the defaulted store by itself: the next step names it.
    expect(created.stderr).toContain(`next: kops update cluster --name demo.example.com --state ${store} --yes`);
    const { url } = makeStore([MINIMAL]);
    const missing = await run(['get', 'cluster', 'nope.example.com'], { state: url });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`cluster "nope.example.com" not found in state store ${url}`);
    expect(missing.stderr).not.toContain('using the default');
  });
});

describe('get lists, one rule', () => {
  it('none at all: `[]` and exit 0 with --json, exit 3 for people; a name not found: exit 3 in every format', async () => {
    const cwd = tempDir();
    const state = pathToFileURL(path.join(cwd, 'store')).href;
    await run(['create', 'cluster', 'demo.example.com', '--cloud', 'aws', '--zones', 'us-east-1a'], { state });
    for (const kind of ['clusters', 'secrets', 'keypairs', 'sshpublickeys']) {
      const scope = kind === 'clusters' ? [] : ['--name', 'demo.example.com'];
      const where = kind === 'clusters' ? pathToFileURL(path.join(cwd, 'other')).href : state;
      const json = await run(['get', kind, ...scope, '--json'], { state: where });
      expect([kind, json.code, json.stdout]).toEqual([kind, 0, '[]\n']);
      const table = await run(['get', kind, ...scope], { state: where });
      expect([kind, table.code]).toEqual([kind, 3]);
      const named = await run(['get', kind, 'missing-name', ...scope, '--json'], { state: where });
      expect([kind, named.code]).toEqual([kind, 3]);
    }
  });
});

describe('--help', () => {
  it('lists the schemes by the names the store takes (memfs://, not memory://)', async () => {
    const help = await run(['--help']);
    expect(help.stdout).toContain('memfs://');
    expect(help.stdout).not.toContain('memory://');
  });
});

describe('create cluster flags', () => {
  const ADMIN_KEY = path.join(
    REPO_ROOT,
    'test/fixtures/state-stores-extra/minimal-1.34/tests/minimal.example.com/pki/ssh/public/admin/1eeb3f1dfa44f61302963a9ede4f6320',
  );

  it('refuses a negative --node-count (exit 4, nothing written); takes --ssh-public-key as kops does', async () => {
    const dir = tempDir();
    const state = pathToFileURL(path.join(dir, 'store')).href;
    const base = ['create', 'cluster', 'demo.example.com', '--cloud', 'aws', '--zones', 'us-east-1a'];
    const negative = await run([...base, '--node-count', '-1'], { state });
    expect(negative.code).toBe(4);
    expect(negative.stderr).toContain('nodeCount must be a whole number from 0 to 2147483647, not -1');
    expect(existsSync(path.join(dir, 'store', 'demo.example.com'))).toBe(false);

    const missingKey = await run([...base, '--ssh-public-key', path.join(dir, 'no-such.pub')], { state });
    expect(missingKey.code).toBe(3);
    expect(existsSync(path.join(dir, 'store', 'demo.example.com'))).toBe(false);

    const keyFile = path.join(dir, 'admin.pub');
    writeFileSync(keyFile, readFileSync(ADMIN_KEY));
    const created = await run([...base, '--ssh-public-key', keyFile], { state });
    expect(created.code).toBe(0);
    const keys = JSON.parse(
      (await run(['get', 'sshpublickeys', '--name', 'demo.example.com', '--json'], { state })).stdout,
    ) as Array<{ id: string; publicKey: string }>;
    expect(keys.map((key) => key.publicKey.trim())).toEqual([readFileSync(ADMIN_KEY, 'utf8').trim()]);
  });
});

/**
 * The rough edges a new user met (issue 27), each run on the built bin: a reader that closes the
 * pipe, refused renames, `--json` lists, `create cluster` flags, the defaulted store.
 */
import { spawn } from 'node:child_process';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run } from './harness.js';

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

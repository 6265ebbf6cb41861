/**
 * `statestore watch cluster NAME` as a child process over a file:// store: the diff of each change
 * (JSON lines with -o json), the end on SIGINT with exit 130 (and no "error:" line), bad flags.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { openStateStore } from '../../src/store/open.js';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run } from './harness.js';

beforeAll(requireBuiltCli);
const cluster = MINIMAL.cluster;

/** The bin, running; `lines` collects stdout lines, `stderr` the rest, `exit` its end. */
function start(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, stderr: () => stderr, exit };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('statestore watch cluster', () => {
  it('prints each change as a JSON line and ends on SIGINT with exit 130', async () => {
    const { url } = makeStore([MINIMAL]);
    const watch = start(['watch', 'cluster', cluster, '--state', url, '--interval', '50', '-o', 'json']);
    await until(() => watch.lines.length >= 1);
    const first = JSON.parse(watch.lines[0]!) as { change: string; kind: string; diff: string; version: string };
    expect(first).toMatchObject({ kind: 'config', change: 'current', diff: '' });

    const store = await openStateStore(url);
    const written = await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.7' } });
    await store.close();
    await until(() => watch.lines.length >= 2);
    const second = JSON.parse(watch.lines[1]!) as { change: string; version: string; diff: string };
    expect(second).toMatchObject({ change: 'updated', version: written.version });
    expect(second.diff).toContain('+  kubernetesVersion: 1.30.7');

    watch.child.kill('SIGINT');
    expect(await watch.exit).toBe(130);
    expect(watch.stderr()).toContain('watch stopped');
    expect(watch.stderr()).not.toContain('error:');
  });

  it('prints unified diffs on stdout and people messages on stderr', async () => {
    const { url } = makeStore([MINIMAL]);
    const watch = start(['watch', 'cluster', cluster, '--state', url, '--interval', '50', '--instance-groups']);
    await until(() => watch.stderr().includes('instance group nodes'));
    const store = await openStateStore(url);
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.8' } });
    await store.close();
    await until(() => watch.lines.some((line) => line.startsWith('+  kubernetesVersion')));
    watch.child.kill('SIGINT');
    expect(await watch.exit).toBe(130);
    expect(watch.lines[0]).toMatch(new RegExp(`^--- ${cluster}/config@`));
    expect(watch.lines).toContain('+  kubernetesVersion: 1.30.8');
    expect(watch.stderr()).toMatch(/watching .*config at version/);
    expect(watch.stderr()).toMatch(/config updated/);
  });

  it('refuses bad intervals and a missing cluster with their exit codes', async () => {
    const { url } = makeStore([MINIMAL]);
    const notNumber = await run(['watch', 'cluster', cluster, '--interval', 'soon'], { state: url });
    expect(notNumber.code).toBe(2);
    const zero = await run(['watch', 'cluster', cluster, '--interval', '0'], { state: url });
    expect(zero.code).toBe(4);
    expect(zero.stderr).toContain('intervalMs');
    const missing = await run(['watch', 'cluster', 'missing.example.com'], { state: url });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('not found');
  });
});

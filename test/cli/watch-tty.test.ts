/**
 * `statestore watch` on a real pseudo-terminal (util-linux `script -qefc`): the diff is coloured
 * on a terminal, and a Ctrl-C typed at the terminal (byte 0x03, turned into SIGINT by the
 * terminal's line discipline, as a person's Ctrl-C is) ends it with exit 130.
 */
import { spawn } from 'node:child_process';
import { openStateStore } from '../../src/store/open.js';
import { CLI, MINIMAL, makeStore, requireBuiltCli } from './harness.js';

beforeAll(requireBuiltCli);
const cluster = MINIMAL.cluster;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('statestore watch on a terminal', () => {
  it('colours the diff and ends on a typed Ctrl-C with exit 130', async () => {
    const { url } = makeStore([MINIMAL]);
    const command = [process.execPath, CLI, 'watch', 'cluster', cluster, '--state', url, '--interval', '50'];
    const quoted = command.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' };
    const child = spawn('script', ['-qefc', quoted, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    await until(() => output.includes('watching'));
    const store = await openStateStore(url);
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.9' } });
    await store.close();
    await until(() => output.includes('1.30.9'));
    child.stdin.write('\x03');
    expect(await exit).toBe(130);
    // picocolors' green around the added line: colours are on for a terminal.
    expect(output).toContain('\x1b[32m+  kubernetesVersion: 1.30.9\x1b[39m');
    expect(output).toContain('watch stopped');
    child.stdin.end();
  });
});

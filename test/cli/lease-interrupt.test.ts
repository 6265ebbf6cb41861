/**
 * Ctrl-C (SIGINT) while a writing verb is still taking the cluster's lease (built bin, file://
 * stores): the acquire is aborted, withdraws what its write may have landed, and the verb ends with
 * exit 130 and a message, writing nothing. A lease someone else holds stays; none of the
 * interrupted process's remains. (SIGINT once the lease is held: lease-writers.test.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run } from './harness.js';

const cluster = MINIMAL.cluster;
const leaseFile = (dir: string): string => path.join(dir, cluster, 'backups', 'statestore', 'lease');
const configOf = (dir: string): string => readFileSync(path.join(dir, cluster, 'config'), 'utf8');
const leaseOf = (dir: string): { owner: string; token: string } =>
  JSON.parse(readFileSync(leaseFile(dir), 'utf8')) as { owner: string; token: string };
const INTERRUPTED = `interrupted before the lease on cluster "${cluster}" was held: nothing was written`;

/** Starts the bin; `stderrHas(text)` resolves once its stderr shows `text`. */
function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
  });
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const stderrHas = async (text: string): Promise<void> => {
    while (!stderr.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { child, exited, stderrHas, stderr: () => stderr };
}

describe('Ctrl-C while a writing verb takes the lease (built bin)', () => {
  beforeAll(requireBuiltCli);

  it("while it waits for someone else's lease: exit 130 (143 for SIGTERM), nothing written, their lease stays", async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const taken = await run(['lease', 'acquire', 'cluster', cluster, '--owner', 'ci-42', '--ttl', '5m'], {
      state: url,
    });
    expect(taken.code).toBe(0);
    const theirs = leaseOf(dir);
    const before = configOf(dir);

    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const set = start(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.31.0', '--lock-timeout', '5m'], {
        KOPS_STATE_STORE: url,
      });
      await set.stderrHas('waiting up to 5m');
      set.child.kill(signal);
      expect([signal, await set.exited]).toEqual([signal, { code, signal: null }]);
      expect(set.stderr()).toContain(
        `cluster "${cluster}" is leased by "ci-42"; waiting up to 5m for it (Ctrl-C stops)`,
      );
      expect(set.stderr()).toContain(`error: ${INTERRUPTED}`);
      expect(leaseOf(dir)).toEqual(theirs);
    }
    expect(configOf(dir)).toBe(before);
  });

  it('Ctrl-C typed on a pseudo-terminal while it waits: exit 130, nothing written, their lease stays', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    expect(
      (await run(['lease', 'acquire', 'cluster', cluster, '--owner', 'ci-42', '--ttl', '5m'], { state: url })).code,
    ).toBe(0);
    const theirs = leaseOf(dir);
    const before = configOf(dir);
    // `script` gives the bin a real terminal; the ETX byte (Ctrl-C) written to it becomes SIGINT
    // through the terminal's line discipline, as an operator's key press does.
    const quoted = [
      process.execPath,
      CLI,
      'set',
      'cluster',
      cluster,
      'spec.kubernetesVersion=1.31.0',
      '--lock-timeout',
      '5m',
    ]
      .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', KOPS_STATE_STORE: url };
    const terminal = spawn('script', ['-qefc', quoted, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const waiters: Array<() => void> = [];
    terminal.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const wake of waiters.splice(0)) wake();
    });
    const exited = new Promise<number | null>((resolve) => terminal.on('close', (code) => resolve(code)));
    while (!output.includes('(Ctrl-C stops)')) await new Promise<void>((resolve) => waiters.push(resolve));
    terminal.stdin.write('\x03');
    expect(await exited).toBe(130);
    terminal.stdin.end();
    // On a terminal the error's label is red: `\u001b[31merror:\u001b[39m`.
    expect(output).toContain(`^C\u001b[31merror:\u001b[39m ${INTERRUPTED}\r\n`);
    expect(leaseOf(dir)).toEqual(theirs);
    expect(configOf(dir)).toBe(before);
  });

  it.each(['start', 'landed'])(
    'while its own lease write is in flight (SIGINT at %s): exit 130, no lease left, nothing written',
    async (at) => {
      const { dir, url } = makeStore([MINIMAL]);
      const before = configOf(dir);
      const env = { NODE_OPTIONS: `--import=${path.join(__dirname, 'sigint-at-lease-write.mjs')}` };
      for (const args of [
        ['set', 'cluster', cluster, 'spec.kubernetesVersion=1.31.0'],
        ['delete', 'ig', 'nodes', '--name', cluster, '--yes'],
      ]) {
        const verb = start([...args, '--state', url], { ...env, STATESTORE_TEST_SIGINT_AT: at });
        expect([args[0], await verb.exited]).toEqual([args[0], { code: 130, signal: null }]);
        expect(verb.stderr()).toContain(`error: ${INTERRUPTED}`);
        expect(existsSync(leaseFile(dir))).toBe(false);
      }
      expect(configOf(dir)).toBe(before);
      expect(existsSync(path.join(dir, cluster, 'instancegroup', 'nodes'))).toBe(true);
    },
  );
});

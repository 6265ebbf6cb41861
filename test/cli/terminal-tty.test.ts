/**
 * On a real pseudo-terminal (util-linux `script -qefc`): nothing from the store reaches the
 * terminal raw (issue 25 item 13). A store holding ESC, BEL, C1 CSI and a bidi override in a zone,
 * a machineType, history authors and reasons and a lease's owner and operation is printed by
 * `get clusters`, `get ig`, `get -o yaml`, `history`, `history --diff`, `lease show` and a refused
 * `set`: every one of those characters arrives as `\uXXXX`. Piped, `get -o yaml` stays byte for
 * byte. `watch` prints a change the same way. And a Ctrl-C typed while `edit` has its editor open
 * ends it (exit 130) with no lease left.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openStateStore } from '../../src/store/open.js';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

beforeAll(requireBuiltCli);
const cluster = MINIMAL.cluster;
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const leaseFile = (dir: string): string => path.join(dir, cluster, 'backups', 'statestore', 'lease');

/** Runs the bin on a pseudo-terminal; `whileRunning` may type into it. Resolves to exit code and output. */
function onTerminal(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    whileRunning?: (type: (text: string) => void, output: () => string) => Promise<void>;
  } = {},
): Promise<{ code: number | null; output: string }> {
  const quoted = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', NO_COLOR: '1', ...options.env };
  const child = spawn('script', ['-qefc', quoted, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const typed =
    options.whileRunning?.(
      (text) => child.stdin.write(text),
      () => output,
    ) ?? Promise.resolve();
  return typed.then(async () => {
    const code = await exit;
    child.stdin.end();
    return { code, output };
  });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A store whose documents, history and lease hold terminal escapes. */
async function hostileStore(): Promise<{ dir: string; url: string }> {
  const store = makeStore([MINIMAL]);
  // A recorded write whose author and reason hold escapes, made before the documents are
  // tampered with: statestore refuses to write a config holding control characters, as kops would.
  const opened = await openStateStore(store.url);
  await opened.mergeConfig(
    cluster,
    { spec: { kubernetesVersion: '1.30.1' } },
    { author: 'eve\u001b[2J', reason: 'fix \u202egnp.exe' },
  );
  await opened.close();
  const group = path.join(store.dir, cluster, 'instancegroup', 'nodes');
  // A raw ESC inside a quoted scalar (read as go-yaml would), and a YAML escape that decodes to BEL.
  writeFileSync(
    group,
    readFileSync(group, 'utf8').replace('machineType: t2.medium', 'machineType: "t2.medium\u001b[31mRED\\a"'),
  );
  const config = path.join(store.dir, cluster, 'config');
  writeFileSync(config, readFileSync(config, 'utf8').replace('zone: us-test-1a', 'zone: "us-test-1a\\e]0;owned\\a"'));
  const now = Date.now();
  const lease = {
    kind: 'statestore.lease/v1',
    owner: 'mallory\u001b[31m',
    operation: 'up\u009b2Jgrade',
    token: 'b'.repeat(32),
    acquiredAt: new Date(now).toISOString(),
    renewedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 600_000).toISOString(),
    ttlMs: 600_000,
  };
  writeFileSync(leaseFile(store.dir), JSON.stringify(lease));
  return store;
}

describe('terminal output escapes what the store holds', () => {
  it('tables, YAML, history, lease show and errors print no raw control or bidi character', async () => {
    const { url } = await hostileStore();
    const commands = [
      ['get', 'clusters'],
      ['get', 'ig', '--name', cluster],
      ['get', 'cluster', cluster, '-o', 'yaml'],
      ['get', 'ig', 'nodes', '--name', cluster, '-o', 'yaml'],
      ['history', 'cluster', cluster],
      ['history', 'cluster', cluster, '--diff'],
      ['lease', 'show', 'cluster', cluster],
      ['set', 'cluster', cluster, 'spec.kubernetesVersion=1.30.2'],
    ];
    const seen: string[] = [];
    for (const args of commands) {
      const { code, output } = await onTerminal([...args, '--state', url]);
      seen.push(output);
      const raw = UNSAFE.exec(output.replace(/\r\n/g, '\n'));
      expect([args.join(' '), raw?.[0]]).toEqual([args.join(' '), undefined]);
      expect([args.join(' '), code]).toEqual([args.join(' '), args[0] === 'set' ? 5 : 0]);
    }
    const all = seen.join('\n');
    for (const escaped of [
      '\\u001b[31mRED',
      '\\u001b]0;owned\\u0007',
      'eve\\u001b[2J',
      '\\u202egnp.exe',
      'up\\u009b2Jgrade',
    ])
      expect(all).toContain(escaped);
  });

  it('piped, -o yaml stays byte for byte; --json keeps JSON escaping (C1 and bidi as \\u too)', async () => {
    const { dir, url } = await hostileStore();
    const yaml = await run(['get', 'ig', 'nodes', '--name', cluster, '-o', 'yaml'], { state: url });
    expect(yaml.stdout).toBe(readFileSync(path.join(dir, cluster, 'instancegroup', 'nodes'), 'utf8'));
    const json = await run(['lease', 'show', 'cluster', cluster, '--json'], { state: url });
    expect(UNSAFE.test(json.stdout)).toBe(false);
    expect((JSON.parse(json.stdout) as { operation: string }).operation).toBe('up\u009b2Jgrade');
    const refused = await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.30.2'], { state: url });
    expect(UNSAFE.test(refused.stderr)).toBe(false);
  });

  it('watch prints a change holding escapes escaped', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const config = path.join(dir, cluster, 'config');
    const { code, output } = await onTerminal(['watch', 'cluster', cluster, '--state', url, '--interval', '50'], {
      whileRunning: async (type, output) => {
        await until(() => output().includes('watching'));
        // Written as kops would (an unconditional write of the file), with a raw ESC in a value.
        const text = readFileSync(config, 'utf8').replace('zone: us-test-1a', 'zone: "us-test-1a\u001b[8mhidden"');
        writeFileSync(`${config}.new`, text);
        renameSync(`${config}.new`, config);
        await until(() => output().includes('hidden'));
        type('\x03');
      },
    });
    expect(code).toBe(130);
    expect(output).toContain('us-test-1a\\u001b[8mhidden');
    expect(UNSAFE.exec(output)?.[0]).toBeUndefined();
  });

  it('a Ctrl-C typed while the editor is open ends the edit with exit 130 and releases the lease', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const before = readFileSync(path.join(dir, cluster, 'config'), 'utf8');
    const tmp = tempDir();
    const editor = path.join(tempDir(), 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\necho open > "$0.open"\nexec sleep 30\n', { mode: 0o755 });
    const { code } = await onTerminal(['edit', 'cluster', cluster, '--state', url], {
      env: { EDITOR: editor, TMPDIR: tmp },
      whileRunning: async (type) => {
        await until(() => existsSync(`${editor}.open`));
        expect(JSON.parse(readFileSync(leaseFile(dir), 'utf8'))).toMatchObject({ operation: 'edit' });
        type('\x03');
      },
    });
    expect(code).toBe(130);
    expect(existsSync(leaseFile(dir))).toBe(false);
    expect(readFileSync(path.join(dir, cluster, 'config'), 'utf8')).toBe(before);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

/**
 * Writing verbs and the lease (issue 31 item 4; built bin, file:// stores), as Terraform's commands
 * and its state lock: a write during someone else's lease is refused with the holder's info (exit
 * 5) and writes nothing; `--lock-timeout` waits for the release; the holder itself writes (same
 * user@host, or `--lease-id`); `release --force ID` removes only the lease with that id; the ttl
 * and missing clusters are refused clearly; `edit` cleans up its temporary file and explains an
 * editor that removed it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

const cluster = MINIMAL.cluster;
const leaseFile = (dir: string): string => path.join(dir, cluster, 'backups', 'statestore', 'lease');
const configOf = (dir: string): string => readFileSync(path.join(dir, cluster, 'config'), 'utf8');
const ownerOf = (dir: string): string => (JSON.parse(readFileSync(leaseFile(dir), 'utf8')) as { owner: string }).owner;

async function acquire(state: string, ...flags: string[]): Promise<string> {
  const taken = await run(['lease', 'acquire', 'cluster', cluster, '--json', ...flags], { state });
  expect(taken.code).toBe(0);
  return (JSON.parse(taken.stdout) as { id: string }).id;
}

describe('writing verbs respect the lease (built bin)', () => {
  beforeAll(requireBuiltCli);

  it("refuse during someone else's lease with its info, write as its holder, wait with --lock-timeout", async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const id = await acquire(url, '--owner', 'ci-42', '--operation', 'upgrade', '--ttl', '5m');
    const before = configOf(dir);

    const refused = await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.31.0'], { state: url });
    expect(refused.code).toBe(5);
    for (const text of [
      'Lease info:',
      `ID:        ${id}`,
      'Who:       "ci-42"',
      'Operation: "upgrade"',
      '--lock-timeout',
    ])
      expect(refused.stderr).toContain(text);
    expect(configOf(dir)).toBe(before);
    for (const args of [
      ['delete', 'cluster', cluster, '--yes'],
      ['delete', 'ig', 'nodes', '--name', cluster, '--yes'],
      ['unset', 'cluster', cluster, 'spec.sshAccess'],
      ['patch', 'cluster', cluster, '-p', '{"spec":{"kubernetesVersion":"1.31.0"}}'],
      ['delete', 'sshpublickey', cluster],
    ]) {
      const other = await run(args, { state: url });
      expect([args.join(' '), other.code]).toEqual([args.join(' '), 5]);
      expect(other.stderr).toContain('"ci-42"');
    }
    expect(existsSync(path.join(dir, cluster, 'instancegroup', 'nodes'))).toBe(true);
    expect(configOf(dir)).toBe(before);
    expect(ownerOf(dir)).toBe('ci-42'); // none of them took or removed the lease

    // A dry run writes nothing: not stopped.
    expect(
      (await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.31.0', '--dry-run'], { state: url })).code,
    ).toBe(0);

    // The holder, by id (another process of the pipeline that took it).
    const asHolder = await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.31.0', '--lease-id', id], {
      state: url,
    });
    expect(asHolder.code).toBe(0);
    expect(configOf(dir)).toContain('kubernetesVersion: 1.31.0');
    expect(ownerOf(dir)).toBe('ci-42');
    const byEnv = await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.31.1'], {
      state: url,
      env: { STATESTORE_LEASE_ID: id },
    });
    expect(byEnv.code).toBe(0);

    // --lock-timeout: waits, and writes once the holder releases.
    const started = Date.now();
    const waiting = run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.32.0', '--lock-timeout', '30s'], {
      state: url,
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await run(['lease', 'release', 'cluster', cluster, '--owner', 'ci-42'], { state: url })).code).toBe(0);
    const waited = await waiting;
    expect(waited.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(configOf(dir)).toContain('kubernetesVersion: 1.32.0');
    expect(existsSync(leaseFile(dir))).toBe(false); // the set's own lease is released

    // A short --lock-timeout gives up with the holder named.
    await acquire(url, '--owner', 'ci-43');
    const gaveUp = await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.33.0', '--lock-timeout', '1s'], {
      state: url,
    });
    expect(gaveUp.code).toBe(5);
    expect(gaveUp.stderr).toContain('"ci-43"');
  });

  it('Ctrl-C (SIGINT) during a long write releases the lease the verb took (exit 130)', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    // 5000 files: deleting them takes a while on file://, time enough to interrupt.
    const many = path.join(dir, cluster, 'addons', 'many');
    mkdirSync(many, { recursive: true });
    for (let i = 0; i < 5000; i++) writeFileSync(path.join(many, `f${i}`), 'x');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
    const child = spawn(process.execPath, [CLI, 'delete', 'cluster', cluster, '--yes', '--state', url], { env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!existsSync(leaseFile(dir)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const leaseWhileRunning = ownerOf(dir);
    // Interrupt once the deletion is under way (a fixed delay raced it on an idle machine).
    while (readdirSync(many).length === 5000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(leaseWhileRunning).toMatch(/ pid \d+$/);
    expect(stderr).toContain(`interrupted: released the lease on cluster "${cluster}"`);
    expect(existsSync(leaseFile(dir))).toBe(false);
    // Interrupted before the end: files of the cluster are left (the config goes first, as kops deletes it).
    expect(readdirSync(many).length).toBeGreaterThan(0);
  });

  it('lease acquire --wait gets the lease once its holder releases it', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    await acquire(url, '--owner', 'first');
    const waiting = run(['lease', 'acquire', 'cluster', cluster, '--owner', 'second', '--wait', '30s'], { state: url });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ownerOf(dir)).toBe('first');
    expect((await run(['lease', 'release', 'cluster', cluster, '--owner', 'first'], { state: url })).code).toBe(0);
    expect((await waiting).code).toBe(0);
    expect(ownerOf(dir)).toBe('second');
  });

  it('a lease taken with `lease acquire` (user@host) does not block the same user', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    await acquire(url);
    const own = await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.31.0'], { state: url });
    expect(own.code).toBe(0);
    expect(configOf(dir)).toContain('kubernetesVersion: 1.31.0');
    expect(existsSync(leaseFile(dir))).toBe(true); // still the user's lease
    expect((await run(['lease', 'release', 'cluster', cluster], { state: url })).code).toBe(0);
  });

  it('release --force removes only the lease its id names; show prints the holder', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const id = await acquire(url, '--owner', 'ci-42', '--operation', 'upgrade');
    const shown = await run(['lease', 'show', 'cluster', cluster], { state: url });
    for (const line of [`ID:        ${id}`, 'Who:       "ci-42"', 'Operation: "upgrade"', 'Host:', 'Expires:'])
      expect(shown.stdout).toContain(line);

    const wrong = await run(['lease', 'release', 'cluster', cluster, '--force', 'f'.repeat(32)], { state: url });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain('nothing removed');
    expect(ownerOf(dir)).toBe('ci-42');
    const noId = await run(['lease', 'release', 'cluster', cluster, '--force'], { state: url });
    expect(noId.code).toBe(5);
    expect(noId.stderr).toContain(`--force ${id}`);
    expect(ownerOf(dir)).toBe('ci-42');
    const right = await run(['lease', 'release', 'cluster', cluster, '--force', id], { state: url });
    expect(right.code).toBe(0);
    expect(existsSync(leaseFile(dir))).toBe(false);
  });

  it('refuses a ttl out of range and a missing cluster, leaving no lease; create cluster respects a lease left at the name', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const huge = await run(['lease', 'acquire', 'cluster', cluster, '--ttl', '999999999h'], { state: url });
    expect(huge.code).toBe(2);
    const week = await run(['lease', 'acquire', 'cluster', cluster, '--ttl', '200h'], { state: url });
    expect(week.code).toBe(4);
    expect(week.stderr).toContain('168h');
    const missing = await run(['lease', 'acquire', 'cluster', 'missing.example.com'], { state: url });
    expect(missing.code).toBe(3);
    expect(existsSync(leaseFile(dir))).toBe(false);
    expect(existsSync(path.join(dir, 'missing.example.com'))).toBe(false);

    // create cluster cannot lease what does not exist, but a live lease of someone else at the name stops it.
    const name = 'new.example.com';
    const left = path.join(dir, name, 'backups', 'statestore', 'lease');
    mkdirSync(path.dirname(left), { recursive: true });
    const now = Date.now();
    const lease = { kind: 'statestore.lease/v1', owner: 'other', token: 'c'.repeat(32), ttlMs: 600_000 };
    const times = { acquiredAt: new Date(now).toISOString(), renewedAt: new Date(now).toISOString() };
    writeFileSync(left, JSON.stringify({ ...lease, ...times, expiresAt: new Date(now + 600_000).toISOString() }));
    const create = ['create', 'cluster', name, '--cloud', 'aws', '--zones', 'us-east-1a'];
    const refused = await run(create, { state: url });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('Who:       "other"');
    expect(existsSync(path.join(dir, name, 'config'))).toBe(false);
    expect((await run([...create, '--no-lease'], { state: url })).code).toBe(0);
  });
});

describe('edit: its temporary file and a misbehaving editor', () => {
  beforeAll(requireBuiltCli);

  /** An editor script: `body` runs with the file as $1; it logs the file's mode to $0.mode first. */
  function editor(body: string): string {
    const file = path.join(tempDir(), 'editor.sh');
    writeFileSync(file, `#!/bin/sh\nstat -c %a "$1" > "$0.mode"\n${body}\n`, { mode: 0o755 });
    return file;
  }

  it('removes the temporary copy after a save, keeps it 0600 meanwhile, and holds the lease as "edit"', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const tmp = tempDir();
    const show = `"${process.execPath}" "${path.resolve('dist/cli.js')}" lease show cluster ${cluster} --json --state "${url}" > "$0.lease"`;
    const script = editor(`${show}\nsed -i 's/kubernetesVersion: .*/kubernetesVersion: 1.31.0/' "$1"`);
    const edited = await run(['edit', 'cluster', cluster], { state: url, env: { EDITOR: script, TMPDIR: tmp } });
    expect(edited.code).toBe(0);
    expect(configOf(dir)).toContain('kubernetesVersion: 1.31.0');
    expect(readFileSync(`${script}.mode`, 'utf8').trim()).toBe('600');
    expect(JSON.parse(readFileSync(`${script}.lease`, 'utf8'))).toMatchObject({ leased: true, operation: 'edit' });
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(leaseFile(dir))).toBe(false);
  });

  it('renews the lease while the editor is open, and saves under it', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const show = `"${process.execPath}" "${path.resolve('dist/cli.js')}" lease show cluster ${cluster} --json --state "${url}"`;
    // ttl 3 s: renewed every second; the editor stays open 2.3 ttls. (A 1 s ttl lapsed once on a
    // machine at load 13, where a renewal's write could wait longer than the ttl.)
    const script = editor(
      `${show} > "$0.first"\nsleep 7\n${show} > "$0.second"\n` +
        `sed -i 's/kubernetesVersion: .*/kubernetesVersion: 1.31.0/' "$1"`,
    );
    const edited = await run(['edit', 'cluster', cluster], {
      state: url,
      env: { EDITOR: script, STATESTORE_LEASE_TTL: '3s' },
    });
    expect(edited.code).toBe(0);
    type Shown = { id: string; renewedAt: string; expired: boolean };
    const first = JSON.parse(readFileSync(`${script}.first`, 'utf8')) as Shown;
    const second = JSON.parse(readFileSync(`${script}.second`, 'utf8')) as Shown;
    expect(second.id).toBe(first.id);
    expect(second.expired).toBe(false);
    expect(Date.parse(second.renewedAt) - Date.parse(first.renewedAt)).toBeGreaterThanOrEqual(4_000);
    expect(configOf(dir)).toContain('kubernetesVersion: 1.31.0');
    expect(existsSync(leaseFile(dir))).toBe(false);
  });

  it('SIGTERM while the editor is open ends the edit (143): the editor gets it, the lease is released', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const before = configOf(dir);
    const tmp = tempDir();
    const script = editor('echo $$ > "$0.pid"\nexec sleep 30');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', EDITOR: script, TMPDIR: tmp };
    const child = spawn(process.execPath, [CLI, 'edit', 'cluster', cluster, '--state', url], { env, stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!existsSync(`${script}.pid`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(leaseFile(dir))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('edit interrupted: nothing was written');
    expect(existsSync(leaseFile(dir))).toBe(false);
    expect(configOf(dir)).toBe(before);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('an editor that removes its file, or leaves a folder, gets a clear error and nothing is written', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const before = configOf(dir);
    for (const [body, what] of [
      ['rm "$1"', 'removed'],
      ['rm "$1"; mkdir "$1"', 'replaced with a folder'],
    ] as const) {
      const tmp = tempDir();
      const result = await run(['edit', 'cluster', cluster], {
        state: url,
        env: { EDITOR: editor(body), TMPDIR: tmp },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the editor ${what}`);
      expect(result.stderr).toContain('nothing was written');
      expect(result.stderr).not.toMatch(/ENOENT|EISDIR/);
      expect(readdirSync(tmp)).toEqual([]);
    }
    expect(configOf(dir)).toBe(before);
    expect(existsSync(leaseFile(dir))).toBe(false);
  });

  it('keeps the copy (0600) when the error message points at it', async () => {
    const { url } = makeStore([MINIMAL]);
    const tmp = tempDir();
    const result = await run(['edit', 'cluster', cluster], {
      state: url,
      env: { EDITOR: editor('exit 3'), TMPDIR: tmp },
    });
    expect(result.code).toBe(1);
    const kept = /a copy of your changes is in (\S+)/.exec(result.stderr)?.[1];
    expect(kept).toBeDefined();
    expect(statSync(kept!).mode & 0o777).toBe(0o600);
    mkdirSync(path.join(tmp, 'unrelated'));
    expect(readdirSync(tmp).filter((name) => name.startsWith('statestore-edit-'))).toHaveLength(1);
  });
});

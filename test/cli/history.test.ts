/**
 * `statestore history` and `statestore rollback` (the built bin, on a file:// store of kops's
 * tree): revisions numbered helm-style, author and reason recorded for CLI writes, rollback by
 * number, back one, and to what is stored (nothing written), a kops-style write shown as an
 * external change, the table newest first across documents on a real pseudo-terminal, and two
 * racing writes listed in the order they were written rather than recorded.
 */
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openVfs } from '../../src/backends/registry.js';
import { REPO_ROOT } from '../helpers/index.js';
import { raceAfterKopsWrite } from '../store/racing-writers.js';
import { CLI, MINIMAL, makeStore, requireBuiltCli, run, tempDir } from './harness.js';

const cluster = MINIMAL.cluster;
const configOf = (dir: string): string => readFileSync(path.join(dir, cluster, 'config'), 'utf8');

interface JsonEntry {
  id: string;
  revision: number;
  kind: string;
  operation: string;
  time: string;
  reason?: string;
  author?: string;
  diff?: string;
}

async function historyJson(url: string, ...args: string[]): Promise<JsonEntry[]> {
  const result = await run(['history', 'cluster', cluster, '-o', 'json', ...args], { state: url });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as JsonEntry[];
}

/** Runs the bin on a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
function onTerminal(args: string[], state: string): Promise<string> {
  const command = [process.execPath, CLI, ...args, '--state', state];
  const quoted = command.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' };
  const child = spawn('script', ['-qefc', quoted, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', () => resolve(output)));
}

describe('statestore history / rollback (built bin)', () => {
  beforeAll(requireBuiltCli);

  it('numbers revisions, records author and reason, rolls back to a number, back one, and not to what is stored', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const original = configOf(dir);
    for (const version of ['1.30.0', '1.31.0', '1.32.0']) {
      const set = await run(
        ['set', 'cluster', cluster, `spec.kubernetesVersion=${version}`, '--reason', `to ${version}`],
        {
          state: url,
        },
      );
      expect(set.code).toBe(0);
    }
    const entries = await historyJson(url, '--diff');
    expect(entries.map((e) => [e.revision, e.operation, e.reason])).toEqual([
      [4, 'update', 'to 1.32.0'],
      [3, 'update', 'to 1.31.0'],
      [2, 'update', 'to 1.30.0'],
      [1, 'external', undefined],
    ]);
    expect(entries[0]!.author).toBe(`${userInfo().username}@${hostname()}`);
    expect(entries[0]!.diff).toContain('+  kubernetesVersion: 1.32.0');

    const shown = await run(['history', 'cluster', cluster, '--show', '1'], { state: url });
    expect(shown.stdout).toBe(original);

    const dry = await run(['rollback', 'cluster', cluster, '--to', '1'], { state: url });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('-  kubernetesVersion: 1.32.0');
    expect(dry.stderr).toContain('--yes');
    expect(configOf(dir)).not.toBe(original);

    const real = await run(
      ['rollback', 'cluster', cluster, '--to', '1', '--reason', 'undo', '--author', 'ops', '--yes'],
      {
        state: url,
      },
    );
    expect(real.code).toBe(0);
    expect(real.stderr).toContain('rolled back to config revision 1 as revision 5');
    // The line an operator reads instead of "/metadata/generation".
    expect(real.stderr).toContain('metadata.generation counts on from the stored one, as kops counts it');
    expect(configOf(dir).replace(/\n {2}generation: \d+/, '')).toBe(original);
    expect((await historyJson(url))[0]).toMatchObject({
      revision: 5,
      operation: 'rollback',
      reason: 'undo',
      author: 'ops',
    });

    // Rolling back to what is stored writes nothing and says so.
    const before = configOf(dir);
    const same = await run(['rollback', 'cluster', cluster, '--to', '5', '--yes'], { state: url });
    expect(same.code).toBe(0);
    expect(same.stderr).toContain('config revision 5 is what is stored: nothing to roll back, nothing written');
    expect(configOf(dir)).toBe(before);
    expect(await historyJson(url)).toHaveLength(5);

    // No revision: back one, from 5 to 4.
    const back = await run(['rollback', 'cluster', cluster, '--yes', '--json'], { state: url });
    expect(JSON.parse(back.stdout)).toMatchObject({ changed: true, revision: 4, recordedRevision: 6 });
    // kops's etcd rules of an update, not run without the cloud's etcd clusters (docs/changing-a-cluster.md).
    expect((JSON.parse(back.stdout) as { skippedRules: { source: string }[] }).skippedRules).toContainEqual(
      expect.objectContaining({ source: 'pkg/apis/kops/validation/cluster.go:83' }),
    );
    expect(configOf(dir)).toContain('kubernetesVersion: 1.32.0');

    // export copies the cluster's folder, history included.
    const exported = tempDir();
    expect((await run(['export', cluster, '--to', exported], { state: url })).code).toBe(0);
    expect(readdirSync(path.join(exported, cluster, 'backups/statestore/history/config'))).toHaveLength(5);
  });

  it('shows a kops-style write as an external change; the table is newest first across documents on a terminal', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    expect((await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.30.0'], { state: url })).code).toBe(0);
    const group = (await run(['get', 'ig', '--name', cluster, '-o', 'json'], { state: url })).stdout;
    // A node group: kops refuses a control-plane group's maxSize above 1 (instancegroup.go).
    const groups = JSON.parse(group) as Array<{ metadata: { name: string }; spec: { role?: string } }>;
    const name = groups.find((g) => g.spec.role === 'Node')!.metadata.name;
    expect(
      (await run(['set', 'ig', name, '--name', cluster, 'spec.maxSize=7', '--reason', 'grow'], { state: url })).code,
    ).toBe(0);
    // kops edit cluster: an unconditional rewrite of the whole file.
    writeFileSync(path.join(dir, cluster, 'config'), configOf(dir).replace('1.30.0', '1.30.7'));

    const table = await onTerminal(['history', 'cluster', cluster], url);
    const lines = table.split(/\r?\n/).filter((line) => line.trim() !== '');
    expect(lines[0]).toMatch(/^TIME\s+DOCUMENT\s+REVISION\s+OPERATION\s+AUTHOR\s+REASON\s+ID/);
    const rows = lines.slice(1).map((line) => line.split(/\t+/));
    // An external change is dated when statestore first saw it: kops's original group at the
    // group's first statestore write, the edit above by the file's modification time.
    expect(rows.map((row) => [row[1], row[2], row[3]])).toEqual([
      ['config', '3', 'external'],
      [`ig/${name}`, '2', 'update'],
      [`ig/${name}`, '1', 'external'],
      ['config', '2', 'update'],
      ['config', '1', 'external'],
    ]);
    const times = rows.map((row) => row[0]!);
    expect(times).toEqual([...times].sort().reverse());
    const diff = await run(['history', 'cluster', cluster, '--kind', 'config', '--diff', '--limit', '1'], {
      state: url,
    });
    expect(diff.stdout).toContain('# config revision 3: external');
    expect(diff.stdout).toContain('+  kubernetesVersion: 1.30.7');
  });

  it('lists two racing writes in write order on a terminal (the second recorded first); back one is the slow write', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    // Written: kops's tree, first, kops's edit, slow, other; recorded: first, other (4), slow (6).
    const { texts } = await raceAfterKopsWrite(await openVfs(url), cluster);
    const table = await onTerminal(['history', 'cluster', cluster, '--kind', 'config'], url);
    const rows = table
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .slice(1)
      .map((line) => line.split(/\t+/));
    expect(rows.map((row) => [row[2], row[3]])).toEqual([
      ['4', 'update'],
      ['6', 'update'],
      ['5', 'external'],
      ['2', 'update'],
      ['1', 'external'],
    ]);
    // The same order as -o json, whose reasons say which write each is.
    const json = await historyJson(url, '--kind', 'config');
    expect(json.map((e) => e.reason)).toEqual(['other', 'slow', undefined, 'first', undefined]);
    expect(rows.map((row) => row[row.length - 1])).toEqual(json.map((e) => e.id.slice(cluster.length + 1)));
    // --diff: each revision against the one before it in write order, in the table's order.
    const diff = (await run(['history', 'cluster', cluster, '--kind', 'config', '--diff'], { state: url })).stdout;
    const sections = diff.split(/^(?=# config revision )/m).filter((part) => part.startsWith('# '));
    expect(sections.map((section) => /^# config revision (\d+)/.exec(section)![1])).toEqual(['4', '6', '5', '2', '1']);
    // What each added, of the three changes (the generation line aside: merges count it on, as kops does).
    const marks = ['+    other: c', '+    slow: b', '+  kubernetesVersion: v1.34.0'];
    const added = (section: string) => marks.filter((mark) => section.split('\n').includes(mark));
    expect(sections.slice(0, 3).map(added)).toEqual(marks.map((mark) => [mark]));

    const back = await run(['rollback', 'cluster', cluster, '--yes', '--restore-generation', '--json'], { state: url });
    expect(JSON.parse(back.stdout)).toMatchObject({ changed: true, revision: 6, recordedRevision: 7 });
    expect(configOf(dir)).toBe(texts.slow);
  });

  it('rolls back entries written by the previous format (test/fixtures/history-v1)', async () => {
    const dir = tempDir();
    cpSync(path.join(REPO_ROOT, 'test/fixtures/history-v1'), dir, { recursive: true });
    const state = pathToFileURL(dir).href;
    const legacy = 'legacy.example.com';
    const listed = await run(['history', 'cluster', legacy, '--kind', 'config', '-o', 'json'], { state });
    expect((JSON.parse(listed.stdout) as JsonEntry[]).map((e) => [e.revision, e.operation])).toEqual([
      [4, 'rollback'],
      [3, 'update'],
      [2, 'update'],
      [1, 'create'],
    ]);
    const back = await run(['rollback', 'cluster', legacy, '--to', '3', '--yes'], { state });
    expect(back.code).toBe(0);
    expect(back.stderr).toContain('rolled back to config revision 3 as revision 5');
    expect(readFileSync(path.join(dir, legacy, 'config'), 'utf8')).toContain('kubernetesVersion: 1.34.0');
  });

  it('exits with the typed error codes: unknown revision 3, malformed 4, bad usage 2', async () => {
    const { dir, url } = makeStore([MINIMAL]);
    const before = configOf(dir);
    expect((await run(['set', 'cluster', cluster, 'spec.kubernetesVersion=1.30.0'], { state: url })).code).toBe(0);
    const after = configOf(dir);
    const unknown = await run(['rollback', 'cluster', cluster, '--to', 'config/0000000000000-00000000', '--yes'], {
      state: url,
    });
    expect(unknown.code).toBe(3);
    expect((await run(['rollback', 'cluster', cluster, '--to', '9', '--yes'], { state: url })).code).toBe(3);
    const malformed = await run(['rollback', 'cluster', cluster, '--to', '../../secrets/x', '--yes'], { state: url });
    expect(malformed.code).toBe(4);
    expect(malformed.stderr).toContain('malformed history entry id');
    const usage = await run(['history', 'ig', 'nodes'], { state: url });
    expect(usage.code).toBe(2);
    expect(configOf(dir)).toBe(after);
    expect(after).not.toBe(before);
  });
});

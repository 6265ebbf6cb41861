/**
 * `statestore apply` and `export` as a mirror (issue #28), built bin on file:// stores of the three
 * kops trees: export then apply writes nothing (every file's bytes and mtime compared, no lease
 * left, exit 0); one field edited in the folder writes that document only; a deleted group file
 * is deleted by `--prune` only; an invalid edit writes nothing (exit 4), while a store already
 * breaking a kops rule still applies (only new violations refused, issue #26); `--dry-run
 * --detailed-exitcode` exits 0 or 2 and `--json` lists each document's action; a re-export
 * removes only files an export wrote, keeps `.git/` and a README, and rewrites nothing unchanged.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TREES } from '../store/trees.js';
import { makeStore, MINIMAL, requireBuiltCli, run, tempDir } from './harness.js';

beforeAll(requireBuiltCli);

/** Every file under `dir` (relative path) with its bytes and mtime: what "nothing written" compares. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(full);
      else files.set(path.relative(dir, full), `${statSync(full).mtimeMs} ${readFileSync(full, 'base64')}`);
    }
  };
  visit(dir);
  return files;
}

/** The files that differ between two snapshots (added, removed or changed), sorted. */
function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => before.get(key) !== after.get(key)).sort();
}

const notHistory = (file: string) => !file.includes(`${path.sep}backups${path.sep}statestore${path.sep}history`);

interface PlanJson {
  cluster: string;
  changed: boolean;
  dryRun: boolean;
  documents: Array<{ kind: string; name: string; action: string; diff: string }>;
}

function actions(stdout: string): string[] {
  return (JSON.parse(stdout) as PlanJson[]).flatMap((plan) =>
    plan.documents.map((doc) => `${doc.kind} ${doc.name} ${doc.action}`),
  );
}

describe.each(TREES.map((tree) => [tree.name, tree] as const))('export then apply on the %s tree', (_name, tree) => {
  it('is a no-op: exit 0, every stored file untouched, no lease left; dry run says unchanged', async () => {
    const store = makeStore([tree]);
    const to = path.join(tempDir(), 'git');
    expect((await run(['export', tree.cluster, '--to', to], { state: store.url })).code).toBe(0);
    const before = snapshot(store.dir);
    const plan = await run(['apply', '-f', to, '--prune', '--dry-run', '--detailed-exitcode', '--json'], {
      state: store.url,
    });
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(actions(plan.stdout)).toEqual([
      ...tree.igs.map((name) => `InstanceGroup ${name} unchanged`),
      `Cluster ${tree.cluster} unchanged`,
    ]);
    const applied = await run(['apply', '-f', to, '--prune', '--detailed-exitcode'], { state: store.url });
    expect({ code: applied.code, stderr: applied.stderr }).toEqual({
      code: 0,
      stderr: `cluster "${tree.cluster}": 0 created, 0 updated, 0 deleted, ${tree.igs.length + 1} unchanged\n`,
    });
    expect(changedFiles(before, snapshot(store.dir))).toEqual([]);
  });
});

describe('statestore apply (built bin, file://)', () => {
  const cluster = MINIMAL.cluster;
  const nodesFile = (to: string) => path.join(to, cluster, 'instancegroup', 'nodes');

  async function exported(): Promise<{ store: { dir: string; url: string }; to: string }> {
    const store = makeStore([MINIMAL]);
    const to = path.join(tempDir(), 'git');
    expect((await run(['export', cluster, '--to', to], { state: store.url })).code).toBe(0);
    return { store, to };
  }

  it('one field edited: the plan exits 2 naming that document; apply writes exactly it; then exit 0', async () => {
    const { store, to } = await exported();
    writeFileSync(nodesFile(to), readFileSync(nodesFile(to), 'utf8').replace(/maxSize: \d+/, 'maxSize: 7'));
    const before = snapshot(store.dir);
    const plan = await run(['apply', '-f', to, '--dry-run', '--detailed-exitcode', '--json'], { state: store.url });
    expect(plan.code).toBe(2);
    expect(actions(plan.stdout)).toEqual([
      'InstanceGroup master-us-test-1a unchanged',
      'InstanceGroup nodes update',
      `Cluster ${cluster} unchanged`,
    ]);
    expect((JSON.parse(plan.stdout) as PlanJson[])[0]!.documents[1]!.diff).toMatch(
      /^- {2}maxSize: 1\n\+ {2}maxSize: 7$/m,
    );
    expect(changedFiles(before, snapshot(store.dir))).toEqual([]);
    const applied = await run(['apply', '-f', to, '--detailed-exitcode'], { state: store.url });
    expect(applied.code).toBe(2);
    expect(applied.stdout).toContain('~ InstanceGroup nodes: update');
    const written = changedFiles(before, snapshot(store.dir));
    expect(written.filter(notHistory)).toEqual([path.join(cluster, 'instancegroup', 'nodes')]);
    expect(written.filter((file) => !notHistory(file))).toHaveLength(1);
    expect(readFileSync(path.join(store.dir, cluster, 'instancegroup', 'nodes'), 'utf8')).toMatch(/maxSize: 7/);
    const again = await run(['apply', '-f', to, '--detailed-exitcode'], { state: store.url });
    expect(again.code).toBe(0);
  });

  it('a group file deleted: plain apply keeps the group, --prune deletes only it; re-export removes its file only', async () => {
    const { store, to } = await exported();
    // A new group through apply first (a file added to the folder), then its file removed again.
    const extra = readFileSync(nodesFile(to), 'utf8').replace(/^ {2}name: nodes$/m, '  name: extra');
    writeFileSync(path.join(to, cluster, 'instancegroup', 'extra'), extra);
    const created = await run(['apply', '-f', to, '--json'], { state: store.url });
    expect(actions(created.stdout)).toContain('InstanceGroup extra create');
    mkdirSync(path.join(to, '.git'));
    writeFileSync(path.join(to, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(path.join(to, 'README.md'), '# our clusters\n');
    writeFileSync(path.join(to, cluster, 'NOTES'), 'a file statestore did not write\n');
    expect((await run(['export', cluster, '--to', to], { state: store.url })).code).toBe(0);
    rmSync(path.join(to, cluster, 'instancegroup', 'extra'));
    const kept = await run(['apply', '-f', to, '--detailed-exitcode'], { state: store.url });
    expect(kept.code).toBe(0);
    const before = snapshot(store.dir);
    const pruned = await run(['apply', '-f', to, '--prune', '--json'], { state: store.url });
    expect(actions(pruned.stdout).filter((line) => !line.endsWith('unchanged'))).toEqual([
      'InstanceGroup extra delete',
    ]);
    expect(changedFiles(before, snapshot(store.dir)).filter(notHistory)).toEqual([
      path.join(cluster, 'instancegroup', 'extra'),
    ]);
    // The store lost `extra` (and gained history entries): the mirror drops only that file.
    writeFileSync(path.join(to, cluster, 'instancegroup', 'extra'), extra);
    const exportedAgain = await run(['export', cluster, '--to', to, '--json'], { state: store.url });
    const { removed } = JSON.parse(exportedAgain.stdout) as { removed: string[] };
    expect(removed).toEqual([`${cluster}/instancegroup/extra`]);
    for (const foreign of ['.git/HEAD', 'README.md', `${cluster}/NOTES`])
      expect(readdirSync(path.dirname(path.join(to, foreign)))).toContain(path.basename(foreign));
  });

  it('a tampered manifest removes nothing outside the cluster folder, nor through a symlink', async () => {
    const { store, to } = await exported();
    const outside = tempDir();
    writeFileSync(path.join(outside, 'victim'), 'keep me\n');
    writeFileSync(path.join(to, 'outside.txt'), 'keep me\n');
    mkdirSync(path.join(to, 'other.example.com'));
    writeFileSync(path.join(to, 'other.example.com', 'config'), 'keep me\n');
    symlinkSync(outside, path.join(to, cluster, 'linked'));
    const manifest = path.join(to, cluster, '.statestore-export.json');
    const listed = JSON.parse(readFileSync(manifest, 'utf8')) as { files: string[] };
    const hostile = [`${cluster}/../outside.txt`, 'other.example.com/config', `${cluster}/linked/victim`];
    writeFileSync(manifest, JSON.stringify({ ...listed, files: [...listed.files, ...hostile] }));
    const again = await run(['export', cluster, '--to', to, '--json'], { state: store.url });
    expect({ code: again.code, removed: (JSON.parse(again.stdout) as { removed: string[] }).removed }).toEqual({
      code: 0,
      removed: [],
    });
    for (const file of [
      path.join(outside, 'victim'),
      path.join(to, 'outside.txt'),
      path.join(to, 'other.example.com/config'),
    ])
      expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect(JSON.parse(readFileSync(manifest, 'utf8'))).toEqual(listed);
  });

  it('re-export of an unchanged store rewrites nothing: same bytes, same mtimes, same manifest', async () => {
    const { store, to } = await exported();
    const first = snapshot(to);
    const again = await run(['export', cluster, '--to', to, '--json'], { state: store.url });
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: [], removed: [] });
    expect(changedFiles(first, snapshot(to))).toEqual([]);
    const elsewhere = path.join(tempDir(), 'git');
    await run(['export', cluster, '--to', elsewhere], { state: store.url });
    const bytes = (snap: Map<string, string>) =>
      [...snap].map(([file, entry]) => `${file} ${entry.split(' ')[1]}`).sort();
    expect(bytes(snapshot(elsewhere))).toEqual(bytes(first));
  });

  it("someone else's lease stops apply (exit 5, nothing written) but not its dry run; a lease taken during it is gone after", async () => {
    const { store, to } = await exported();
    writeFileSync(nodesFile(to), readFileSync(nodesFile(to), 'utf8').replace(/maxSize: \d+/, 'maxSize: 4'));
    const leased = await run(['lease', 'acquire', 'cluster', cluster, '--ttl', '10m', '--owner', 'ci-pipeline-42'], {
      state: store.url,
    });
    expect(leased.code).toBe(0);
    const before = snapshot(store.dir);
    const refused = await run(['apply', '-f', to], { state: store.url });
    expect({ code: refused.code, holder: refused.stderr.includes('ci-pipeline-42') }).toEqual({
      code: 5,
      holder: true,
    });
    expect(changedFiles(before, snapshot(store.dir))).toEqual([]);
    const plan = await run(['apply', '-f', to, '--dry-run', '--detailed-exitcode'], { state: store.url });
    expect(plan.code).toBe(2);
    expect(
      (await run(['lease', 'release', 'cluster', cluster, '--owner', 'ci-pipeline-42'], { state: store.url })).code,
    ).toBe(0);
    expect((await run(['apply', '-f', to], { state: store.url })).code).toBe(0);
    expect(readdirSync(path.join(store.dir, cluster, 'backups', 'statestore'))).not.toContain('lease');
  });

  it('an invalid edit writes nothing and exits 4', async () => {
    const { store, to } = await exported();
    writeFileSync(nodesFile(to), readFileSync(nodesFile(to), 'utf8').replace(/maxSize: \d+/, 'maxSize: many'));
    const before = snapshot(store.dir);
    const refused = await run(['apply', '-f', to], { state: store.url });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/maxSize/);
    expect(changedFiles(before, snapshot(store.dir))).toEqual([]);
  });

  it('a store already breaking a kops rule: export then apply exits 0 writing nothing; an unrelated edit applies; a new violation exits 4', async () => {
    const store = makeStore([MINIMAL]);
    // A control-plane group with maxSize 3 (kops: instancegroup.go:71), written around the store.
    const master = path.join(store.dir, cluster, 'instancegroup', 'master-us-test-1a');
    writeFileSync(master, readFileSync(master, 'utf8').replace(/maxSize: 1/, 'maxSize: 3'));
    const to = path.join(tempDir(), 'git');
    expect((await run(['export', cluster, '--to', to], { state: store.url })).code).toBe(0);
    const before = snapshot(store.dir);
    const unchanged = await run(['apply', '-f', to, '--prune', '--detailed-exitcode'], { state: store.url });
    expect({ code: unchanged.code, stderr: unchanged.stderr }).toEqual({
      code: 0,
      stderr: `cluster "${cluster}": 0 created, 0 updated, 0 deleted, 3 unchanged\n`,
    });
    expect(changedFiles(before, snapshot(store.dir))).toEqual([]);
    writeFileSync(nodesFile(to), readFileSync(nodesFile(to), 'utf8').replace(/maxSize: \d+/, 'maxSize: 7'));
    const unrelated = await run(['apply', '-f', to], { state: store.url });
    expect({ code: unrelated.code, stdout: unrelated.stdout }).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('~ InstanceGroup nodes: update'),
    });
    expect(changedFiles(before, snapshot(store.dir)).filter(notHistory)).toEqual([
      path.join(cluster, 'instancegroup', 'nodes'),
    ]);
    const applied = snapshot(store.dir);
    writeFileSync(nodesFile(to), readFileSync(nodesFile(to), 'utf8').replace(/- us-test-1a/, '- us-test-1z'));
    const refused = await run(['apply', '-f', to], { state: store.url });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(
      'spec.networking.subnets[0]: Not found: "us-test-1z" [kops pkg/apis/kops/validation/instancegroup.go:284]',
    );
    expect(refused.stderr).not.toContain('maxSize');
    expect(changedFiles(applied, snapshot(store.dir))).toEqual([]);
  });

  it('create cluster and apply of a new cluster write spec.configBase as kops does ({store}/{cluster})', async () => {
    const store = makeStore([]);
    const created = await run(['create', 'cluster', 'dev.example.com', '--cloud', 'aws', '--zones', 'us-east-1a'], {
      state: store.url,
    });
    expect(created.code).toBe(0);
    expect(readFileSync(path.join(store.dir, 'dev.example.com', 'config'), 'utf8')).toContain(
      `configBase: ${store.url}/dev.example.com\n`,
    );
    const yaml = await run(['get', 'cluster', 'dev.example.com', '-o', 'yaml'], { state: store.url });
    const groups = await run(['get', 'ig', '--name', 'dev.example.com', '-o', 'yaml'], { state: store.url });
    const input = `${yaml.stdout.replace(/^ {2}configBase: .*\n/m, '').replace(/dev\.example\.com/g, 'new.example.com')}---\n${groups.stdout.replace(/dev\.example\.com/g, 'new.example.com')}`;
    const applied = await run(['apply', '-f', '-', '--json'], { state: store.url, input });
    expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
    expect(actions(applied.stdout).every((line) => line.endsWith(' create'))).toBe(true);
    expect(readFileSync(path.join(store.dir, 'new.example.com', 'config'), 'utf8')).toContain(
      `configBase: ${store.url}/new.example.com\n`,
    );
  });
});

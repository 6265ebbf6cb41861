/**
 * file:// -> file:// moves copy through worker threads (issue #29.3, src/migrate/file-copy/): an
 * abort mid-batch leaves no partial visible file and a rerun completes; copies are create-only
 * (a different destination file is kept unless `overwrite`); a worker that dies fails the move
 * with a StateStoreError and loses nothing; and the workers' own checks (read-back, durability)
 * are tested on their functions with an fs that lies or counts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/errors.js';
import { FileCopies } from '../../src/migrate/file-copy/copies.js';
import type { Job, JobResult } from '../../src/migrate/file-copy/protocol.js';
import { runWorkerBatch, workerFlush } from '../../src/migrate/file-copy/worker-code.js';
import { syncfsAvailable } from '../../src/backends/file/sync-fs.js';
import {
  CLUSTER,
  config,
  countBatches,
  expectWholeCopies,
  failureOf,
  seed,
  TEMP,
  walk,
  workerDeps,
} from '../helpers/file-moves.js';
import { spySyncfs } from '../helpers/syncfs-spy.js';
import { moveStateStore } from '../../src/migrate/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

afterEach(removeTempDirs);

it('copies through workers only when both stores are the file backend itself', async () => {
  const source = await seed(40);
  const batches = countBatches();
  try {
    const direct = await moveStateStore({ from: source.url, to: `file://${await tempDir('move-workers-')}` });
    expect(direct.clusters[0]).toMatchObject({ copied: 41, skipped: 0 });
    expect(batches.count()).toBeGreaterThan(0);
    // A view of a store (a wrapper, a fault injector) keeps its own behaviour: no workers.
    const before = batches.count();
    const target = await openVfs(`file://${await tempDir('move-workers-')}`);
    const viewed = await moveStateStore({ from: source.url, to: Object.create(target) as Vfs });
    expect(viewed.clusters[0]).toMatchObject({ copied: 41, skipped: 0 });
    expect(batches.count()).toBe(before);
    await target.close();
  } finally {
    batches.restore();
  }
});

it('stops at an abort mid-batch with no partial file visible, and a rerun completes the move', async () => {
  const source = await seed(300, 6);
  const destination = await tempDir('move-workers-');
  const controller = new AbortController();
  const failure = await failureOf(
    moveStateStore({
      from: source.url,
      to: `file://${destination}`,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'file') controller.abort();
      },
    }),
  );
  expect(isStateStoreError(failure, 'Aborted')).toBe(true);
  const left = await expectWholeCopies(source.dir, destination);
  expect(left.filter((file) => path.basename(file).startsWith(TEMP))).toEqual([]);
  expect(left).not.toContain(`${CLUSTER}/config`);

  const rerun = await moveStateStore({ from: source.url, to: `file://${destination}` });
  expect(rerun.clusters[0]!.copied + rerun.clusters[0]!.skipped).toBe(307);
  expect((await expectWholeCopies(source.dir, destination)).sort()).toEqual((await walk(source.dir)).sort());
});

it('is create-only: a different destination file is kept, and replaced only with overwrite', async () => {
  const source = await seed(20);
  const destination = await tempDir('move-workers-');
  const victim = path.join(destination, CLUSTER, 'pki', 'f7');
  fs.mkdirSync(path.dirname(victim), { recursive: true });
  fs.writeFileSync(victim, 'theirs');
  const failure = await failureOf(moveStateStore({ from: source.url, to: `file://${destination}` }));
  expect(isStateStoreError(failure, 'AlreadyExists')).toBe(true);
  expect(fs.readFileSync(victim, 'utf8')).toBe('theirs');
  expect(fs.existsSync(path.join(destination, CLUSTER, 'config'))).toBe(false);

  const replaced = await moveStateStore({ from: source.url, to: `file://${destination}`, overwrite: true });
  expect(replaced.clusters[0]).toMatchObject({ files: 21 });
  expect(fs.readFileSync(victim).equals(fs.readFileSync(path.join(source.dir, CLUSTER, 'pki', 'f7')))).toBe(true);
});

it('leaves a file that appeared after the listing to the move, which refuses to replace it', async () => {
  const source = await seed(1);
  const destination = await tempDir('move-workers-');
  const [from, to] = [await openVfs(source.url), await openVfs(`file://${destination}`)];
  const copies = FileCopies.open(from, to, undefined)!;
  try {
    const info = await from.stat(`${CLUSTER}/pki/f0`);
    await to.write(`${CLUSTER}/pki/f0`, 'arrived meanwhile');
    const ctx = { from, to, overwrite: false, verify: true, durability: 'deferred' as const };
    // Listed absent, found taken by the worker's link(): the Vfs path decides (AlreadyExists there).
    expect(await copies.copy({ source: info, listed: null }, ctx, CLUSTER)).toBe('main');
    expect(Buffer.from((await to.read(`${CLUSTER}/pki/f0`)).body).toString()).toBe('arrived meanwhile');
    expect((await walk(destination)).filter((file) => path.basename(file).startsWith(TEMP))).toEqual([]);
  } finally {
    await copies.close();
    await Promise.all([from.close(), to.close()]);
  }
});

it('lists a store in a worker exactly as the file backend lists it', async () => {
  const dir = await tempDir('move-workers-');
  const vfs = await openVfs(`file://${dir}`);
  // Names whose UTF-16 and UTF-8 orders differ, a folder next to a file of its prefix, nesting.
  const keys = ['b/x', 'b.x/y', 'b-z', 'a/\u{1F600}', 'a/\uFB01', 'a/z', 'c/d/e/f', 'c/d/e.txt', 'cd'];
  for (const key of keys) await vfs.write(key, key);
  fs.writeFileSync(path.join(dir, 'b', `${TEMP}left`), 'a temp file is no key');
  fs.symlinkSync(path.join(dir, 'cd'), path.join(dir, 'c', 'link')); // a symlink is no object either
  const other = await openVfs(`file://${await tempDir('move-workers-')}`);
  const copies = FileCopies.open(vfs, other, undefined)!;
  try {
    for (const prefix of [undefined, 'a/', 'b', 'c/d/', 'none/']) {
      const options = prefix === undefined ? {} : { prefix };
      const expected = [];
      for await (const info of vfs.listAll(options)) expected.push(info);
      const listed = [];
      for await (const page of copies.listPages(vfs, options)) listed.push(...page);
      expect(listed).toEqual(expected);
    }
    // Both stores of the move, and only those, are listed by the workers (a view goes its own way).
    const view = Object.create(vfs) as Vfs;
    const batches = countBatches();
    try {
      for await (const page of copies.listPages(view, {})) for (const info of page) expect(keys).toContain(info.key);
      expect(batches.count()).toBe(0);
    } finally {
      batches.restore();
    }
  } finally {
    await copies.close();
    await Promise.all([vfs.close(), other.close()]);
  }
});

it('fails with a StateStoreError when a worker dies mid-batch, and loses nothing', async () => {
  const source = await seed(200);
  const destination = await tempDir('move-workers-');
  const before = await walk(source.dir);
  // The first batch sent: its worker is ended under it, as a crash would.
  const original = Worker.prototype.postMessage;
  const spy = jest.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args) {
    original.apply(this, args);
    spy.mockRestore();
    void this.terminate();
  });
  const failure = await failureOf(moveStateStore({ from: source.url, to: `file://${destination}` }));
  spy.mockRestore();
  expect(isStateStoreError(failure, 'Unknown')).toBe(true);
  expect((failure as Error).message).toMatch(/file copy worker stopped/);
  expect(await walk(source.dir)).toEqual(before);
  const left = (await expectWholeCopies(source.dir, destination)).filter((f) => !path.basename(f).startsWith(TEMP));
  expect(left).not.toContain(`${CLUSTER}/config`);

  const rerun = await moveStateStore({ from: source.url, to: `file://${destination}` });
  expect(rerun.clusters[0]!.copied + rerun.clusters[0]!.skipped).toBe(201);
  const copied = (await expectWholeCopies(source.dir, destination)).filter((f) => !path.basename(f).startsWith(TEMP));
  expect(copied.sort()).toEqual(before.sort());
});

it('reports a copy that reads back other bytes than were read from the source as an integrity failure', async () => {
  const [from, to] = [await tempDir('move-workers-'), await tempDir('move-workers-')];
  fs.writeFileSync(path.join(from, 'small'), crypto.randomBytes(1000));
  fs.writeFileSync(path.join(from, 'large'), crypto.randomBytes(200 * 1024)); // several chunks
  // The temp files (opened 'wx+') read back with their last byte flipped: a disk that lies.
  const temps = new Set<number>();
  const lying = {
    ...fs,
    openSync: (file: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
      const fd = fs.openSync(file, flags, mode);
      if (flags === 'wx+') temps.add(fd);
      return fd;
    },
    readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
      const n = fs.readSync(fd, buffer, offset, length, position);
      if (temps.has(fd) && n > 0 && n < length) buffer[offset + n - 1]! ^= 0xff;
      return n;
    },
  } as unknown as typeof fs;
  const jobs: Job[] = ['small', 'large'].map((name) => ({
    kind: 'create',
    source: path.join(from, name),
    target: path.join(to, 'c', name),
    durability: 'none',
    verify: true,
  }));
  const results = runWorkerBatch(workerDeps(from, to, lying), { id: 1, jobs });
  expect(results).toEqual([
    expect.objectContaining({ ok: false, integrity: true, linked: true }),
    expect.objectContaining({ ok: false, integrity: true, linked: true }),
  ]);
  // Told apart from a true copy by the same functions with an honest fs.
  fs.rmSync(path.join(to, 'c'), { recursive: true });
  expect(runWorkerBatch(workerDeps(from, to), { id: 2, jobs }).map((r) => r.ok)).toEqual([true, true]);
});

it('refuses a source or destination folder that resolves outside its store (symlink)', async () => {
  const [from, to, elsewhere] = await Promise.all([1, 2, 3].map(() => tempDir('move-workers-')));
  fs.writeFileSync(path.join(elsewhere!, 'secret'), 'outside');
  fs.symlinkSync(elsewhere!, path.join(from!, 'link'));
  fs.symlinkSync(elsewhere!, path.join(to!, 'out'));
  fs.writeFileSync(path.join(from!, 'ok'), 'inside');
  const job = (source: string, target: string): Job => ({
    kind: 'create',
    source,
    target,
    durability: 'none',
    verify: true,
  });
  const results = runWorkerBatch(workerDeps(from!, to!), {
    id: 1,
    jobs: [
      job(path.join(from!, 'link', 'secret'), path.join(to!, 'a')),
      job(path.join(from!, 'ok'), path.join(to!, 'out', 'ok')),
    ],
  });
  expect(results.map((r) => (r.ok ? 'ok' : r.errno))).toEqual(['EOUTSIDE', 'EOUTSIDE']);
  expect(fs.readdirSync(elsewhere!)).toEqual(['secret']);
  expect(fs.existsSync(path.join(to!, 'a'))).toBe(false);
});

it('makes deferred copies durable by the flush: every file, then each folder once, after an abort too', async () => {
  const [from, to] = [await tempDir('move-workers-'), await tempDir('move-workers-')];
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(from, `f${i}`), `file ${i}`);
  const synced: string[] = [];
  const paths = new Map<number, string>();
  const counting = {
    ...fs,
    open: (file: string, flags: string, callback: (err: NodeJS.ErrnoException | null, fd: number) => void) =>
      fs.open(file, flags, (err, fd) => {
        if (err === null) paths.set(fd, file);
        callback(err, fd);
      }),
    fsync: (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
      synced.push(paths.get(fd)!);
      fs.fsync(fd, callback);
    },
  } as unknown as typeof fs;
  const deps = workerDeps(from, to, counting);
  const jobs: Job[] = Array.from({ length: 20 }, (_, i) => ({
    kind: 'create',
    source: path.join(from, `f${i}`),
    target: path.join(to, i < 10 ? 'x' : 'y', `f${i}`),
    durability: 'later',
    verify: true,
  }));
  expect(runWorkerBatch(deps, { id: 1, jobs }).every((r) => r.ok)).toBe(true);
  // Aborted meanwhile: the flush still syncs (what was linked stays, and must be durable).
  Atomics.store(deps.abort, 0, 1);
  const answer = await new Promise<JobResult>((resolve) => workerFlush(deps, resolve));
  expect(answer).toEqual({ ok: true });
  const targets = jobs.map((job) => (job as { target: string }).target);
  expect(synced.slice(0, 20).sort()).toEqual(targets.sort());
  expect(synced.slice(20).sort()).toEqual([path.join(to, 'x'), path.join(to, 'y')]);
});

it('makes deferred copies durable by one syncfs of their folders before the config (Linux 5.8+)', async () => {
  const source = await seed(30);
  const destination = await tempDir('move-workers-');
  const runs: Array<{ folders: string[]; configThere: boolean }> = [];
  const spy = spySyncfs(false, (folders) =>
    runs.push({ folders, configThere: fs.existsSync(path.join(destination, CLUSTER, 'config')) }),
  );
  try {
    const result = await moveStateStore({ from: source.url, to: `file://${destination}` });
    expect(result.clusters[0]).toMatchObject({ copied: 31, skipped: 0 });
  } finally {
    spy.restore();
  }
  // Elsewhere the workers fsync each file (the test above): no syncfs is asked for.
  const expected = syncfsAvailable() ? [{ folders: [path.join(destination, CLUSTER, 'pki')], configThere: false }] : [];
  expect(runs).toEqual(expected);
});

it('fsyncs file by file when syncfs fails, and the move completes', async () => {
  const source = await seed(30);
  const destination = await tempDir('move-workers-');
  const handle = await fs.promises.open(path.join(destination, 'probe'), 'w');
  const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
  await handle.close();
  fs.rmSync(path.join(destination, 'probe'));
  const synced = jest.spyOn(proto, 'sync');
  const runs: string[][] = [];
  const spy = spySyncfs(true, (folders) => runs.push(folders));
  try {
    const result = await moveStateStore({ from: source.url, to: `file://${destination}` });
    expect(result.clusters[0]).toMatchObject({ copied: 31, skipped: 0 });
    // Asked once, then the 30 copies and their folder fsynced from here (elsewhere: by the workers).
    expect(runs.length).toBe(syncfsAvailable() ? 1 : 0);
    if (syncfsAvailable()) expect(synced.mock.calls.length).toBeGreaterThanOrEqual(31);
  } finally {
    spy.restore();
    synced.mockRestore();
  }
  expect((await expectWholeCopies(source.dir, destination)).sort()).toEqual((await walk(source.dir)).sort());
});

it('syncs the copies of each cluster before its config when many clusters finish together', async () => {
  const dir = await tempDir('move-workers-');
  const vfs = await openVfs(`file://${dir}`);
  const clusters = Array.from({ length: 12 }, (_, i) => `c${i}.example.com`);
  for (const cluster of clusters) {
    for (let i = 0; i < 4; i++) await vfs.write(`${cluster}/pki/f${i}`, crypto.randomBytes(256));
    await vfs.write(`${cluster}/config`, config(vfs.url).replaceAll(CLUSTER, cluster));
  }
  await vfs.close();
  const destination = await tempDir('move-workers-');
  // Each syncfs, with the configs already at the destination when it started.
  const runs: Array<{ folders: string[]; configs: string[] }> = [];
  const configsThere = () => clusters.filter((cluster) => fs.existsSync(path.join(destination, cluster, 'config')));
  const spy = spySyncfs(false, (folders) => runs.push({ folders, configs: configsThere() }));
  try {
    const result = await moveStateStore({ from: `file://${dir}`, to: `file://${destination}` });
    expect(result.clusters.map((c) => c.copied)).toEqual(clusters.map(() => 5));
  } finally {
    spy.restore();
  }
  const synced = (cluster: string) =>
    runs.some((run) => run.folders.includes(path.join(destination, cluster, 'pki')) && !run.configs.includes(cluster));
  expect(clusters.filter((cluster) => !synced(cluster))).toEqual(syncfsAvailable() ? [] : clusters);
  expect(runs.length).toBeLessThanOrEqual(syncfsAvailable() ? clusters.length : 0); // shared, or one each
});

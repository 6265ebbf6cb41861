/**
 * file:// -> file:// copies in batches (issue #29.3): a cluster's files listed absent go to a
 * worker as one job (FileCopies.copyMany, workerCopies) with flat results; a file failing midway
 * still ends the move as the move's own path ends it, an abort midway keeps what was copied
 * whole, and a rerun whose kept digests match sends the workers nothing but the listings.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { fileStamp } from '../../src/backends/file/stamp.js';
import { isStateStoreError } from '../../src/errors.js';
import { Worker } from 'node:worker_threads';
import { CopyOutcome, type Job, type WorkerBatch, type WorkerReply } from '../../src/migrate/file-copy/protocol.js';
import { runWorkerBatch } from '../../src/migrate/file-copy/worker-code.js';
import { moveStateStore } from '../../src/migrate/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { CLUSTER, countBatches, expectWholeCopies, failureOf, seed, TEMP, workerDeps } from '../helpers/file-moves.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

afterEach(removeTempDirs);

/** A move of `source` by the workers, or through a view of each store (`viaVfs`: the move's own path, no workers). */
async function moveOf(source: string, destination: string, viaVfs: boolean, onPlan: () => void): Promise<unknown> {
  const [from, to] = [await openVfs(source), await openVfs(`file://${destination}`)];
  try {
    const view = (vfs: Vfs) => (viaVfs ? (Object.create(vfs) as Vfs) : vfs);
    const onProgress = (event: { type: string }) => event.type === 'plan' && onPlan();
    return await failureOf(moveStateStore({ from: view(from), to: view(to), onProgress }));
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
}

it('ends a batch with a file failing midway as the move without workers ends: the same error, the rest whole', async () => {
  const source = await seed(60);
  const failures: unknown[] = [];
  for (const viaVfs of [false, true]) {
    // After the listing, before any copy (the config is still being read): a file of the batch
    // is gone at the source.
    const destination = await tempDir('move-workers-');
    const gone = path.join(source.dir, CLUSTER, 'pki', 'f40');
    const kept = fs.readFileSync(gone);
    failures.push(await moveOf(source.url, destination, viaVfs, () => fs.rmSync(gone)));
    fs.writeFileSync(gone, kept);
    const left = await expectWholeCopies(source.dir, destination);
    expect(left.filter((file) => path.basename(file).startsWith(TEMP) || file.endsWith('/config'))).toEqual([]);
    expect(left).not.toContain(`${CLUSTER}/pki/f40`);
    if (!viaVfs) expect(left.length).toBe(59); // the batch's other files were copied
  }
  const [byWorkers, byVfs] = failures as [Error, Error];
  expect(isStateStoreError(byWorkers, 'NotFound')).toBe(true);
  expect([(byWorkers as { code?: unknown }).code, byWorkers.message]).toEqual([
    (byVfs as { code?: unknown }).code,
    byVfs.message,
  ]);
});

it('copies a batch in one job: an abort midway keeps the files copied before it, whole, and starts no other', async () => {
  const [from, to] = [await tempDir('move-workers-'), await tempDir('move-workers-')];
  for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(from, `f${i}`), `file ${i}`);
  let links = 0;
  const deps = workerDeps(from, to, {
    ...fs,
    linkSync: (existing: fs.PathLike, name: fs.PathLike) => {
      fs.linkSync(existing, name);
      if (++links === 4) Atomics.store(deps.abort, 0, 1); // aborted once the 4th file is linked, before its check
    },
  } as typeof fs);
  const keys = Array.from({ length: 10 }, (_, i) => `f${i}`).join('\0');
  const job: Job = { kind: 'copies', keys, count: 10, durability: 'none', verify: true };
  const [result] = runWorkerBatch(deps, { id: 1, jobs: [job] });
  const copies = result!.ok ? result!.copies! : undefined;
  // CopyOutcome: copied (0), aborted after the link (5: whole, to be synced), aborted (3).
  expect([...copies!.outcomes]).toEqual([0, 0, 0, 5, 3, 3, 3, 3, 3, 3]);
  // The copied files' digests and identities come back flat: the MD5 of each source, and its copy's.
  const md5 = (i: number) => crypto.createHash('md5').update(`file ${i}`).digest('hex');
  expect(copies!.md5s.slice(0, 64)).toBe(md5(0) + md5(0));
  expect(copies!.stamps.split('\0')[0]).toBe(fileStamp(fs.statSync(path.join(from, 'f0'), { bigint: true })));
  expect(fs.readdirSync(to).sort()).toEqual(['f0', 'f1', 'f2', 'f3']);
});

it("copies every file in the workers' batches, and a rerun whose kept digests match sends them only the listings", async () => {
  const source = await seed(50);
  const destination = await tempDir('move-workers-');
  const digestFolder = await tempDir('move-workers-');
  // The copy: every file in the workers' batches, none failed there (a failure would go the move's
  // own way, which copies it too, and hide a worker that cannot run a job).
  const emit = jest.spyOn(Worker.prototype, 'emit');
  let replies: WorkerReply[];
  try {
    const copy = await moveStateStore({ from: source.url, to: `file://${destination}`, digestFolder });
    expect(copy.clusters[0]).toMatchObject({ copied: 51 });
    replies = emit.mock.calls.filter(([event]) => event === 'message').map(([, reply]) => reply as WorkerReply);
  } finally {
    emit.mockRestore();
  }
  const results = replies.flatMap((reply) => reply.results);
  expect(results.filter((result) => !result.ok)).toEqual([]);
  const outcomes = results.flatMap((result) => (result.ok && result.copies ? [...result.copies.outcomes] : []));
  expect(outcomes).toEqual(Array.from({ length: 50 }, () => CopyOutcome.copied));
  const batches = countBatches();
  try {
    const rerun = await moveStateStore({ from: source.url, to: `file://${destination}`, digestFolder });
    expect(rerun.clusters[0]).toMatchObject({ copied: 0, skipped: 51 });
    expect(batches.count()).toBeLessThanOrEqual(2);
  } finally {
    batches.restore();
  }
});

it('keeps the files in the workers within `concurrency`: a batch counts as its files', async () => {
  const source = await seed(60);
  const destination = await tempDir('move-workers-');
  // Files of the copy jobs sent and not yet answered.
  let inFlight = 0;
  let peak = 0;
  const { postMessage, emit } = Worker.prototype;
  Worker.prototype.postMessage = function (this: Worker, batch: WorkerBatch) {
    for (const job of batch.jobs) if (job.kind === 'copies') inFlight += job.count;
    peak = Math.max(peak, inFlight);
    postMessage.call(this, batch);
  };
  Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: unknown[]) {
    const results = event === 'message' ? (args[0] as WorkerReply).results : [];
    for (const result of results) if (result.ok && result.copies) inFlight -= result.copies.outcomes.length;
    return emit.call(this, event, ...args);
  };
  try {
    const moved = await moveStateStore({ from: source.url, to: `file://${destination}`, concurrency: 10 });
    expect(moved.clusters[0]).toMatchObject({ copied: 61 });
  } finally {
    Object.assign(Worker.prototype, { postMessage, emit });
  }
  expect(peak).toBeGreaterThan(0);
  expect(peak).toBeLessThanOrEqual(10);
});

/**
 * What the tests of the file:// copy workers share (test/migrate/file-workers.test.ts,
 * file-batches.test.ts): a seeded one-cluster store, walks of a folder, the check that copies
 * are whole, a count of the messages sent to workers, a worker's functions on this thread.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { openVfs } from '../../src/backends/registry.js';
import { fileStamp } from '../../src/backends/file/stamp.js';
import { compareKeys } from '../../src/backends/common/paging.js';
import type { WorkerDeps } from '../../src/migrate/file-copy/protocol.js';
import { workerCopyJobs, workerPackCopies, workerStats } from '../../src/migrate/file-copy/worker-batch.js';
import { workerList } from '../../src/migrate/file-copy/worker-list.js';
import { tempDir } from './temp-dir.js';

export const CLUSTER = 'a.example.com';
export const TEMP = '.statestore-tmp-';

export const config = (base: string) =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${CLUSTER}\nspec:\n  configBase: ${base}/${CLUSTER}\n`;

/** A file store with one cluster: `small` files of 1 KiB, `large` of 3 MiB (several chunks each), a config. */
export async function seed(small: number, large = 0): Promise<{ dir: string; url: string }> {
  const dir = await tempDir('move-workers-');
  const vfs = await openVfs(`file://${dir}`);
  for (let i = 0; i < small; i++) await vfs.write(`${CLUSTER}/pki/f${i}`, crypto.randomBytes(1024));
  for (let i = 0; i < large; i++) await vfs.write(`${CLUSTER}/backups/b${i}`, crypto.randomBytes(3 * 1024 * 1024));
  await vfs.write(`${CLUSTER}/config`, config(vfs.url));
  await vfs.close();
  return { dir, url: `file://${dir}` };
}

/** Every file under `dir` (relative paths), temp files included. */
export async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Every file of `to` is whole: byte for byte the source's (the config: rewritten), no partial or foreign file. */
export async function expectWholeCopies(from: string, to: string): Promise<string[]> {
  const files = await walk(to);
  for (const file of files.filter((name) => name !== `${CLUSTER}/config`)) {
    const [copy, original] = [await readFile(path.join(to, file)), await readFile(path.join(from, file))];
    expect([file, copy.equals(original)]).toEqual([file, true]);
  }
  return files;
}

export const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

/** Counts the batches the move sends to workers (their postMessage calls). */
export function countBatches(): { count: () => number; restore: () => void } {
  const spy = jest.spyOn(Worker.prototype, 'postMessage');
  return { count: () => spy.mock.calls.length, restore: () => spy.mockRestore() };
}

/** A worker's functions on this thread, with `fsImpl` for Node's fs. */
export function workerDeps(sourceRoot: string, targetRoot: string, fsImpl: typeof fs = fs): WorkerDeps {
  return {
    fs: fsImpl,
    path,
    crypto,
    setup: { sourceRoot, targetRoot, tempPrefix: TEMP, abort: new SharedArrayBuffer(4) },
    abort: new Int32Array(4),
    buffer: Buffer.allocUnsafe(64 * 1024),
    later: { queue: [], running: 0, limit: 8, folders: new Set(), failure: undefined, idle: [] },
    names: { random: 'r', count: 0 },
    calls: {
      list: workerList,
      copyJobs: workerCopyJobs,
      packCopies: workerPackCopies,
      stats: workerStats,
      compareKeys,
      stamp: fileStamp,
    },
  };
}

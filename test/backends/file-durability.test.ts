/**
 * The file backend's deferred writes (`WriteOptions.durability: 'deferred'`, issue #17): no
 * fsync on the write itself; every deferred file and its folder are synced before the next
 * durable write takes effect, or in close(). fsync is counted on Node's FileHandle, the only way
 * the backend syncs (a file, or a folder opened read-only).
 */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { syncfsAvailable } from '../../src/backends/file/sync-fs.js';
import { spySyncfs } from '../helpers/syncfs-spy.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

let dir: string;
let syncs: string[];
let spy: jest.SpyInstance;

beforeEach(async () => {
  dir = await tempDir('file-durability-');
  // Every FileHandle shares one prototype: spy there, recording which path each sync was for.
  const probe = await open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  syncs = [];
  const original = proto.sync;
  spy = jest.spyOn(proto, 'sync').mockImplementation(function (this: { fd: number }) {
    syncs.push(String(this.fd));
    return original.call(this);
  });
});
afterEach(async () => {
  spy.mockRestore();
  await removeTempDirs();
});

it('syncs nothing on a deferred write, then the batch and its folder before the next durable write', async () => {
  const vfs = await openVfs(`file://${dir}/store`);
  for (let i = 0; i < 5; i++) await vfs.write(`c/pki/f${i}`, `body ${i}`, { durability: 'deferred' });
  expect(syncs).toHaveLength(0);
  // Readers see every deferred write whole at once (temp file + rename, as ever).
  expect(Buffer.from((await vfs.read('c/pki/f3')).body).toString()).toBe('body 3');
  expect((await readdir(path.join(dir, 'store/c/pki'))).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);

  await vfs.write('c/config', 'config', { ifNoneMatch: '*' });
  // 5 files + their folder (the batch), then the config's own temp file and its folder.
  expect(syncs).toHaveLength(5 + 1 + 2);
  await vfs.close();
  expect(syncs).toHaveLength(8); // nothing left to sync
});

it('close() syncs the deferred writes; without them it syncs nothing', async () => {
  const vfs = await openVfs(`file://${dir}/store`);
  await vfs.write('a/one', '1', { durability: 'deferred' });
  await vfs.write('b/two', '2', { durability: 'deferred' });
  const stream = async function* () {
    yield Buffer.from('three');
  };
  await vfs.writeStream('b/three', stream(), { durability: 'deferred' });
  expect(syncs).toHaveLength(0);
  await vfs.close();
  expect(syncs).toHaveLength(3 + 2); // three files, folders a and b
  const again = await openVfs(`file://${dir}/store`);
  await again.close();
  expect(syncs).toHaveLength(5);
});

it('a deferred file deleted before the batch is synced does not fail the durable write', async () => {
  const vfs = await openVfs(`file://${dir}/store`);
  await vfs.write('c/gone', 'x', { durability: 'deferred' });
  await vfs.write('c/kept', 'y', { durability: 'deferred' });
  await vfs.delete('c/gone');
  await expect(vfs.write('c/config', 'config')).resolves.toMatchObject({ key: 'c/config', size: 6 });
  expect(syncs).toHaveLength(1 + 1 + 2); // c/kept, folder c, then the config and folder c
  await vfs.close();
});

it('with fsync: false nothing is ever synced, deferred or not', async () => {
  const vfs = await openVfs(`file://${dir}/store`, { file: { fsync: false } });
  await vfs.write('c/a', 'x', { durability: 'deferred' });
  await vfs.write('c/config', 'config');
  await vfs.close();
  expect(syncs).toHaveLength(0);
});

it('a failed batch sync fails the durable write and stays pending for the next one', async () => {
  const vfs = await openVfs(`file://${dir}/store`);
  await vfs.write('c/a', 'x', { durability: 'deferred' });
  await vfs.write('c/b', 'y', { durability: 'deferred' });
  spy.mockImplementationOnce(() => Promise.reject(Object.assign(new Error('I/O error'), { code: 'EIO' })));
  await expect(vfs.write('c/config', 'config')).rejects.toMatchObject({ name: 'StateStoreError' });
  await expect(vfs.stat('c/config')).rejects.toMatchObject({ code: 'NotFound' });
  syncs.length = 0;
  await vfs.write('c/config', 'config');
  expect(syncs).toHaveLength(2 + 1 + 2); // both files again, folder c, then the config and folder c
  await vfs.close();
});

it('syncs a large batch by one syncfs of its folders (Linux 5.8+), a small one file by file', async () => {
  const runs: string[][] = [];
  const spawned = spySyncfs(false, (folders) => runs.push(folders));
  try {
    const vfs = await openVfs(`file://${dir}/store`);
    for (let i = 0; i < 100; i++) await vfs.write(`c/pki/f${i}`, `body ${i}`, { durability: 'deferred' });
    await vfs.write('c/config', 'config');
    // The config's own temp file and its folder either way; the 100 files and their folder by fsyncs elsewhere.
    expect(runs).toEqual(syncfsAvailable() ? [[path.join(dir, 'store/c/pki')]] : []);
    expect(syncs).toHaveLength(syncfsAvailable() ? 2 : 100 + 1 + 2);
    await vfs.write('c/pki/g', 'small batch', { durability: 'deferred' });
    await vfs.close();
    expect(runs).toHaveLength(syncfsAvailable() ? 1 : 0);
  } finally {
    spawned.restore();
  }
});

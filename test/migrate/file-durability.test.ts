/**
 * file:// -> file:// moves (issue #17): a cluster's files are written with deferred durability
 * and its config durably after them (which syncs them first), only where the config is written
 * for sure; small files are copied whole, large ones streamed, and either way a copy that does
 * not hold the source's bytes fails the move with IntegrityError.
 */
import { open } from 'node:fs/promises';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/errors.js';
import { moveStateStore } from '../../src/migrate/index.js';
import type { ObjectInfo, Vfs, WriteOptions } from '../../src/vfs/types.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

afterEach(removeTempDirs);

const config = (base: string, cluster: string) =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${cluster}\nspec:\n  configBase: ${base}/${cluster}\n`;

/** A file:// store with one cluster: `small` files of 1 KiB and one file of 200 KiB. */
async function fileStore(small: number): Promise<Vfs> {
  const vfs = await openVfs(`file://${await tempDir('move-durability-')}`);
  for (let i = 0; i < small; i++) await vfs.write(`a.example.com/pki/f${i}`, Buffer.alloc(1024, 97 + (i % 26)));
  await vfs.write('a.example.com/backups/large', Buffer.alloc(200 * 1024, 'L'));
  await vfs.write('a.example.com/config', config(vfs.url, 'a.example.com'));
  return vfs;
}

/** A view of `vfs` recording the durability each write asked for, by key. */
function recording(vfs: Vfs, asked: Map<string, WriteOptions['durability']>): Vfs {
  const record =
    (method: 'write' | 'writeStream') =>
    (key: string, body: never, options?: WriteOptions): Promise<ObjectInfo> => {
      asked.set(key, options?.durability);
      return (vfs[method] as (k: string, b: never, o?: WriteOptions) => Promise<ObjectInfo>).call(
        vfs,
        key,
        body,
        options,
      );
    };
  return Object.create(vfs, {
    write: { value: record('write') },
    writeStream: { value: record('writeStream') },
  }) as Vfs;
}

it('defers the files of a cluster whose config is written after them, never the config', async () => {
  const source = await fileStore(5);
  const target = await openVfs(`file://${await tempDir('move-durability-')}`);
  const asked = new Map<string, WriteOptions['durability']>();
  const result = await moveStateStore({ from: source, to: recording(target, asked) });
  expect(result.clusters[0]).toMatchObject({ copied: 7, skipped: 0 });
  const config = 'a.example.com/config';
  expect(asked.get(config)).toBe('immediate');
  expect([...asked].filter(([key]) => key !== config).map(([, durability]) => durability)).toEqual(
    Array(6).fill('deferred'),
  );

  // The destination has the config already: a changed file is written durably (the config may
  // be found identical and not written, so nothing would sync a deferred write before success).
  await source.write('a.example.com/pki/f0', Buffer.alloc(1024, 'z'));
  asked.clear();
  const rerun = await moveStateStore({ from: source, to: recording(target, asked), overwrite: true });
  expect(rerun.clusters[0]).toMatchObject({ copied: 1, skipped: 6 });
  expect([...asked]).toEqual([['a.example.com/pki/f0', undefined]]);
  expect(Buffer.from((await target.read('a.example.com/pki/f0')).body).equals(Buffer.alloc(1024, 'z'))).toBe(true);
});

it.each([
  ['a small file (copied whole)', 'a.example.com/pki/f1'],
  ['a large file (streamed)', 'a.example.com/backups/large'],
])('fails with IntegrityError when the copy of %s does not hold the bytes sent', async (_what, victim) => {
  const source = await fileStore(3);
  const target = await openVfs(`file://${await tempDir('move-durability-')}`);
  // The destination keeps one byte of the victim wrong while reporting the write a success
  // (with no digest of what it holds: the move must read it back).
  const corrupt = async (key: string, written: Promise<ObjectInfo>): Promise<ObjectInfo> => {
    const info = await written;
    if (key !== victim) return info;
    const body = Buffer.from((await target.read(key)).body);
    body[body.length - 1] = body[body.length - 1]! ^ 0xff;
    await target.write(key, body);
    return { ...info, md5: undefined, changeStamp: undefined };
  };
  const lying = Object.create(target, {
    write: { value: (k: string, b: Uint8Array, o?: WriteOptions) => corrupt(k, target.write(k, b, o)) },
    writeStream: { value: (k: string, b: never, o?: WriteOptions) => corrupt(k, target.writeStream(k, b, o)) },
  }) as Vfs;
  const failure = await moveStateStore({ from: source, to: lying, retry: { maxAttempts: 1 } }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isStateStoreError(failure, 'IntegrityError')).toBe(true);
  // The cluster is not published: no config at the destination.
  await expect(target.stat('a.example.com/config')).rejects.toMatchObject({ code: 'NotFound' });
});

it('fails with IntegrityError when a small file written whole reads back other bytes than were sent', async () => {
  const source = await fileStore(3);
  const target = await openVfs(`file://${await tempDir('move-durability-')}`);
  // The file backend reads a small write back through its own descriptor, from offset 0, and
  // reports the MD5 of that: the move compares it with what it sent, and reads nothing again.
  const probe = await open(`${await tempDir('move-durability-')}/probe`, 'w');
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const original = proto.read;
  const spy = jest.spyOn(proto, 'read').mockImplementation(async function (this: unknown, ...args: unknown[]) {
    const result = await original.apply(this, args);
    const [buffer, , , position] = args as [Buffer, number, number, number | null];
    if (position === 0 && result.bytesRead > 0) buffer[result.bytesRead - 1]! ^= 0xff;
    return result;
  });
  try {
    // Through a view of the store: the move then writes through the driver (its read-back is what
    // this test is about), not through its file copy workers (their read-back: file-workers.test.ts).
    const view = Object.create(target) as Vfs;
    const failure = await moveStateStore({ from: source, to: view, retry: { maxAttempts: 1 } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isStateStoreError(failure, 'IntegrityError')).toBe(true);
  } finally {
    spy.mockRestore();
  }
  await expect(target.stat('a.example.com/config')).rejects.toMatchObject({ code: 'NotFound' });
});

/**
 * The file backend's change stamp (`ObjectInfo.changeStamp`, issue #17): listings, stats, reads
 * and small writes carry the same stamp for the same state of a file; a same-size rewrite with
 * its mtime set back keeps the version but changes the stamp (what kept digests rely on).
 */
import { stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { stampChangeTimeNs } from '../../src/backends/file/stamp.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

afterEach(removeTempDirs);

it('gives one stamp to one state of a file, on every call that reports it', async () => {
  const dir = await tempDir('file-stamp-');
  const vfs = await openVfs(`file://${dir}`);
  const written = await vfs.write('c/pki/a', 'hello');
  // A small write read its bytes back: the MD5 of what the file holds, and the stamp of that state.
  expect(written.md5).toBe('5d41402abc4b2a76b9719d911017c592');
  const [listed] = (await vfs.list({ prefix: 'c/' })).objects;
  const { info: read } = await vfs.read('c/pki/a');
  const stated = await vfs.stat('c/pki/a');
  expect(written.changeStamp).toBeDefined();
  expect([listed?.changeStamp, read.changeStamp, stated.changeStamp]).toEqual(Array(3).fill(written.changeStamp));
  expect(stampChangeTimeNs(stated.changeStamp!)).toBe(
    (await stat(path.join(dir, 'c/pki/a'), { bigint: true })).ctimeNs,
  );
  await vfs.close();
});

it('changes the stamp, not the version, when a file is rewritten in place at its size with its mtime set back', async () => {
  const dir = await tempDir('file-stamp-');
  const vfs = await openVfs(`file://${dir}`);
  await vfs.write('c/a', 'hello');
  const file = path.join(dir, 'c/a');
  await utimes(file, 1_700_000_000, 1_700_000_000);
  const before = await vfs.stat('c/a');
  await new Promise((resolve) => setTimeout(resolve, 20)); // past the kernel's coarse clock tick
  await writeFile(file, 'HELLO');
  await utimes(file, 1_700_000_000, 1_700_000_000);
  const after = await vfs.stat('c/a');
  expect(after.version).toBe(before.version);
  expect(after.changeStamp).not.toBe(before.changeStamp);
  await vfs.close();
});

it('reads the change time back from any stamp, and nothing from what is not one', () => {
  for (const ns of [0n, 35n, 1_764_577_031_123_456_789n, 2n ** 64n - 1n])
    expect(stampChangeTimeNs(`1.2.3.${ns.toString(36)}`)).toBe(ns);
  expect(stampChangeTimeNs('no-dot')).toBeUndefined();
  expect(stampChangeTimeNs('1.2.3.')).toBeUndefined();
  expect(stampChangeTimeNs('1.2.3.X!')).toBeUndefined();
});

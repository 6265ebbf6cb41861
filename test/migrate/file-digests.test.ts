/**
 * Reruns between file:// stores compare files by kept digests instead of reading them, and a
 * changed file is never skipped, even at the same size with its mtime set back (issue #17).
 * Clusters move concurrently under one file limit.
 */
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openVfs } from '../../src/backends/registry.js';
import { FileDigests, nowNs, type StatMany } from '../../src/migrate/file-digests.js';
import { moveStateStore } from '../../src/migrate/index.js';
import type { MoveOptions } from '../../src/migrate/index.js';
import type { Vfs } from '../../src/vfs/types.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'statestore-digests-'));
  dirs.push(dir);
  return dir;
}

const config = (base: string, cluster: string) =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${cluster}\nspec:\n  configBase: ${base}/${cluster}\n`;

/** A file:// store with one cluster of `count` files of 100 bytes each. */
async function fileStore(count: number): Promise<{ dir: string; vfs: Vfs }> {
  const dir = await tempDir();
  const vfs = await openVfs(`file://${dir}`);
  for (let i = 0; i < count; i++)
    await vfs.write(`a.example.com/pki/f${i}`, Buffer.alloc(100, String.fromCharCode(97 + (i % 26))));
  await vfs.write('a.example.com/config', config(vfs.url, 'a.example.com'));
  return { dir, vfs };
}

/** A view of `vfs` that counts the bodies read through it. */
function counting(vfs: Vfs, reads: { count: number; keys?: string[] }): Vfs {
  return Object.create(vfs, {
    readStream: {
      value: (key: string, options?: object) => {
        reads.count += 1;
        reads.keys?.push(key);
        return vfs.readStream(key, options);
      },
    },
    read: {
      value: (key: string, options?: object) => {
        reads.count += 1;
        reads.keys?.push(key);
        return vfs.read(key, options);
      },
    },
  }) as Vfs;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 80));

describe('moveStateStore file:// digests', () => {
  it('reruns without reading any file but the config, once the digests are kept', async () => {
    const source = await fileStore(20);
    const destination = await openVfs(`file://${await tempDir()}`);
    const options: MoveOptions = { from: source.vfs, to: destination, digestFolder: await tempDir() };
    expect((await moveStateStore(options)).clusters[0]).toMatchObject({ copied: 21, skipped: 0 });
    await settle();
    const [sourceReads, destinationReads] = [{ count: 0 }, { count: 0, keys: [] as string[] }];
    const rerun = await moveStateStore({
      ...options,
      from: counting(source.vfs, sourceReads),
      to: counting(destination, destinationReads),
    });
    expect(rerun.clusters[0]).toMatchObject({ copied: 0, skipped: 21 });
    // The config is read to rewrite it; nothing else is read on either side, but the destination's
    // config (written last, its digest dropped rather than waited for unless settled by the save).
    expect(sourceReads.count).toBe(1);
    expect(destinationReads.keys.filter((key) => key !== 'a.example.com/config')).toEqual([]);

    const without = { count: 0 };
    await moveStateStore({
      ...options,
      from: counting(source.vfs, without),
      to: counting(destination, without),
      digestFolder: false,
    });
    expect(without.count).toBeGreaterThan(40);
  });

  it.each(['source', 'destination'] as const)(
    'never skips a %s file changed in place at the same size with its mtime set back',
    async (side) => {
      const source = await fileStore(5);
      const destDir = await tempDir();
      const destination = await openVfs(`file://${destDir}`);
      const options: MoveOptions = { from: source.vfs, to: destination, digestFolder: await tempDir() };
      await moveStateStore(options);
      // A whole-second mtime, so that setting it back below restores it exactly.
      const file = path.join(side === 'source' ? source.dir : destDir, 'a.example.com', 'pki', 'f2');
      await utimes(file, 1_700_000_000, 1_700_000_000);
      await settle();
      expect((await moveStateStore(options)).clusters[0]).toMatchObject({ copied: 0, skipped: 6 });
      await settle();
      expect((await moveStateStore(options)).clusters[0]).toMatchObject({ copied: 0, skipped: 6 });

      const before = await stat(file);
      await writeFile(file, Buffer.alloc(100, 'Z'));
      await utimes(file, 1_700_000_000, 1_700_000_000);
      const after = await stat(file);
      expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);

      await expect(moveStateStore(options)).rejects.toMatchObject({ code: 'AlreadyExists' });
      const result = await moveStateStore({ ...options, overwrite: true });
      expect(result.clusters[0]).toMatchObject({ copied: 1, skipped: 5 });
      const expected = side === 'source' ? Buffer.alloc(100, 'Z') : Buffer.alloc(100, 'c');
      expect(await readFile(path.join(destDir, 'a.example.com', 'pki', 'f2'))).toEqual(expected);
    },
  );
});

describe('moveStateStore with a digest folder that cannot be written', () => {
  it('completes the move, and a move that fails reports its own error', async () => {
    const source = await fileStore(5);
    const destination = await openVfs(`file://${await tempDir()}`);
    const blocker = path.join(await tempDir(), 'a-file');
    await writeFile(blocker, 'not a folder');
    // mkdir of the folder fails with ENOTDIR: the digests and the config memo cannot be saved.
    const options: MoveOptions = { from: source.vfs, to: destination, digestFolder: path.join(blocker, 'digests') };
    expect((await moveStateStore(options)).clusters[0]).toMatchObject({ copied: 6, skipped: 0 });
    expect(await readFile(path.join(fileURLToPath(destination.url), 'a.example.com', 'pki', 'f2'))).toEqual(
      Buffer.alloc(100, 'c'),
    );

    await destination.write('a.example.com/pki/f3', 'other bytes');
    await expect(moveStateStore(options)).rejects.toMatchObject({ code: 'AlreadyExists' });
  });
});

describe('FileDigests.save', () => {
  it('keeps a digest whose re-stat came just short of the margin, when the margin is behind by the wait', async () => {
    const vfs = await openVfs(`file://${await tempDir()}`);
    const folder = await tempDir();
    const digests = (await FileDigests.open(vfs, folder))!;
    // Changed 100 ms ago, recorded 1 ms after the change (not settled).
    const ctimeNs = nowNs() - 100_000_000n;
    const identity = { stamp: 'unchanged', ctimeNs, statAtNs: ctimeNs + 1_000_000n };
    const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
    digests.record('a.example.com/pki/f7', identity, md5);
    // The first re-stat was taken 49 ms after the change (still not settled, as a stat whose
    // clock reads whole ms can be), any later one now: the margin is then long behind.
    const statTimes: bigint[] = [];
    const statMany: StatMany = (_root, files) => {
      const statAtNs = statTimes.length === 0 ? ctimeNs + 49_000_000n : nowNs();
      statTimes.push(statAtNs);
      return Promise.resolve(files.map(() => ({ ...identity, statAtNs })));
    };
    await digests.save(statMany);
    expect(statTimes).toHaveLength(2);
    const reopened = (await FileDigests.open(vfs, folder))!;
    expect(reopened.lookup('a.example.com/pki/f7', 'unchanged')).toBe(md5);
  });
});

describe('FileDigests.save with failed re-stats', () => {
  const md5 = (c: string) => c.repeat(32);
  // Changed 100 ms ago: recorded 1 ms after the change (not settled), or 100 ms after (settled).
  const ctimeNs = nowNs() - 100_000_000n;
  const unsettled = (stamp: string) => ({ stamp, ctimeNs, statAtNs: ctimeNs + 1_000_000n });
  const settledIdentity = (stamp: string) => ({ stamp, ctimeNs, statAtNs: ctimeNs + 100_000_000n });

  /** Digests whose folder holds a saved, settled row for `pki/old` (stamp "old-1"), reopened. */
  async function withSavedRow(): Promise<{ vfs: Vfs; folder: string; digests: FileDigests }> {
    const vfs = await openVfs(`file://${await tempDir()}`);
    const folder = await tempDir();
    const first = (await FileDigests.open(vfs, folder))!;
    first.record('a/pki/old', settledIdentity('old-1'), md5('1'));
    await first.save(() => Promise.reject(new Error('no re-stat expected: the entry is settled')));
    const digests = (await FileDigests.open(vfs, folder))!;
    expect(digests.lookup('a/pki/old', 'old-1')).toBe(md5('1'));
    return { vfs, folder, digests };
  }

  it('drops the digest whose re-stat failed, and keeps the others', async () => {
    const { vfs, folder, digests } = await withSavedRow();
    digests.record('a/pki/old', unsettled('old-2'), md5('2'));
    digests.record('a/pki/fine', unsettled('fine-1'), md5('3'));
    digests.record('a/pki/settled', settledIdentity('settled-1'), md5('4'));
    const asked: string[][] = [];
    const statMany: StatMany = (_root, files) => {
      asked.push(files.map((file) => path.basename(file)));
      // The worker's stat of `old` failed (EACCES, EIO: no identity), `fine` is unchanged.
      return Promise.resolve(files.map((file) => (file.endsWith('fine') ? settledIdentity('fine-1') : undefined)));
    };
    await digests.save(statMany);
    expect(asked).toEqual([['old', 'fine']]);
    const reopened = (await FileDigests.open(vfs, folder))!;
    expect(reopened.lookup('a/pki/old', 'old-2')).toBeUndefined();
    expect(reopened.lookup('a/pki/old', 'old-1')).toBeUndefined(); // the row before is not brought back
    expect(reopened.lookup('a/pki/fine', 'fine-1')).toBe(md5('3'));
    expect(reopened.lookup('a/pki/settled', 'settled-1')).toBe(md5('4'));
  });

  it.each([
    [
      'rejects',
      (): ReturnType<StatMany> => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })),
    ],
    [
      'throws',
      (): ReturnType<StatMany> => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    ],
  ])('a stat job that %s drops the digests it was asked about, and still saves the others', async (_, statMany) => {
    const { vfs, folder, digests } = await withSavedRow();
    digests.record('a/pki/old', unsettled('old-2'), md5('2'));
    digests.record('a/pki/settled', settledIdentity('settled-1'), md5('4'));
    await digests.save(statMany);
    const reopened = (await FileDigests.open(vfs, folder))!;
    expect(reopened.lookup('a/pki/old', 'old-2')).toBeUndefined();
    expect(reopened.lookup('a/pki/old', 'old-1')).toBeUndefined();
    expect(reopened.lookup('a/pki/settled', 'settled-1')).toBe(md5('4'));
  });
});

describe('moveStateStore clusters', () => {
  it('moves clusters concurrently, all files under the one concurrency limit', async () => {
    const source = await openVfs(`memfs://clusters-${Date.now()}`);
    const names = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'];
    for (const name of names) {
      for (let i = 0; i < 3; i++) await source.write(`${name}/pki/f${i}`, `${name} ${i}`);
      await source.write(`${name}/config`, config(source.url, name));
    }
    const target = await openVfs(`memfs://clusters-dst-${Date.now()}`);
    const inFlight = new Set<string>();
    let most = 0;
    let clustersAtOnce = 0;
    const slow = async <T>(key: string, write: () => Promise<T>): Promise<T> => {
      inFlight.add(key);
      most = Math.max(most, inFlight.size);
      clustersAtOnce = Math.max(clustersAtOnce, new Set([...inFlight].map((k) => k.split('/')[0])).size);
      await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        return await write();
      } finally {
        inFlight.delete(key);
      }
    };
    const destination: Vfs = Object.create(target, {
      write: { value: (key: string, body: Uint8Array, o?: object) => slow(key, () => target.write(key, body, o)) },
      writeStream: {
        value: (key: string, body: never, o?: object) => slow(key, () => target.writeStream(key, body, o)),
      },
    });
    const result = await moveStateStore({ from: source, to: destination, concurrency: 3 });
    expect(result.clusters.map((c) => [c.cluster, c.copied])).toEqual(names.map((name) => [name, 4]));
    expect(clustersAtOnce).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4); // 3 files + at most one config written outside the file limit
  });
});

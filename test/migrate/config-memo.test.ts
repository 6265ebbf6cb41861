/**
 * With a `digestFolder`, a rerun knows each cluster's rewritten config from the listings (source
 * and destination MD5s as recorded by the run that wrote it) and reads no config; any change to
 * either config, or a missing one, makes it read the source config again as before (issue #17).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import type { ReadOptions, Vfs } from '../../src/vfs/types.js';

const config = (base: string, cluster: string) =>
  `kind: Cluster # kept\nspec:\n  configBase: ${base}/${cluster}\n  keyStore: ${base}/${cluster}/pki\n`;
const NAMES = ['a.example.com', 'b.example.com', 'c.example.com'];

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'config-memo-'));
});
afterEach(async () => rm(folder, { recursive: true, force: true }));

/** The source, counting reads by key (whole, or as the capped stream a config is read with; configs only unless `every`). */
function countingReads(vfs: Vfs, reads: string[], every = false): Vfs {
  return Object.create(vfs, {
    read: {
      value: (key: string, options?: ReadOptions) => {
        if (every || key.endsWith('/config')) reads.push(key);
        return vfs.read(key, options);
      },
    },
    readStream: {
      value: (key: string, options?: ReadOptions) => {
        if (every || key.endsWith('/config')) reads.push(key);
        return vfs.readStream(key, options);
      },
    },
  }) as Vfs;
}

async function stores(): Promise<{ source: Vfs; target: Vfs }> {
  const unique = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const source = await openVfs(`memfs://memo-src-${unique}`);
  for (const name of NAMES) {
    await source.write(`${name}/pki/ca`, `${name} ca`);
    await source.write(`${name}/config`, config(source.url, name));
  }
  return { source, target: await openVfs(`memfs://memo-dst-${unique}`) };
}

describe('moveStateStore with a digestFolder: configs on a rerun', () => {
  it('reads no config on a no-op rerun, and reports the same result', async () => {
    const { source, target } = await stores();
    const reads: string[] = [];
    const first = await moveStateStore({ from: countingReads(source, reads), to: target, digestFolder: folder });
    expect(reads.sort()).toEqual(NAMES.map((name) => `${name}/config`));
    expect((await readdir(folder)).filter((name) => name.startsWith('move-configs-'))).toHaveLength(1);
    reads.length = 0;
    const rerun = await moveStateStore({ from: countingReads(source, reads), to: target, digestFolder: folder });
    expect(reads).toEqual([]);
    for (const [index, cluster] of rerun.clusters.entries()) {
      expect(cluster).toMatchObject({ copied: 0, skipped: 2, rewritten: first.clusters[index]!.rewritten });
      expect(cluster.rewritten).toEqual(['/spec/configBase', '/spec/keyStore']);
    }
    const moved = Buffer.from((await target.read('b.example.com/config')).body).toString('utf8');
    expect(moved).toBe(config(target.url, 'b.example.com'));
  });

  it('reads the config again when the source config changed, the destination one changed or is gone', async () => {
    const { source, target } = await stores();
    await moveStateStore({ from: source, to: target, digestFolder: folder });
    await source.write('a.example.com/config', `${config(source.url, 'a.example.com')}# edited\n`);
    await target.write('b.example.com/config', 'kind: Cluster\n# edited at the destination\n');
    await target.delete('c.example.com/config');
    const reads: string[] = [];
    const rerun = await moveStateStore({
      from: countingReads(source, reads),
      to: target,
      digestFolder: folder,
      overwrite: true,
    });
    expect(reads.sort()).toEqual(NAMES.map((name) => `${name}/config`));
    expect(rerun.clusters.map((c) => c.copied)).toEqual([1, 1, 1]);
    for (const name of NAMES) {
      const expected = Buffer.from((await source.read(`${name}/config`)).body)
        .toString('utf8')
        .split(source.url)
        .join(target.url);
      expect(Buffer.from((await target.read(`${name}/config`)).body).toString('utf8')).toBe(expected);
    }
  });

  it('still refuses a destination config changed since (no overwrite)', async () => {
    const { source, target } = await stores();
    await moveStateStore({ from: source, to: target, digestFolder: folder });
    await target.write('b.example.com/config', 'kind: Cluster\n# edited at the destination\n');
    const rerun = moveStateStore({ from: source, to: target, digestFolder: folder });
    await expect(rerun).rejects.toMatchObject({ code: 'AlreadyExists' });
  });

  it('ignores a memo file it cannot read (the configs are read)', async () => {
    const { source, target } = await stores();
    await moveStateStore({ from: source, to: target, digestFolder: folder });
    for (const name of await readdir(folder)) await writeFile(path.join(folder, name), '{not json');
    const reads: string[] = [];
    const rerun = await moveStateStore({ from: countingReads(source, reads), to: target, digestFolder: folder });
    expect(reads).toHaveLength(NAMES.length);
    expect(rerun.clusters.map((c) => c.skipped)).toEqual([2, 2, 2]);
  });

  it('reads no generated file on a no-op rerun and reports the same stale references; a changed one is read', async () => {
    const { source, target } = await stores();
    const spec = (base: string) => `spec:\n  configBase: ${base}/a.example.com\n`;
    await source.write('a.example.com/cluster-completed.spec', spec(source.url));
    await source.write('a.example.com/manifests/etcd/main.yaml', 'kind: Pod\n');
    const reads: string[] = [];
    const first = await moveStateStore({ from: countingReads(source, reads, true), to: target, digestFolder: folder });
    const stale = ['a.example.com/cluster-completed.spec'];
    expect(first.clusters[0]!.staleReferences).toEqual(stale);
    // Each scanned once, and written from the bytes scanned: no second read for the copy.
    const generated = [...stale, 'a.example.com/manifests/etcd/main.yaml'];
    expect(reads.filter((key) => generated.includes(key)).sort()).toEqual(generated);
    reads.length = 0;
    const rerun = await moveStateStore({ from: countingReads(source, reads, true), to: target, digestFolder: folder });
    expect(reads).toEqual([]);
    expect(rerun.clusters[0]).toMatchObject({ copied: 0, skipped: 4, staleReferences: stale });
    await source.write('a.example.com/manifests/etcd/main.yaml', `kind: Pod # ${source.url}\n`);
    const changed = await moveStateStore({
      from: countingReads(source, reads, true),
      to: target,
      digestFolder: folder,
      overwrite: true,
    });
    expect(reads).toEqual(['a.example.com/manifests/etcd/main.yaml']);
    expect(changed.clusters[0]).toMatchObject({
      copied: 1,
      staleReferences: [...stale, 'a.example.com/manifests/etcd/main.yaml'],
    });
  });
});

/**
 * Issue #14.5: a move between overlapping stores (a symlinked alias, a destination inside the
 * source or the source inside the destination) is refused before anything is written, and
 * `deleteSource` deletes `config` last, so an interrupted deletion is finished by a rerun.
 */
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { assertDisjoint } from '../../src/migrate/overlap.js';
import { openStateStore } from '../../src/store/open.js';
import type { Vfs } from '../../src/vfs/types.js';
import { treeFiles, TREES } from '../store/trees.js';

const tree = TREES[0]!;
const dirs: string[] = [];
let counter = 0;
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'statestore-overlap-'));
  dirs.push(dir);
  return dir;
}

/** A base URL per backend under which stores can be nested: `${base}/real`, `${base}/real/x`... */
const BASES: Array<[string, () => Promise<string>]> = [
  ['memory', async () => `memfs://overlap-${process.pid}-${++counter}`],
  ['file', async () => `file://${await freshDir()}`],
];

async function load(url: string): Promise<{ vfs: Vfs; keys: string[] }> {
  const vfs = await openVfs(url);
  const files = treeFiles(tree);
  for (const [key, body] of files) if (!key.endsWith('/config')) await vfs.write(key, body);
  await vfs.write(`${tree.cluster}/config`, files.get(`${tree.cluster}/config`)!);
  return { vfs, keys: [...files.keys()].sort() };
}

async function keysOf(vfs: Vfs): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of vfs.listAll()) keys.push(info.key);
  return keys.sort();
}

describe.each(BASES)('moveStateStore between overlapping stores (%s)', (_name, base) => {
  it('refuses a destination inside the moved cluster folder, before writing anything', async () => {
    const root = `${await base()}/real`;
    const { vfs, keys } = await load(root);
    const to = `${root}/${tree.cluster}`;
    await expect(moveStateStore({ from: root, to, overwrite: true, deleteSource: true })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('the destination is inside the source'),
    });
    expect(await keysOf(vfs)).toEqual(keys);
  });

  it('refuses a source inside the destination', async () => {
    const outer = await base();
    const { vfs, keys } = await load(`${outer}/inner`);
    await expect(moveStateStore({ from: `${outer}/inner`, to: outer, deleteSource: true })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('the source is inside the destination'),
    });
    expect(await keysOf(vfs)).toEqual(keys);
  });

  it('finishes an interrupted deleteSource on a rerun: config goes last, nothing is orphaned', async () => {
    const outer = await base();
    const { vfs: source, keys } = await load(`${outer}/from`);
    const destination = await openVfs(`${outer}/to`);
    const controller = new AbortController();
    let deletes = 0;
    const aborting: Vfs = Object.create(source, {
      delete: {
        value: async (...args: Parameters<Vfs['delete']>) => {
          if (++deletes === 3) controller.abort();
          return source.delete(...args);
        },
      },
    }) as Vfs;
    await expect(
      moveStateStore({
        from: aborting,
        to: destination,
        deleteSource: true,
        concurrency: 1,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'Aborted' });
    // Part of the source is gone, but its config is not: the cluster is still listed there.
    const left = await keysOf(source);
    expect(left.length).toBeLessThan(keys.length);
    expect(left).toContain(`${tree.cluster}/config`);
    expect(await (await openStateStore(source)).listClusters()).toEqual([tree.cluster]);

    const rerun = await moveStateStore({ from: source, to: destination, deleteSource: true });
    expect(rerun.clusters[0]).toMatchObject({ sourceDeleted: true, copied: 0 });
    expect(await keysOf(source)).toEqual([]);
    expect(await keysOf(destination)).toEqual(keys);
  });
});

describe('moveStateStore through a symlink (file)', () => {
  it('refuses a destination that is a symlink to the source, and deletes nothing', async () => {
    const dir = await freshDir();
    const { vfs, keys } = await load(`file://${dir}/real`);
    await symlink(path.join(dir, 'real'), path.join(dir, 'alias'));
    await expect(
      moveStateStore({ from: `file://${dir}/real`, to: `file://${dir}/alias`, overwrite: true, deleteSource: true }),
    ).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('are the same store') });
    expect(await keysOf(vfs)).toEqual(keys);
    expect(await readdir(path.join(dir, 'real'))).toContain(tree.cluster);
  });

  it('refuses a destination under a symlinked folder that lands inside the source', async () => {
    const dir = await freshDir();
    const { vfs, keys } = await load(`file://${dir}/real`);
    await symlink(path.join(dir, 'real', tree.cluster), path.join(dir, 'into-cluster'));
    await expect(
      moveStateStore({ from: `file://${dir}/real`, to: `file://${dir}/into-cluster/nested` }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(await keysOf(vfs)).toEqual(keys);
  });

  it('still moves between two separate folders whose names share a prefix', async () => {
    const dir = await freshDir();
    const { keys } = await load(`file://${dir}/store`);
    const result = await moveStateStore({ from: `file://${dir}/store`, to: `file://${dir}/store-2` });
    expect(result.clusters[0]!.copied).toBe(keys.length);
  });
});

describe('moveStateStore between overlapping cloud stores (resolved before any request)', () => {
  const s3 = (url: string, endpoint = 'http://127.0.0.1:1', accessKeyId = 'A') =>
    openVfs(url, {
      env: {},
      // dialect given: the probe an S3-compatible endpoint gets at open would be a request.
      s3: { endpoint, region: 'us-east-1', dialect: 'aws', credentials: { accessKeyId, secretAccessKey: 'S' } },
    });
  const gs = (url: string) => openVfs(url, { env: {}, gcs: { apiEndpoint: 'http://127.0.0.1:1', projectId: 'p' } });
  const azure = (url: string) =>
    openVfs(url, {
      env: {},
      azure: { accountKey: Buffer.from('k').toString('base64'), endpoint: 'http://127.0.0.1:1/acct' },
    });

  it.each([
    [
      'a destination inside a cluster folder (s3)',
      () => s3('s3://bucket/store'),
      () => s3(`s3://bucket/store/${tree.cluster}`),
    ],
    [
      'the same bucket and prefix under other credentials (s3)',
      () => s3('s3://bucket/store'),
      () => s3('s3://bucket/store/', undefined, 'B'),
    ],
    ['a source inside the destination (gs)', () => gs('gs://bucket/store/old'), () => gs('gs://bucket/store')],
    [
      'a destination inside the source (azure)',
      () => azure('azureblob://acct/container/store'),
      () => azure('azureblob://acct/container/store/x'),
    ],
  ])('refuses %s', async (_what, from, to) => {
    await expect(moveStateStore({ from: await from(), to: await to(), deleteSource: true })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/overlap|same store/),
    });
  });

  it.each([
    ['sibling prefixes sharing a leading string', () => s3('s3://bucket/store'), () => s3('s3://bucket/store-2')],
    [
      'one bucket name at two endpoints',
      () => s3('s3://bucket/store'),
      () => s3('s3://bucket/store', 'http://127.0.0.1:2'),
    ],
    ['two buckets', () => gs('gs://one/store'), () => gs('gs://two/store')],
  ])('accepts %s', async (_what, from, to) => {
    await expect(assertDisjoint(await from(), await to())).resolves.toBeUndefined();
  });
});

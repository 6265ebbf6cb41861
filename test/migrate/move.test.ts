/**
 * moveStateStore on the three kops trees, between backends: everything arrives byte for byte,
 * except the store URLs rewritten in `config`; a rerun copies nothing.
 */
import { moveStateStore } from '../../src/migrate/index.js';
import { openStateStore } from '../../src/store/open.js';
import { StateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import {
  azureTarget,
  fileTarget,
  gcsTarget,
  memoryTarget,
  rgwTarget,
  s3Target,
  stopAll,
  type BackendTarget,
} from '../backends/targets.js';
import { treeFiles, TREES, type KopsTree } from '../store/trees.js';

afterAll(stopAll);

/**
 * Loads a tree into a fresh store as kops would have written it there: every mention of the
 * tree's original store (`memfs://<base>`, in config, cluster-completed.spec, nodeup configs...)
 * names this store instead.
 */
async function sourceStore(
  target: BackendTarget,
  tree: KopsTree,
): Promise<{ vfs: Vfs; url: string; files: Map<string, Buffer> }> {
  const { vfs, url } = await target.fresh();
  const files = new Map<string, Buffer>();
  for (const [key, body] of treeFiles(tree))
    files.set(key, Buffer.from(body.toString('utf8').split(`memfs://${tree.base}`).join(vfs.url)));
  const configKey = `${tree.cluster}/config`;
  for (const [key, body] of files) if (key !== configKey) await vfs.write(key, body);
  await vfs.write(configKey, files.get(configKey)!);
  return { vfs, url, files };
}

async function snapshot(vfs: Vfs, prefix: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const info of vfs.listAll({ prefix })) out.set(info.key, Buffer.from((await vfs.read(info.key)).body));
  return out;
}

/**
 * The pairs issue 7 names, plus memory at both ends, and Ceph RADOS Gateway at both ends (server-side
 * copies on a real S3 server whose CopyObject ignores conditions: issue 32).
 */
const PAIRS: Array<[BackendTarget, BackendTarget]> = [
  [fileTarget, s3Target],
  [s3Target, s3Target],
  [rgwTarget, rgwTarget],
  [s3Target, gcsTarget],
  [s3Target, azureTarget],
  [azureTarget, fileTarget],
  [memoryTarget, fileTarget],
];

describe.each(PAIRS.map(([a, b]) => [`${a.name} -> ${b.name}`, a, b]))(
  'moveStateStore %s',
  (_label, fromTarget, toTarget) => {
    it.each(TREES.map((t) => [t.name, t]))(
      'moves the %s tree byte for byte, rewrites configBase, and a rerun copies nothing',
      async (_name, tree) => {
        const source = await sourceStore(fromTarget, tree);
        const { vfs: destination } = await toTarget.fresh();
        const before = await snapshot(source.vfs, '');
        const result = await moveStateStore({ from: source.vfs, to: destination, concurrency: 8 });
        const moved = result.clusters[0]!;
        expect(moved).toMatchObject({
          cluster: tree.cluster,
          files: source.files.size,
          copied: source.files.size,
          skipped: 0,
        });
        expect(moved.rewritten).toContain('/spec/configBase');
        // Generated files still name the old store until kops refreshes them.
        expect(moved.staleReferences).toContain(`${tree.cluster}/cluster-completed.spec`);

        const after = await snapshot(destination, '');
        expect([...after.keys()].sort()).toEqual([...source.files.keys()].sort());
        for (const [key, body] of source.files) {
          if (key === `${tree.cluster}/config`) continue;
          expect(after.get(key)!.equals(body)).toBe(true);
        }
        const config = after.get(`${tree.cluster}/config`)!.toString('utf8');
        expect(config).toBe(
          source.files
            .get(`${tree.cluster}/config`)!
            .toString('utf8')
            .replace(`${source.vfs.url}/${tree.cluster}`, `${destination.url}/${tree.cluster}`),
        );
        expect(await (await openStateStore(destination)).listClusters()).toEqual([tree.cluster]);

        // The source is untouched.
        const sourceAfter = await snapshot(source.vfs, '');
        expect([...sourceAfter.keys()]).toEqual([...before.keys()]);
        for (const [key, body] of before) expect(sourceAfter.get(key)!.equals(body)).toBe(true);

        const rerun = await moveStateStore({ from: source.vfs, to: destination });
        expect(rerun.clusters[0]).toMatchObject({ copied: 0, skipped: source.files.size });
        await source.vfs.close();
        await destination.close();
      },
    );
  },
);

describe('moveStateStore options', () => {
  const tree = TREES[0]!;

  it('writes nothing on a dry run, and reports the plan', async () => {
    const source = await sourceStore(memoryTarget, tree);
    const { vfs: destination } = await memoryTarget.fresh();
    const events: string[] = [];
    const result = await moveStateStore({
      from: source.vfs,
      to: destination,
      dryRun: true,
      onProgress: (e) => events.push(e.type),
    });
    expect(result.clusters[0]).toMatchObject({ files: source.files.size, copied: 0 });
    expect((await destination.list()).objects).toEqual([]);
    expect(events).toEqual(['plan', 'cluster']);
  });

  it('streams at most 4 large files at once whatever the concurrency, and reports the plan', async () => {
    const source = await sourceStore(memoryTarget, tree);
    const big = Buffer.alloc(2 * 1024 * 1024, 'x');
    for (let i = 0; i < 12; i++) await source.vfs.write(`${tree.cluster}/backups/large-${i}`, big);
    const { vfs: destination } = await memoryTarget.fresh();
    let streaming = 0;
    let most = 0;
    const counting: Vfs = Object.create(destination, {
      writeStream: {
        value: async (...args: Parameters<Vfs['writeStream']>) => {
          const large = args[0].includes('/backups/large-');
          if (large) most = Math.max(most, ++streaming);
          try {
            return await destination.writeStream(...args);
          } finally {
            if (large) streaming -= 1;
          }
        },
      },
    }) as Vfs;
    const plans: unknown[] = [];
    const result = await moveStateStore({
      from: source.vfs,
      to: counting,
      concurrency: 32,
      onProgress: (e) => e.type === 'plan' && plans.push(e),
    });
    expect(result.clusters[0]).toMatchObject({ copied: source.files.size + 12 });
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
    const bytes = [...source.files.values()].reduce((sum, body) => sum + body.length, 12 * big.length);
    expect(plans).toEqual([{ type: 'plan', cluster: tree.cluster, files: source.files.size + 12, bytes }]);
    for (let i = 0; i < 12; i++)
      expect(Buffer.from((await destination.read(`${tree.cluster}/backups/large-${i}`)).body).equals(big)).toBe(true);
  });

  it('counts as copied a file that an earlier attempt wrote before failing retryably', async () => {
    const source = await sourceStore(memoryTarget, tree);
    const { vfs: destination } = await memoryTarget.fresh();
    const victim = [...source.files.keys()].find((key) => !key.endsWith('/config'))!;
    let failed = false;
    // The write lands, then its answer is lost for good (every request retry failed): Unavailable.
    const landsThenFails = (method: 'write' | 'writeStream') => ({
      value: async (key: string, ...rest: unknown[]) => {
        const written = await (destination[method] as (...args: unknown[]) => Promise<unknown>).call(
          destination,
          key,
          ...rest,
        );
        if (key !== victim || failed) return written;
        failed = true;
        throw new StateStoreError('Unavailable', 'the answer was lost', { key, retryable: true });
      },
    });
    const lossy: Vfs = Object.create(destination, {
      write: landsThenFails('write'),
      writeStream: landsThenFails('writeStream'),
    }) as Vfs;
    const result = await moveStateStore({ from: source.vfs, to: lossy, retry: { baseDelayMs: 1 } });
    expect(failed).toBe(true);
    expect(result.clusters[0]).toMatchObject({ copied: source.files.size, skipped: 0 });
  });

  it('rewrites generated files when asked, and deletes the source only when asked', async () => {
    const source = await sourceStore(memoryTarget, tree);
    const { vfs: destination } = await memoryTarget.fresh();
    const result = await moveStateStore({
      from: source.vfs,
      to: destination,
      rewriteGenerated: true,
      deleteSource: true,
    });
    expect(result.clusters[0]!.staleReferences).toEqual([]);
    expect(result.clusters[0]!.sourceDeleted).toBe(true);
    const completed = Buffer.from((await destination.read(`${tree.cluster}/cluster-completed.spec`)).body).toString();
    expect(completed).not.toContain(source.vfs.url);
    expect(completed).toContain(destination.url);
    expect((await source.vfs.list()).objects).toEqual([]);
  });

  it('refuses to replace a different destination file unless overwrite is set', async () => {
    const source = await sourceStore(memoryTarget, tree);
    const { vfs: destination } = await memoryTarget.fresh();
    await destination.write(`${tree.cluster}/kops-version.txt`, 'something else');
    await expect(moveStateStore({ from: source.vfs, to: destination })).rejects.toMatchObject({
      code: 'AlreadyExists',
    });
    expect(await (await openStateStore(destination)).listClusters()).toEqual([]);
    const result = await moveStateStore({ from: source.vfs, to: destination, overwrite: true });
    expect(result.clusters[0]!.copied).toBeGreaterThan(0);
    expect(await (await openStateStore(destination)).listClusters()).toEqual([tree.cluster]);
  });

  it('a rerun skips files by their listed size and MD5, and still refuses a same-size change', async () => {
    const source = await sourceStore(memoryTarget, tree);
    const { vfs: destination } = await memoryTarget.fresh();
    await moveStateStore({ from: source.vfs, to: destination });
    const key = `${tree.cluster}/kops-version.txt`;
    const original = Buffer.from((await destination.read(key)).body);
    await destination.write(
      key,
      original.map((byte) => byte ^ 1),
    ); // the same size, other bytes
    await expect(moveStateStore({ from: source.vfs, to: destination })).rejects.toMatchObject({
      code: 'AlreadyExists',
    });
    await destination.write(key, original);
    const files: string[] = [];
    const rerun = await moveStateStore({
      from: source.vfs,
      to: destination,
      onProgress: (e) => e.type === 'file' && e.action === 'skipped' && files.push(e.key),
    });
    expect(rerun.clusters[0]).toMatchObject({ copied: 0, skipped: source.files.size });
    expect(files.sort()).toEqual([...source.files.keys()].sort());
  });

  it('stops with Aborted when the signal fires, leaving the cluster unlisted at the destination', async () => {
    const source = await sourceStore(memoryTarget, tree);
    const { vfs: destination } = await memoryTarget.fresh();
    const controller = new AbortController();
    const moving = moveStateStore({
      from: source.vfs,
      to: destination,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'file') controller.abort();
      },
    });
    await expect(moving).rejects.toMatchObject({ code: 'Aborted' });
    expect(await (await openStateStore(destination)).listClusters()).toEqual([]);
  });
});

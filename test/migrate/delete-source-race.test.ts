/**
 * moveStateStore({ deleteSource: true }) racing writers of the source (issue #25.2): a merge that
 * succeeds between the copy and the deletion, or during the deletion, is never lost, the move
 * fails with PreconditionFailed naming what changed, and no history entry stays behind.
 */
import { moveStateStore } from '../../src/migrate/index.js';
import { openStateStore } from '../../src/store/open.js';
import type { Vfs } from '../../src/vfs/types.js';
import { fileTarget, memoryTarget, s3Target, stopAll, type BackendTarget } from '../backends/targets.js';
import { treeFiles, TREES } from '../store/trees.js';

afterAll(stopAll);

const tree = TREES[0]!;
const configKey = `${tree.cluster}/config`;
const historyPrefix = `${tree.cluster}/backups/statestore/history/`;

/** The kops tree in a fresh store, naming that store as kops would have. */
async function sourceStore(target: BackendTarget): Promise<Vfs> {
  const { vfs } = await target.fresh();
  const files = [...treeFiles(tree)].map(
    ([key, body]) => [key, Buffer.from(body.toString('utf8').split(`memfs://${tree.base}`).join(vfs.url))] as const,
  );
  for (const [key, body] of files) if (key !== configKey) await vfs.write(key, body);
  await vfs.write(configKey, files.find(([key]) => key === configKey)![1]);
  return vfs;
}

/** `vfs` with `hook` run (and awaited) before the first call of `method` that `when` accepts. */
function intercept(
  vfs: Vfs,
  method: 'write' | 'delete',
  when: (key: string) => boolean,
  hook: () => Promise<void>,
): Vfs {
  let fired = false;
  return new Proxy(vfs, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property !== method || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return async (key: string, ...rest: unknown[]) => {
        if (!fired && when(key)) {
          fired = true;
          await hook();
        }
        return (value as (...a: unknown[]) => unknown).call(target, key, ...rest);
      };
    },
  });
}

async function mergeLabel(source: Vfs, value: string): Promise<void> {
  const store = await openStateStore(source);
  await store.mergeConfig(tree.cluster, { metadata: { labels: { merged: value } } });
}

async function labelOf(vfs: Vfs): Promise<unknown> {
  const store = await openStateStore(vfs);
  return (await store.getCluster(tree.cluster)).value.metadata?.labels?.merged;
}

async function keysOf(vfs: Vfs, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of vfs.listAll({ prefix })) keys.push(info.key);
  return keys;
}

describe.each([fileTarget, s3Target].map((t) => [t.name, t] as const))('deleteSource on %s', (_name, target) => {
  it('a merge between the copy and the deletion: nothing is deleted, the merge is kept and named', async () => {
    const source = await sourceStore(target);
    const before = await keysOf(source, `${tree.cluster}/`);
    const { vfs: destination } = await target.fresh();
    // Right after the destination's config (the last copy) is written, before any deletion.
    const to = intercept(
      destination,
      'write',
      (key) => key === configKey,
      () => mergeLabel(source, 'between'),
    );
    const moving = moveStateStore({ from: source, to, deleteSource: true });
    await expect(moving).rejects.toMatchObject({ code: 'PreconditionFailed', key: configKey });
    await expect(moving).rejects.toThrow(/^[^;]*config \(changed\)[^;]*; nothing was deleted/);
    await expect(moving).rejects.toThrow(/^[^;]*history\/config\/[^ ]+ \(added\)/);
    const after = await keysOf(source, `${tree.cluster}/`);
    expect(after.filter((key) => !key.startsWith(historyPrefix))).toEqual(before);
    expect(after.filter((key) => key.startsWith(historyPrefix))).toHaveLength(1);
    expect(await labelOf(source)).toBe('between');

    // A rerun with overwrite carries the merge over, then deletes everything, its history entry too.
    const rerun = await moveStateStore({ from: source, to: destination, deleteSource: true, overwrite: true });
    expect(rerun.clusters[0]!.sourceDeleted).toBe(true);
    expect(await keysOf(source, '')).toEqual([]);
    expect(await labelOf(destination)).toBe('between');
    expect(await keysOf(destination, historyPrefix)).toHaveLength(1);
  });

  it('a merge during the deletion: the config is kept with the merge, the move fails naming it', async () => {
    const source = await sourceStore(target);
    const { vfs: destination } = await target.fresh();
    const from = intercept(
      source,
      'delete',
      (key) => key !== configKey,
      () => mergeLabel(source, 'during'),
    );
    const moving = moveStateStore({ from, to: destination, deleteSource: true, concurrency: 1 });
    await expect(moving).rejects.toMatchObject({ code: 'PreconditionFailed', key: configKey });
    await expect(moving).rejects.toThrow(/config \(changed\)/);
    expect(await labelOf(source)).toBe('during');
    expect(await keysOf(source, historyPrefix)).toHaveLength(1);
  });

  it('a history entry landing just before the config is deleted is moved, not left behind', async () => {
    const source = await sourceStore(target);
    const { vfs: destination } = await target.fresh();
    const late = `${historyPrefix}config/late-entry`;
    const from = intercept(
      source,
      'delete',
      (key) => key === configKey,
      async () => void (await source.write(late, '{"late":true}', { ifNoneMatch: '*' })),
    );
    const result = await moveStateStore({ from, to: destination, deleteSource: true });
    expect(result.clusters[0]!.sourceDeleted).toBe(true);
    expect(await keysOf(source, '')).toEqual([]);
    expect(Buffer.from((await destination.read(late)).body).toString()).toBe('{"late":true}');
  });
});

describe('deleteSource on a backend without conditional deletes (as swift)', () => {
  it('checks each version right before deleting: a merge during the deletion keeps the config', async () => {
    const source = await sourceStore(memoryTarget);
    const { vfs: destination } = await memoryTarget.fresh();
    const conditions: unknown[] = [];
    const merged = intercept(
      source,
      'delete',
      (key) => key !== configKey,
      () => mergeLabel(source, 'unconditional'),
    );
    // The same store, reporting no deleteIfMatch: every delete is a stat, then an unconditional delete.
    const from = new Proxy(merged, {
      get(target, property) {
        if (property === 'capabilities') return { ...target.capabilities, deleteIfMatch: false };
        if (property === 'loadCapabilities') return async () => ({ ...target.capabilities, deleteIfMatch: false });
        if (property === 'delete')
          return (key: string, options?: { ifMatch?: string }) => {
            conditions.push(options?.ifMatch);
            return target.delete(key, options);
          };
        return Reflect.get(target, property, target) as unknown;
      },
    });
    const moving = moveStateStore({ from, to: destination, deleteSource: true, concurrency: 1 });
    await expect(moving).rejects.toMatchObject({ code: 'PreconditionFailed', key: configKey });
    expect(await labelOf(source)).toBe('unconditional');
    expect(conditions.length).toBeGreaterThan(0);
    expect(conditions.filter((ifMatch) => ifMatch !== undefined)).toEqual([]);
  });
});

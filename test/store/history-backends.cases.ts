/**
 * History and rollback on every backend target (memory, file, s3rver, Azurite, the GCS emulator):
 * three merges, their entries and diffs, a byte-for-byte rollback, retention, a move between two
 * targets, and kops's own deletion and listing rules applied to the files history writes.
 */
import { openStateStore } from '../../src/store/open.js';
import { moveStateStore } from '../../src/migrate/move.js';
import type { HistoryEntry, StateStore } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { allTargets, stopAll } from '../backends/targets.js';
import { loadTree, TREES } from './trees.js';
import { kopsClusterNames, kopsDeleteRefuses } from './kops-rules.js';

afterAll(stopAll);
const tree = TREES[0]!;
const cluster = tree.cluster;

async function collect(iterable: AsyncIterable<HistoryEntry>): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

/** A unified diff without its two header lines (the labels differ between a merge and an entry). */
function hunks(diff: string): string {
  return diff.split('\n').slice(2).join('\n');
}

async function keysOf(vfs: Vfs): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of vfs.listAll()) keys.push(info.key);
  return keys;
}

/** Three merges, each with a reason; returns their results, oldest first. */
async function threeMerges(store: StateStore) {
  const results = [];
  for (const version of ['1.30.0', '1.31.0', '1.32.0'])
    results.push(
      await store.mergeConfig(
        cluster,
        { spec: { kubernetesVersion: version } },
        { reason: `to ${version}`, author: 'ci' },
      ),
    );
  return results;
}

describe.each(allTargets.map((t, i) => [t.name, t, allTargets[(i + 1) % allTargets.length]!] as const))(
  'history on %s',
  (_name, target, next) => {
    it('lists three merges with their diffs, rolls back byte for byte, passes kops rules, moves along', async () => {
      const { vfs } = await target.fresh();
      await loadTree(vfs, tree);
      const store = await openStateStore(vfs);
      const original = (await store.getCluster(cluster)).text;
      const merges = await threeMerges(store);

      const entries = await collect(store.history(cluster));
      expect(entries.map((e) => [e.operation, e.reason, e.author])).toEqual([
        ['update', 'to 1.32.0', 'ci'],
        ['update', 'to 1.31.0', 'ci'],
        ['update', 'to 1.30.0', 'ci'],
      ]);
      for (const [i, entry] of entries.entries()) {
        const merge = merges[2 - i]!;
        expect(entry.version).toBe(merge.version);
        expect(hunks(await store.diffVersions(cluster, entry))).toBe(hunks(merge.diff.unified));
      }
      const first = entries[2]!;
      expect((await store.getVersion(cluster, first)).text).toBe(original);

      // restoreGeneration: byte for byte, metadata.generation included (the default keeps kops's rule).
      const rolled = await store.rollback(cluster, first.id, { reason: 'undo', restoreGeneration: true });
      expect((await store.getCluster(cluster)).text).toBe(original);
      const after = await collect(store.history(cluster));
      expect(after).toHaveLength(4);
      expect(after[0]).toMatchObject({ operation: 'rollback', rolledBackTo: first.id, reason: 'undo' });
      expect(after[0]!.id).toBe(rolled.entry!.id);
      expect(await store.diffVersions(cluster, first, 'current')).toBe('');

      const keys = await keysOf(vfs);
      expect(keys.filter((k) => k.includes('/backups/statestore/history/config/'))).toHaveLength(4);
      expect(kopsDeleteRefuses(cluster, keys)).toEqual([]);
      expect(kopsClusterNames(keys)).toEqual([cluster]);

      // A moved cluster keeps its history; a rollback there keeps the new store's location.
      const destination = await next.fresh();
      await moveStateStore({ from: vfs, to: destination.vfs, clusters: [cluster] });
      const moved = await openStateStore(destination.vfs);
      expect((await collect(moved.history(cluster))).map((e) => e.id)).toEqual(after.map((e) => e.id));
      const back = await moved.rollback(cluster, first.id, { dryRun: true, restoreGeneration: true });
      expect(back.keptFields).toEqual(['/spec/configBase']);
      expect(back.text).toContain(`configBase: ${destination.vfs.url}/${cluster}`);
      expect(back.text.replace(`${destination.vfs.url}/`, 'memfs://tests/')).toBe(original);
    });

    it('prunes to the last N entries of each document', async () => {
      const { vfs } = await target.fresh();
      await loadTree(vfs, tree);
      const store = await openStateStore(vfs, { history: { keep: 2, pruneEvery: 1 } });
      await threeMerges(store);
      await store.mergeInstanceGroup(cluster, 'nodes', { spec: { maxSize: 7 } });
      const entries = await collect(store.history(cluster));
      expect(entries.map((e) => [e.kind, e.name, e.reason])).toEqual([
        ['instancegroup', 'nodes', undefined],
        ['config', undefined, 'to 1.32.0'],
        ['config', undefined, 'to 1.31.0'],
      ]);
      const keys = await keysOf(vfs);
      expect(keys.filter((k) => k.includes('/backups/statestore/history/'))).toHaveLength(3);
    });
  },
);

/**
 * History and rollback on every backend target (memory, file, s3rver, Azurite, the GCS emulator):
 * three merges after kops wrote the cluster, their revisions and diffs, a rollback to a revision
 * (byte for byte), a kops-style unconditional write between two statestore writes shown as an
 * external change, retention, a move between two targets, and kops's own deletion and listing
 * rules applied to the files history writes.
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

      // kops wrote the cluster: its content is revision 1, an external change (statestore did not write it).
      const entries = await collect(store.history(cluster));
      expect(entries.map((e) => [e.revision, e.operation, e.reason, e.author])).toEqual([
        [4, 'update', 'to 1.32.0', 'ci'],
        [3, 'update', 'to 1.31.0', 'ci'],
        [2, 'update', 'to 1.30.0', 'ci'],
        [1, 'external', undefined, undefined],
      ]);
      for (const [i, entry] of entries.slice(0, 3).entries()) {
        const merge = merges[2 - i]!;
        expect(entry.version).toBe(merge.version);
        expect(hunks(await store.diffVersions(cluster, entry))).toBe(hunks(merge.diff.unified));
      }
      const first = entries[3]!;
      expect((await store.getVersion(cluster, 1)).text).toBe(original);

      // restoreGeneration: byte for byte, metadata.generation included (the default keeps kops's rule).
      const rolled = await store.rollback(cluster, 1, { reason: 'undo', restoreGeneration: true });
      expect((await store.getCluster(cluster)).text).toBe(original);
      const after = await collect(store.history(cluster));
      expect(after).toHaveLength(5);
      expect(after[0]).toMatchObject({ revision: 5, operation: 'rollback', rolledBackTo: first.id, reason: 'undo' });
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
      // The move rewrote configBase in a write the history did not record: an external change.
      const movedHistory = await collect(moved.history(cluster));
      expect(movedHistory.map((e) => e.id).slice(1)).toEqual(after.map((e) => e.id));
      expect(movedHistory[0]).toMatchObject({ revision: 6, operation: 'external' });
      const back = await moved.rollback(cluster, first.id, { dryRun: true, restoreGeneration: true });
      expect(back.keptFields).toEqual(['/spec/configBase']);
      expect(back.text).toContain(`configBase: ${destination.vfs.url}/${cluster}`);
      expect(back.text.replace(`${destination.vfs.url}/`, 'memfs://tests/')).toBe(original);
    });

    it('shows a kops-style unconditional write between two statestore writes as an external change', async () => {
      const { vfs } = await target.fresh();
      await loadTree(vfs, tree);
      const store = await openStateStore(vfs);
      await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.0' } }, { reason: 'ours' });
      const ours = (await store.getCluster(cluster)).text;
      // kops's WriteFile: an unconditional PUT of the whole document.
      const kops = ours.replace('kubernetesVersion: 1.30.0', 'kubernetesVersion: 1.30.5');
      await vfs.write(`${cluster}/config`, kops);
      const seen = await collect(store.history(cluster));
      expect(seen.map((e) => [e.revision, e.operation])).toEqual([
        [3, 'external'],
        [2, 'update'],
        [1, 'external'],
      ]);
      expect((await store.getVersion(cluster, seen[0]!)).text).toBe(kops);
      await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.31.0' } }, { reason: 'ours again' });
      const entries = await collect(store.history(cluster));
      expect(entries.map((e) => [e.revision, e.operation, e.reason])).toEqual([
        [4, 'update', 'ours again'],
        [3, 'external', undefined],
        [2, 'update', 'ours'],
        [1, 'external', undefined],
      ]);
      // The same change, the same id: first seen as the stored document, then before revision 4.
      expect(entries[1]!.id).toBe(seen[0]!.id);
      expect((await store.getVersion(cluster, 3)).text).toBe(kops);
      const diff = await store.diffVersions(cluster, 3);
      expect(diff).toContain('-  kubernetesVersion: 1.30.0');
      expect(diff).toContain('+  kubernetesVersion: 1.30.5');
      // Back one from 4 is the external change, written back as revision 5.
      await store.rollback(cluster, undefined, { restoreGeneration: true });
      expect((await store.getCluster(cluster)).text).toBe(kops);
      expect((await collect(store.history(cluster)))[0]).toMatchObject({ revision: 5, rolledBackTo: entries[1]!.id });
    });

    it('prunes to the last N entries of each document, whichever is written', async () => {
      const { vfs } = await target.fresh();
      await loadTree(vfs, tree);
      const store = await openStateStore(vfs, { history: { keep: 2, pruneEvery: 2 } });
      // Alternating documents: a store-wide counter would prune only one of them (issue 25 item 9).
      for (const version of ['1.30.0', '1.31.0', '1.32.0', '1.33.0']) {
        await store.mergeConfig(cluster, { spec: { kubernetesVersion: version } }, { reason: `to ${version}` });
        await store.mergeInstanceGroup(cluster, 'nodes', { spec: { maxSize: Number(version.split('.')[1]) } });
      }
      const keys = await keysOf(vfs);
      const folder = (doc: string) => keys.filter((k) => k.includes(`/backups/statestore/history/${doc}/`)).length;
      expect(folder('config')).toBeLessThanOrEqual(2 + 2);
      expect(folder('instancegroup/nodes')).toBeLessThanOrEqual(2 + 2);
      // Pruned revisions are gone, not shown as external changes; numbers do not shift.
      const entries = await collect(store.history(cluster, { kind: 'config' }));
      expect(entries.map((e) => e.revision)).toEqual(Array.from({ length: folder('config') }, (_, i) => 5 - i));
      expect(entries.every((e) => e.operation === 'update')).toBe(true);
    });
  },
);

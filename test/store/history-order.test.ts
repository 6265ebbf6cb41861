/**
 * The order of a document's revisions is the order of its writes, not of their numbers (issue 31,
 * docs/history.md "Numbers and order"): two writers racing right after a kops edit, the second
 * recording first (test/store/racing-writers.ts), on memory, file:// and s3rver. The listing
 * follows the chain of versions, each revision keeps its stored number, `--diff` diffs against
 * the revision before in write order, and rollback with no revision goes back to the write before
 * the current one.
 */
import { openStateStore } from '../../src/store/open.js';
import { fileTarget, memoryTarget, s3Target, stopAll } from '../backends/targets.js';
import { collect } from './history-helpers.js';
import { RACED_REVISIONS, raceAfterKopsWrite, revisionRows } from './racing-writers.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const cluster = tree.cluster;

/** The lines a unified diff adds and removes (its hunks' bodies, headers left out). */
function changes(diff: string): string[] {
  return diff.split('\n').filter((line) => /^[-+](?![-+]{2} )/.test(line));
}

/** The lines one text changed into another, as {@link changes} shows them. */
function changed(from: string, to: string): string[] {
  const before = new Set(from.split('\n'));
  const after = new Set(to.split('\n'));
  return [
    ...from
      .split('\n')
      .filter((line) => !after.has(line))
      .map((line) => `-${line}`),
    ...to
      .split('\n')
      .filter((line) => !before.has(line))
      .map((line) => `+${line}`),
  ];
}

const rows = revisionRows;

describe.each([memoryTarget, fileTarget, s3Target].map((t) => [t.name, t] as const))(
  'two writers racing after a kops edit, on %s',
  (_name, target) => {
    it('lists the writes in their order with their stored numbers; back one is the write before the current', async () => {
      const { vfs } = await target.fresh();
      await loadTree(vfs, tree);
      const { slow, other, texts } = await raceAfterKopsWrite(vfs, cluster);
      expect(texts.slow).toContain('slow: b');
      expect(texts.other).toMatch(/other: c[^]*slow: b|slow: b[^]*other: c/);

      // Written: kops's tree, first, kops's edit, slow, other. Recorded: first, other, slow.
      const listed = await collect(slow.history(cluster, { kind: 'config' }));
      expect(rows(listed)).toEqual(RACED_REVISIONS);
      const contents = [texts.other, texts.slow, texts.kops, texts.first, texts.tree];
      for (const [i, entry] of listed.entries()) {
        expect((await slow.getVersion(cluster, entry)).text).toBe(contents[i]);
        expect((await slow.getVersion(cluster, entry.revision)).entry.id).toBe(entry.id);
        // What each revision changed: from the revision before it in write order.
        const diff = await slow.diffVersions(cluster, entry);
        expect(changes(diff)).toEqual(changed(contents[i + 1] ?? '', contents[i]!));
      }
      // The whole cluster's timeline keeps the config's revisions in that order.
      const all = await collect(other.history(cluster));
      expect(all.filter((e) => e.kind === 'config').map((e) => e.id)).toEqual(listed.map((e) => e.id));

      // Back one: the slow write, before the current (other's), not the number below the newest.
      const back = await other.rollback(cluster, undefined, { reason: 'back one', restoreGeneration: true });
      expect(back).toMatchObject({ changed: true, target: { id: listed[1]!.id, revision: 6 } });
      expect((await other.getCluster(cluster)).text).toBe(texts.slow);
      // Recorded above every number the document has: 5 stays kops's edit.
      const after = await collect(other.history(cluster, { kind: 'config' }));
      expect(rows(after)).toEqual([['back one', 7], ...rows(listed)]);
      expect(after[0]).toMatchObject({ operation: 'rollback', rolledBackTo: listed[1]!.id });
      // And back one again: the write before the rollback, other's.
      const again = await other.rollback(cluster, undefined, { dryRun: true });
      expect(again.target.id).toBe(listed[0]!.id);
    });
  },
);

describe('the same race without the kops edit (memory)', () => {
  it('numbers follow the writes: the slow writer takes the number its racer left free for it', async () => {
    const { vfs } = await memoryTarget.fresh();
    await loadTree(vfs, tree);
    const { slow, texts } = await raceAfterKopsWrite(vfs, cluster, { kopsEdit: false });
    const listed = await collect(slow.history(cluster, { kind: 'config' }));
    expect(rows(listed)).toEqual([
      ['other', 4],
      ['slow', 3],
      ['first', 2],
      ['external', 1],
    ]);
    expect((await slow.getVersion(cluster, 3)).text).toBe(texts.slow);
    expect((await slow.rollback(cluster, undefined, { dryRun: true })).target.revision).toBe(3);
  });
});

describe.each([memoryTarget, s3Target].map((t) => [t.name, t] as const))(
  'an instance group deleted and restored byte for byte, on %s',
  (_name, target) => {
    it('lists the delete before the restore, though the restore wrote the version the delete replaced (S3: same ETag)', async () => {
      const { vfs } = await target.fresh();
      await loadTree(vfs, tree);
      const store = await openStateStore(vfs);
      const nodes = (await store.getInstanceGroup(cluster, 'nodes')).value;
      await store.putInstanceGroup(cluster, { ...nodes, metadata: { ...nodes.metadata, name: 'extra' } });
      const created = await store.getInstanceGroup(cluster, 'extra');
      await store.deleteInstanceGroup(cluster, 'extra', { reason: 'gone' });
      const restored = await store.rollback(cluster, undefined, { instanceGroup: 'extra', reason: 'back' });
      expect(restored.target.revision).toBe(1);
      const now = await store.getInstanceGroup(cluster, 'extra');
      expect(now.text).toBe(created.text);
      const listed = await collect(store.history(cluster, { name: 'extra' }));
      expect(listed.map((e) => [e.revision, e.operation])).toEqual([
        [3, 'rollback'],
        [2, 'delete'],
        [1, 'create'],
      ]);
      expect(listed[0]!.version).toBe(now.version);
      // Back one from the restore: the delete.
      expect((await store.rollback(cluster, undefined, { instanceGroup: 'extra', dryRun: true })).target.revision).toBe(
        2,
      );
    });
  },
);

/**
 * The number a write takes does not depend on the order in which racing writers' entries list
 * (record.ts reads the newest entries before deciding). Two writers race after a kops edit
 * (test/store/racing-writers.ts): `other` records 4, `slow` 6, and 5 stays kops's edit. Their
 * entries are stamped in one millisecond here (record.ts `stampEntriesWith`), so the random bits
 * decide which lists first, and each order is forced in turn. The next write replaces `other`'s
 * version: it must take 7 either way. Numbering that stopped at the first entry holding the
 * replaced version took 5 when `other`'s entry listed first (kops's number, twice in the listing):
 * what history-order.test.ts met in about 1 run in 4 on memory.
 */
import type { HistoryEntry } from '../../src/index.js';
import { newStamp } from '../../src/store/history/keys.js';
import { memoryTarget } from '../backends/targets.js';
import { collect } from './history-helpers.js';
import { RACED_REVISIONS, raceAfterKopsWrite, revisionRows, type RaceStamps } from './racing-writers.js';
import { loadTree, TREES } from './trees.js';

const tree = TREES[0]!;
const cluster = tree.cluster;
const rows = revisionRows;
const stampOf = (entry: HistoryEntry) => entry.id.slice(entry.id.lastIndexOf('/') + 1);

/** Gives `fixed` stamps to a writer's first entries, in order, then real ones. */
function stampsInOrder(...fixed: string[]): (time: Date) => string {
  let calls = 0;
  return (time) => fixed[calls++] ?? newStamp(time);
}

/**
 * Stamps for the race: `first`'s entry a minute ago; `other`'s and `slow`'s in one millisecond a
 * second later, with random bits that list `listedFirst`'s entry first; later entries real ones.
 */
function raceStamps(listedFirst: 'other' | 'slow'): RaceStamps {
  const now = Date.now();
  const race = new Date(now - 59_000);
  const [otherBits, slowBits] = listedFirst === 'other' ? [0.001, 0.999] : [0.999, 0.001];
  return {
    other: stampsInOrder(newStamp(new Date(now - 60_000), 0.5), newStamp(race, otherBits)),
    slow: stampsInOrder(newStamp(race, slowBits)),
  };
}

it.each(['other', 'slow'] as const)(
  "numbers the write after the race 7 when %s's entry lists first",
  async (listedFirst) => {
    const { vfs } = await memoryTarget.fresh();
    await loadTree(vfs, tree);
    const { slow, other, texts } = await raceAfterKopsWrite(vfs, cluster, { stamps: raceStamps(listedFirst) });

    const listed = await collect(other.history(cluster, { kind: 'config' }));
    expect(rows(listed)).toEqual(RACED_REVISIONS);
    // The two entries share their millisecond, and the folder lists them in the order forced.
    const [otherStamp, slowStamp] = [stampOf(listed[0]!), stampOf(listed[1]!)];
    expect(otherStamp.slice(0, 13)).toBe(slowStamp.slice(0, 13));
    const folder = await vfs.list({ prefix: `${cluster}/backups/statestore/history/config/` });
    const names = folder.objects.map((object) => object.key.slice(object.key.lastIndexOf('/') + 1));
    expect(names.slice(0, 2)).toEqual(listedFirst === 'other' ? [otherStamp, slowStamp] : [slowStamp, otherStamp]);

    // The next write replaces other's version: above every number the document has, not kops's 5.
    const back = await other.rollback(cluster, undefined, { reason: 'back one', restoreGeneration: true });
    expect(back).toMatchObject({ changed: true, target: { revision: 6 }, entry: { revision: 7 } });
    expect((await other.getCluster(cluster)).text).toBe(texts.slow);
    // And the write after that, from the slow writer's store, 8.
    await slow.mergeConfig(cluster, { spec: { cloudLabels: { after: 'd' } } }, { reason: 'after' });
    const after = await collect(slow.history(cluster, { kind: 'config' }));
    expect(rows(after)).toEqual([['after', 8], ['back one', 7], ...rows(listed)]);
    await Promise.all([slow.close(), other.close()]);
  },
);

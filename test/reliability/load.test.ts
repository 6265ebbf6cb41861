/**
 * Load: mergeConfig operations from concurrent clients on one config, per backend. Each
 * operation increments its client's counter from the value it read, so any lost update shows as a
 * total below the number of operations. This is the correctness part only (zero lost updates):
 * 300 operations from 32 clients on memory; 32 from 16 clients on the disk and server backends,
 * still contended on every attempt, so `npm test` stays bounded. Throughput is measured by
 * bench/load/merge-load.ts (1,000 operations on every backend), recorded in bench/README.md.
 */
import type { ClusterConfig } from '../../src/config/schema/types.generated.js';
import { openStateStore } from '../../src/store/open.js';
import { allTargets, stopAll } from '../backends/targets.js';
import { loadTree, TREES } from '../store/trees.js';

afterAll(stopAll);
const tree = TREES[0]!;

function increment(label: string): (config: ClusterConfig) => ClusterConfig {
  return (config) => {
    const labels = { ...(config.spec?.cloudLabels ?? {}) };
    labels[label] = String(Number(labels[label] ?? '0') + 1);
    return { ...config, spec: { ...config.spec, cloudLabels: labels } };
  };
}

describe.each(
  allTargets.map((t) => [t.name, t, t.name === 'memory' ? 300 : 32, t.name === 'memory' ? 32 : 16] as const),
)('load on %s', (_name, target, operations, clientCount) => {
  it(`${operations} increments from ${clientCount} clients lose no update`, async () => {
    const { vfs, open } = await target.fresh();
    await loadTree(vfs, tree);
    const clients = await Promise.all(
      Array.from({ length: clientCount }, async () => await openStateStore(await open())),
    );
    let next = 0;
    const done = Array(clientCount).fill(0) as number[];
    await Promise.all(
      clients.map(async (store, c) => {
        for (let op = next++; op < operations; op = next++) {
          await store.mergeConfig(tree.cluster, increment(`client-${c}`), {
            maxAttempts: 10_000,
            retry: { baseDelayMs: 1, maxDelayMs: 50 },
          });
          done[c]! += 1;
        }
      }),
    );
    const labels = (await (await openStateStore(vfs)).getCluster(tree.cluster)).value.spec?.cloudLabels ?? {};
    for (let c = 0; c < clientCount; c++) expect(Number(labels[`client-${c}`] ?? 0)).toBe(done[c]);
    expect(done.reduce((a, b) => a + b, 0)).toBe(operations);
    // Every successful compare-and-swap recorded exactly one history entry (none for a lost race).
    // Above the retention (100 per document) pruning runs every tenth write of each client, so
    // between 100 and 100 + the writes since each client's last pruning remain.
    // kops wrote the config first: that version shows as one external revision (none once pruned);
    // concurrent writers whose entries land out of order show none (forced in
    // test/store/history-race.test.ts, with the Azure write-version race that once showed one here).
    let entries = 0;
    let externals = 0;
    const listed = [];
    for await (const entry of clients[0]!.history(tree.cluster, { kind: 'config' })) {
      listed.push(entry);
      if (entry.operation === 'external') externals += 1;
      else entries += 1;
    }
    // Listed in the order of the writes, whatever order their entries landed in: each of the newest
    // 50 replaced the version of the one listed below it (pruning, by recording order, may break
    // the chain only among the oldest).
    const newest = listed.slice(0, 51);
    expect(newest.slice(0, -1).map((e) => e.replacedVersion)).toEqual(newest.slice(1).map((e) => e.version));
    expect(externals).toBeLessThanOrEqual(1);
    const bounds = operations <= 100 ? [operations, operations] : [100, 100 + 10 * clientCount];
    expect(entries).toBeGreaterThanOrEqual(bounds[0]!);
    expect(entries).toBeLessThanOrEqual(bounds[1]!);
    await Promise.all(clients.map((store) => store.close()));
    await vfs.close();
  }, 600_000);
});

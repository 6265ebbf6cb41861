/**
 * Load: mergeConfig operations from 32 concurrent clients on one config, per backend. Each
 * operation increments its client's counter from the value it read, so any lost update shows as a
 * total below the number of operations. 1,000 operations on memory; 200 on the disk and server
 * backends, to keep `npm test` bounded (bench/load/merge-load.ts runs 1,000 on every backend and
 * bench/README.md records the throughput).
 */
import type { ClusterConfig } from '../../src/merge/schema/types.generated.js';
import { StateStore } from '../../src/store/state-store.js';
import { allTargets, stopAll } from '../backends/targets.js';
import { loadTree, TREES } from '../store/trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const CLIENTS = 32;

function increment(label: string): (config: ClusterConfig) => ClusterConfig {
  return (config) => {
    const labels = { ...(config.spec?.cloudLabels ?? {}) };
    labels[label] = String(Number(labels[label] ?? '0') + 1);
    return { ...config, spec: { ...config.spec, cloudLabels: labels } };
  };
}

describe.each(allTargets.map((t) => [t.name, t, t.name === 'memory' ? 1000 : 200] as const))('load on %s', (_name, target, operations) => {
  it(`${operations} increments from ${CLIENTS} clients lose no update`, async () => {
    const { vfs, open } = await target.fresh();
    await loadTree(vfs, tree);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => new StateStore(await open())));
    let next = 0;
    const done = Array(CLIENTS).fill(0) as number[];
    await Promise.all(
      clients.map(async (store, c) => {
        for (let op = next++; op < operations; op = next++) {
          await store.mergeConfig(tree.cluster, increment(`client-${c}`), { maxAttempts: 10_000, retry: { baseDelayMs: 1, maxDelayMs: 50 } });
          done[c]! += 1;
        }
      }),
    );
    const labels = (await new StateStore(vfs).getCluster(tree.cluster)).value.spec?.cloudLabels ?? {};
    for (let c = 0; c < CLIENTS; c++) expect(Number(labels[`client-${c}`] ?? 0)).toBe(done[c]);
    expect(done.reduce((a, b) => a + b, 0)).toBe(operations);
    await Promise.all(clients.map((store) => store.close()));
    await vfs.close();
  }, 600_000);
});

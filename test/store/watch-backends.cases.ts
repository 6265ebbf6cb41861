/**
 * `store.watch` on every backend target (memory, file, s3rver, Azurite, the GCS emulator): a
 * writer changes the config 20 times in bursts; the watcher's versions never go backwards and its
 * last event is the final state; an idle watch costs one request per poll, counted at the Vfs and,
 * for s3rver, at the server.
 */
import { openStateStore } from '../../src/store/open.js';
import { openVfs } from '../../src/backends/registry.js';
import { watchCluster } from '../../src/store/watch/watcher.js';
import type { StateStore, WatchEvent } from '../../src/index.js';
import { allTargets, stopAll } from '../backends/targets.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { countingVfs } from './counting-vfs.js';
import { loadTree, TREES } from './trees.js';
import { SteppedClock } from './watch-clock.js';

const tree = TREES[0]!;
const cluster = tree.cluster;
let s3rver: S3rverHandle | undefined;
afterAll(async () => {
  await stopAll();
  await s3rver?.stop();
});

function patchOf(event: WatchEvent): number {
  const version = (event.value as { spec?: { kubernetesVersion?: string } }).spec?.kubernetesVersion ?? '1.30.0';
  return Number(version.split('.')[2]);
}

/** 20 merges in bursts of 1 to 6, with a pause of 0 to 30 ms between bursts; returns the last result. */
async function writer(store: StateStore) {
  const bursts = [3, 6, 1, 5, 2, 3];
  let written = 0;
  let last;
  for (const size of bursts) {
    for (let i = 0; i < size; i++)
      last = await store.mergeConfig(cluster, { spec: { kubernetesVersion: `1.30.${++written}` } });
    await new Promise((resolve) => setTimeout(resolve, (written * 7) % 31));
  }
  expect(written).toBe(20);
  return last!;
}

describe.each(allTargets.map((t) => [t.name, t] as const))('watch on %s', (_name, target) => {
  it('sees 20 writes in bursts: never backwards, the final state last', async () => {
    const { vfs } = await target.fresh();
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const controller = new AbortController();
    const events: WatchEvent[] = [];
    const done: { version?: string } = {};
    const watching = (async () => {
      for await (const event of store.watch(cluster, { intervalMs: 15, signal: controller.signal })) {
        events.push(event);
        if (done.version !== undefined && event.version === done.version) controller.abort();
      }
    })();
    const last = await writer(store);
    done.version = last.version;
    if (events.at(-1)?.version === done.version) controller.abort();
    await watching;

    expect(events[0]!.change).toBe('current');
    // The tree's own version is not 1.30.x: the writes count from 1 after it.
    const patches = [0, ...events.slice(1).map(patchOf)];
    for (let i = 1; i < patches.length; i++) expect(patches[i]!).toBeGreaterThan(patches[i - 1]!);
    expect(events.at(-1)).toMatchObject({ change: 'updated', version: last.version });
    expect(patches.at(-1)).toBe(20);
    expect(new Set(events.map((e) => e.version)).size).toBe(events.length);
    await store.close();
  }, 180_000);

  it('coalesces each burst into one event and costs one stat per idle poll', async () => {
    const { vfs: inner } = await target.fresh();
    await loadTree(inner, tree);
    const store = await openStateStore(inner);
    const { vfs, counts } = countingVfs(inner);
    const clock = new SteppedClock();
    const it = watchCluster(vfs, cluster, { intervalMs: 1000 }, clock)[Symbol.asyncIterator]();
    await it.next();
    let written = 0;
    for (const size of [5, 5, 5, 5]) {
      const pending = it.next();
      let last;
      for (let i = 0; i < size; i++)
        last = await store.mergeConfig(cluster, { spec: { kubernetesVersion: `1.30.${++written}` } });
      await clock.tick();
      const event = (await pending).value as WatchEvent;
      expect(event.version).toBe(last!.version);
      expect(patchOf(event)).toBe(written);
    }
    const idle = it.next();
    for (const key of Object.keys(counts)) delete counts[key];
    for (let i = 0; i < 8; i++) await clock.tick();
    await clock.settled();
    expect(counts).toEqual({ stat: 8 });
    await it.return!();
    expect(await idle).toEqual({ done: true, value: undefined });
    await store.close();
  }, 180_000);
});

describe.each(allTargets.map((t) => [t.name, t] as const))('watch of instance groups on %s', (_name, target) => {
  it('costs one stat and one listing per idle poll and reports a changed group once', async () => {
    const { vfs: inner } = await target.fresh();
    await loadTree(inner, tree);
    const store = await openStateStore(inner);
    const { vfs, counts } = countingVfs(inner);
    const clock = new SteppedClock();
    const kinds = ['config', 'instancegroup'] as const;
    const it = watchCluster(vfs, cluster, { intervalMs: 1000, kinds }, clock)[Symbol.asyncIterator]();
    for (let i = 0; i < 1 + tree.igs.length; i++) expect((await it.next()).value).toMatchObject({ change: 'current' });
    const pending = it.next();
    for (const key of Object.keys(counts)) delete counts[key];
    for (let i = 0; i < 3; i++) await clock.tick();
    await clock.settled();
    // The listing's versions are compared with the listing's: an idle poll never reads a group.
    expect(counts).toEqual({ stat: 3, listAll: 3 });
    const nodes = await store.getInstanceGroup(cluster, 'nodes');
    const written = await store.putInstanceGroup(cluster, {
      ...nodes.value,
      spec: { ...nodes.value.spec, maxSize: 7 },
    });
    await clock.tick();
    expect((await pending).value).toMatchObject({ name: 'nodes', change: 'updated', version: written.version });
    const idle = it.next();
    await clock.tick();
    await clock.settled();
    await it.return!();
    expect(await idle).toEqual({ done: true, value: undefined });
    await store.close();
  }, 180_000);
});

describe('watch on s3rver, counted at the server', () => {
  it('an idle poll is one HEAD of the config; a change adds one GET', async () => {
    s3rver = await startS3rver({ buckets: ['watch'] });
    const vfs = await openVfs('s3://watch/counted', {
      env: {},
      s3: { endpoint: s3rver.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
    });
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const clock = new SteppedClock();
    const it = watchCluster(vfs, cluster, { intervalMs: 1000 }, clock)[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    await s3rver.clearRequests();
    for (let i = 0; i < 10; i++) await clock.tick();
    await clock.settled();
    const key = `counted/${cluster}/config`;
    const idle = await s3rver.requests();
    expect(idle.map((r) => [r.method, r.key])).toEqual(Array.from({ length: 10 }, () => ['HEAD', key]));

    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.1' } });
    await s3rver.clearRequests();
    await clock.tick();
    expect(patchOf((await pending).value as WatchEvent)).toBe(1);
    const change = await s3rver.requests();
    expect(change.map((r) => [r.method, r.key])).toEqual([
      ['HEAD', key],
      ['GET', key],
    ]);
    await it.return!();
    await store.close();
  }, 180_000);
});

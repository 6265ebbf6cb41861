/**
 * `store.watch` on the memory backend, stepped poll by poll with a hand-driven clock: the first
 * event, coalesced bursts, the cost of an idle poll, backoff, deletions, instance groups, errors,
 * and every way a watch ends.
 */
import { openStateStore } from '../../src/store/open.js';
import { watchCluster } from '../../src/store/watch/watcher.js';
import { StateStoreError } from '../../src/errors.js';
import type { StateStore, WatchEvent } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { memoryTarget, stopAll } from '../backends/targets.js';
import { countingVfs } from './counting-vfs.js';
import { loadTree, TREES } from './trees.js';
import { SteppedClock } from './watch-clock.js';

afterAll(stopAll);
const tree = TREES[0]!;
const cluster = tree.cluster;

async function setup(): Promise<{ vfs: Vfs; store: StateStore; counts: Record<string, number> }> {
  const { vfs: inner } = await memoryTarget.fresh();
  await loadTree(inner, tree);
  const { vfs, counts } = countingVfs(inner);
  return { vfs, store: await openStateStore(inner), counts };
}

function patchOf(event: WatchEvent): number {
  const version = (event.value as { spec?: { kubernetesVersion?: string } }).spec?.kubernetesVersion ?? '';
  return Number(version.split('.')[2]);
}

function reset(counts: Record<string, number>): void {
  for (const key of Object.keys(counts)) delete counts[key];
}

describe('watch options', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses intervalMs %p before any I/O', async (intervalMs) => {
    const { vfs, counts } = await setup();
    expect(() => watchCluster(vfs, cluster, { intervalMs })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }) as Error,
    );
    expect(counts).toEqual({});
  });

  it('refuses a maxIntervalMs below intervalMs, a bad group name, an empty kinds, a bad cluster name', async () => {
    const { vfs, counts } = await setup();
    const bad = [
      () => watchCluster(vfs, cluster, { intervalMs: 100, maxIntervalMs: 50 }),
      () => watchCluster(vfs, cluster, { names: ['Bad_Name'] }),
      () => watchCluster(vfs, cluster, { kinds: [] }),
      () => watchCluster(vfs, 'not a cluster', {}),
      () => watchCluster(vfs, cluster, { maxFailedPolls: 0 }),
    ];
    for (const call of bad) expect(call).toThrow(expect.objectContaining({ code: 'InvalidArgument' }) as Error);
    expect(counts).toEqual({});
  });
});

describe('watch on memory, stepped poll by poll', () => {
  it('starts with the current state, coalesces each burst into its latest state, costs one stat when idle', async () => {
    const { vfs, store, counts } = await setup();
    const clock = new SteppedClock();
    const controller = new AbortController();
    const it = watchCluster(vfs, cluster, { intervalMs: 100, signal: controller.signal }, clock)[
      Symbol.asyncIterator
    ]();

    const first = (await it.next()).value as WatchEvent;
    const current = await store.getCluster(cluster);
    expect(first).toMatchObject({ kind: 'config', change: 'current', diff: '', version: current.version });
    expect(first.text).toBe(current.text);
    expect(counts).toEqual({ stat: 1, read: 1 });

    let written = 0;
    for (let burst = 0; burst < 4; burst++) {
      const pending = it.next();
      let last;
      for (let i = 0; i < 5; i++)
        last = await store.mergeConfig(cluster, { spec: { kubernetesVersion: `1.30.${++written}` } });
      reset(counts);
      await clock.tick();
      const event = (await pending).value as WatchEvent;
      // One stat and one read per change seen, five writes coalesced into the latest.
      expect(counts).toEqual({ stat: 1, read: 1 });
      expect(event).toMatchObject({ change: 'updated', version: last!.version });
      expect(patchOf(event)).toBe(written);
      expect(event.diff).toContain(`+  kubernetesVersion: 1.30.${written}`);
    }

    const idle = it.next();
    reset(counts);
    for (let i = 0; i < 10; i++) await clock.tick();
    await clock.settled();
    expect(counts).toEqual({ stat: 10 });
    controller.abort();
    expect(await idle).toEqual({ done: true, value: undefined });
    expect(clock.sleeps.every((ms) => ms === 100)).toBe(true);
  });

  it('backs off while idle up to maxIntervalMs and resets on a change', async () => {
    const { vfs, store } = await setup();
    const clock = new SteppedClock();
    const it = watchCluster(vfs, cluster, { intervalMs: 100, maxIntervalMs: 450 }, clock)[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    for (let i = 0; i < 4; i++) await clock.tick();
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.1' } });
    await clock.tick();
    expect(((await pending).value as WatchEvent).change).toBe('updated');
    const next = it.next();
    await clock.settled();
    expect(clock.sleeps).toEqual([100, 200, 400, 450, 450, 100]);
    await it.return!();
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it('reports a deleted config and its re-creation, and watches instance groups on request', async () => {
    const { vfs, store, counts } = await setup();
    const clock = new SteppedClock();
    const it = watchCluster(vfs, cluster, { intervalMs: 10, kinds: ['config', 'instancegroup'] }, clock)[
      Symbol.asyncIterator
    ]();
    const initial = [(await it.next()).value, (await it.next()).value, (await it.next()).value] as WatchEvent[];
    expect(initial.map((e) => [e.kind, e.name, e.change])).toEqual([
      ['config', undefined, 'current'],
      ['instancegroup', 'master-us-test-1a', 'current'],
      ['instancegroup', 'nodes', 'current'],
    ]);

    const idle = it.next();
    reset(counts);
    await clock.tick();
    await clock.settled();
    expect(counts).toEqual({ stat: 1, listAll: 1 });

    const nodes = await store.getInstanceGroup(cluster, 'nodes');
    // Beneath the store, as the config below: deleteInstanceGroup refuses the only node group, as kops does.
    await vfs.delete(`${cluster}/instancegroup/nodes`);
    const text = (await store.getCluster(cluster)).text;
    await vfs.delete(`${cluster}/config`);
    await clock.tick();
    const gone = [(await idle).value, (await it.next()).value] as WatchEvent[];
    expect(gone.map((e) => [e.kind, e.name, e.change, e.version, e.value])).toEqual([
      ['config', undefined, 'deleted', undefined, undefined],
      ['instancegroup', 'nodes', 'deleted', undefined, undefined],
    ]);
    expect(gone[0]!.diff).toContain('+++ /dev/null');

    const back = it.next();
    await vfs.write(`${cluster}/config`, text);
    await store.putInstanceGroup(cluster, nodes.value);
    await clock.tick();
    const returned = [(await back).value, (await it.next()).value] as WatchEvent[];
    expect(returned.map((e) => [e.kind, e.name, e.change])).toEqual([
      ['config', undefined, 'created'],
      ['instancegroup', 'nodes', 'created'],
    ]);
    expect(returned[0]!.diff).toContain('--- /dev/null');
    expect(returned[0]!.text).toBe(text);
    await it.return!();
  });

  it('watches only the named groups (and checks the cluster exists first)', async () => {
    const { vfs, store } = await setup();
    const clock = new SteppedClock();
    const it = watchCluster(vfs, cluster, { names: ['nodes'], kinds: ['instancegroup'] }, clock)[
      Symbol.asyncIterator
    ]();
    expect((await it.next()).value).toMatchObject({ kind: 'instancegroup', name: 'nodes', change: 'current' });
    const pending = it.next();
    const master = await store.getInstanceGroup(cluster, 'master-us-test-1a');
    // kops refuses a control-plane maxSize other than 1 (instancegroup.go:71): change its machine type.
    await store.putInstanceGroup(cluster, { ...master.value, spec: { ...master.value.spec, machineType: 'c5.large' } });
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.9' } });
    await clock.tick();
    await clock.settled();
    await it.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('throws NotFound at the start when the cluster has no config', async () => {
    const { vfs } = await setup();
    const events = watchCluster(vfs, 'missing.example.com', {}, new SteppedClock());
    await expect(events[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'NotFound' });
  });
});

/** A Vfs whose `stat` fails with `error` on calls number `from` to `to` (1-based). */
function failingStat(inner: Vfs, error: () => StateStoreError, from: number, to: number): Vfs {
  let calls = 0;
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'stat') return Reflect.get(target, property, receiver) as unknown;
      return (...args: Parameters<Vfs['stat']>) => {
        calls++;
        return calls >= from && calls <= to ? Promise.reject(error()) : target.stat(...args);
      };
    },
  });
}

describe('watch errors', () => {
  const unavailable = () => new StateStoreError('Unavailable', 'service unavailable');

  it('retries transient errors with growing waits and goes on', async () => {
    const { vfs: inner, store } = await setup();
    const clock = new SteppedClock();
    const vfs = failingStat(inner, unavailable, 2, 4);
    const it = watchCluster(vfs, cluster, { intervalMs: 100 }, clock)[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.5' } });
    for (let i = 0; i < 4; i++) await clock.tick();
    expect(patchOf((await pending).value as WatchEvent)).toBe(5);
    expect(clock.sleeps).toEqual([100, 200, 400, 800]);
    await it.return!();
  });

  it('throws a persistent transient error after maxFailedPolls polls in a row', async () => {
    const { vfs: inner } = await setup();
    const clock = new SteppedClock();
    const vfs = failingStat(inner, unavailable, 2, 1000);
    const it = watchCluster(vfs, cluster, { intervalMs: 100, maxFailedPolls: 3 }, clock)[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    for (let i = 0; i < 3; i++) await clock.tick();
    await expect(pending).rejects.toMatchObject({ code: 'Unavailable' });
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  it('throws a non-retryable error at once', async () => {
    const { vfs: inner } = await setup();
    const clock = new SteppedClock();
    const vfs = failingStat(inner, () => new StateStoreError('PermissionDenied', 'denied'), 2, 2);
    const it = watchCluster(vfs, cluster, { intervalMs: 100 }, clock)[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    await clock.tick();
    await expect(pending).rejects.toMatchObject({ code: 'PermissionDenied' });
    expect(clock.sleeps).toEqual([100]);
  });
});

describe('watch ends cleanly (real timers: the file ends without hanging)', () => {
  it('returns from the for-await loop when the signal fires during a long wait', async () => {
    const { store } = await setup();
    const controller = new AbortController();
    const seen: WatchEvent[] = [];
    for await (const event of store.watch(cluster, { intervalMs: 600_000, signal: controller.signal })) {
      seen.push(event);
      setImmediate(() => controller.abort());
    }
    expect(seen.map((e) => e.change)).toEqual(['current']);
  });

  it('stops polling when the loop breaks', async () => {
    const { vfs, counts } = await setup();
    for await (const event of watchCluster(vfs, cluster, { intervalMs: 1 })) {
      expect(event.change).toBe('current');
      break;
    }
    const after = { ...counts };
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(counts).toEqual(after);
  });

  it('stops at once when return() is called while a wait is in flight', async () => {
    const { store } = await setup();
    const it = store.watch(cluster, { intervalMs: 600_000 })[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    await it.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('yields nothing for an already aborted signal', async () => {
    const { store } = await setup();
    const events = store.watch(cluster, { signal: AbortSignal.abort() });
    const seen = [];
    for await (const event of events) seen.push(event);
    expect(seen).toEqual([]);
  });
});

/**
 * Leases on the memory backend: bad input refused before any I/O, a held lease refused with the
 * holder named, renew, release, takeover of an expired lease, a paused holder that sees `lost` and
 * whose fenced writes are refused, withLease, and kops's own rules on the lease's key.
 */
import { openVfs } from '../../src/backends/registry.js';
import { openStateStore } from '../../src/store/open.js';
import { isStateStoreError, type StateStore } from '../../src/index.js';
import { createStoreLeases, leaseKey } from '../../src/store/lease/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { loadTree, TREES } from './trees.js';
import { kopsClusterNames, kopsDeleteRefuses } from './kops-rules.js';
import { countingVfs } from './counting-vfs.js';
import { moveStateStore } from '../../src/migrate/move.js';

const tree = TREES[0]!;
const cluster = tree.cluster;
let n = 0;

async function fresh(): Promise<{ vfs: Vfs; store: StateStore }> {
  const vfs = await openVfs(`memfs://lease-${process.pid}-${++n}`);
  await loadTree(vfs, tree);
  return { vfs, store: await openStateStore(vfs) };
}

/** Blocks the event loop (a paused process, as under a debugger or a long GC) for `ms`. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: no timer, no request can run
  }
}

/** The number of calls made through a countingVfs, all methods, or only those that write. */
function calls(counts: Record<string, number>, only?: string[]): number {
  return Object.entries(counts)
    .filter(([method]) => only === undefined || only.includes(method))
    .reduce((sum, [, count]) => sum + count, 0);
}
const WRITES = ['write', 'writeStream', 'delete', 'copy', 'copyFrom'];

/** The same Vfs, claiming capabilities it lacks. */
function withCapabilities(vfs: Vfs, capabilities: Partial<Vfs['capabilities']>): Vfs {
  return new Proxy(vfs, {
    get: (target, property, receiver) =>
      property === 'capabilities'
        ? { ...target.capabilities, ...capabilities }
        : property === 'loadCapabilities'
          ? async () => ({ ...target.capabilities, ...capabilities })
          : (Reflect.get(target, property, receiver) as unknown),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return isStateStoreError(err) ? err.code : String(err);
  }
}

describe('leases (memory)', () => {
  it('refuses bad input and incapable backends before any I/O', async () => {
    const { vfs } = await fresh();
    const counted = countingVfs(vfs);
    const leases = createStoreLeases(counted.vfs);
    for (const ttlMs of [-1, 0, NaN, Infinity])
      expect(await codeOf(leases.acquireLease(cluster, { ttlMs }))).toBe('InvalidArgument');
    expect(await codeOf(leases.acquireLease('Bad_Name', {}))).toBe('InvalidArgument');
    expect(await codeOf(leases.acquireLease('../x', {}))).toBe('InvalidArgument');
    expect(await codeOf(leases.acquireLease(cluster, { owner: '' }))).toBe('InvalidArgument');
    expect(await codeOf(leases.withLease(cluster, async () => 1, { ttlMs: 1000, renewEveryMs: 1000 }))).toBe(
      'InvalidArgument',
    );
    const noCreate = withCapabilities(counted.vfs, { ifNoneMatch: false });
    expect(await codeOf(createStoreLeases(noCreate).acquireLease(cluster))).toBe('Unsupported');
    const noCas = withCapabilities(counted.vfs, { ifMatch: false });
    expect(await codeOf(createStoreLeases(noCas).withLease(cluster, async () => 1))).toBe('Unsupported');
    expect(calls(counted.counts)).toBe(0);
  });

  it('gives one holder, names it to others, renews and releases', async () => {
    const { store, vfs } = await fresh();
    const lease = await store.acquireLease(cluster, { owner: 'alice', ttlMs: 60_000 });
    expect(lease.held).toBe(true);
    const refused = await store.acquireLease(cluster, { owner: 'bob' }).catch((err: unknown) => err);
    expect(isStateStoreError(refused, 'Conflict')).toBe(true);
    expect((refused as Error).message).toContain('"alice"');
    expect((refused as Error).message).toContain(lease.expiresAt.toISOString());
    expect((await store.readLease(cluster))?.owner).toBe('alice');

    const before = (await vfs.stat(leaseKey(cluster))).version;
    await lease.renew();
    expect((await vfs.stat(leaseKey(cluster))).version).not.toBe(before);
    expect((await store.readLease(cluster))?.expired).toBe(false);

    await lease.release();
    expect(lease.held).toBe(false);
    expect(await store.readLease(cluster)).toBeUndefined();
    expect(await codeOf(store.putConfig(cluster, (await store.getCluster(cluster)).value, { lease }))).toBe(
      'PreconditionFailed',
    );
    const next = await store.acquireLease(cluster, { owner: 'bob' });
    expect(next.token).not.toBe(lease.token);
    await next.release();
  });

  it('a paused holder sees `lost` without a request, its fenced write is refused, and another takes over', async () => {
    const { store, vfs } = await fresh();
    const holder = await store.acquireLease(cluster, { owner: 'paused', ttlMs: 200 });
    const config = await store.getCluster(cluster);
    busy(400); // past the ttl, with the event loop blocked: no timer has run
    const counted = countingVfs(vfs);
    const fencedStore = await openStateStore(counted.vfs);
    expect(holder.lost.aborted).toBe(true);
    expect(isStateStoreError(holder.lost.reason, 'PreconditionFailed')).toBe(true);
    const changed = { ...config.value, spec: { ...config.value.spec, kubernetesVersion: '1.99.0' } };
    const write = await codeOf(fencedStore.putConfig(cluster, changed, { ifMatch: config.version, lease: holder }));
    expect(write).toBe('PreconditionFailed');
    expect(
      await codeOf(fencedStore.mergeConfig(cluster, { spec: { kubernetesVersion: '1.99.0' } }, { lease: holder })),
    ).toBe('PreconditionFailed');
    expect(calls(counted.counts, WRITES)).toBe(0);
    expect((await store.getCluster(cluster)).version).toBe(config.version);

    // Expired in the store too (skew margin 0 for the test): a taker wins by compare-and-swap.
    const taker = await store.acquireLease(cluster, { owner: 'taker', skewMs: 0 });
    expect(await codeOf(holder.renew())).toBe('PreconditionFailed');
    await holder.release(); // lost: must not touch the taker's lease
    expect((await store.readLease(cluster))?.owner).toBe('taker');
    await taker.release();
  });

  it('a renewal that finds another holder marks the lease lost', async () => {
    const { store, vfs } = await fresh();
    const lease = await store.acquireLease(cluster, { owner: 'a', ttlMs: 60_000 });
    await vfs.write(leaseKey(cluster), JSON.stringify({ stolen: true })); // someone overwrote it
    expect(await codeOf(lease.renew())).toBe('PreconditionFailed');
    expect(lease.lost.aborted).toBe(true);
    // A damaged document never locks the cluster: it counts as expired.
    const next = await store.acquireLease(cluster, { owner: 'b' });
    expect((await store.readLease(cluster))?.owner).toBe('b');
    await next.release();
  });

  it('withLease renews in the background, releases after fn (even when it throws)', async () => {
    const { store, vfs } = await fresh();
    const versions = new Set<string>();
    const result = await store.withLease(
      cluster,
      async (lease, signal) => {
        while (versions.size < 3) {
          versions.add((await vfs.stat(leaseKey(cluster))).version);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(signal.aborted).toBe(false);
        await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.31.0' } }, { lease });
        return 'done';
      },
      { ttlMs: 2000, renewEveryMs: 50 },
    );
    expect(result).toBe('done');
    expect(await store.readLease(cluster)).toBeUndefined();
    expect((await store.getCluster(cluster)).value.spec?.kubernetesVersion).toBe('1.31.0');
    const thrown = await store.withLease(cluster, async () => Promise.reject(new Error('boom'))).catch((e) => e);
    expect((thrown as Error).message).toBe('boom');
    expect(await store.readLease(cluster)).toBeUndefined();
  });

  it("withLease aborts fn's signal when the lease is lost, and reports the loss", async () => {
    const { store, vfs } = await fresh();
    const outcome = await store
      .withLease(
        cluster,
        async (_lease, signal) => {
          await vfs.write(leaseKey(cluster), 'taken'); // another holder, as far as the next renewal sees
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          return isStateStoreError(signal.reason, 'PreconditionFailed');
        },
        { ttlMs: 60_000, renewEveryMs: 20 },
      )
      .catch((err: unknown) => err);
    expect(isStateStoreError(outcome, 'PreconditionFailed')).toBe(true);
    expect(new TextDecoder().decode((await vfs.read(leaseKey(cluster))).body)).toBe('taken');
  });

  it('wait: polls until the holder releases, or until the signal aborts', async () => {
    const { store } = await fresh();
    const first = await store.acquireLease(cluster, { owner: 'first' });
    const aborted = new AbortController();
    const gaveUp = store.acquireLease(cluster, { wait: true, pollMs: 10, signal: aborted.signal });
    aborted.abort();
    expect(await codeOf(gaveUp)).toBe('Aborted');
    const waiting = store.acquireLease(cluster, { owner: 'second', wait: true, pollMs: 10 });
    setTimeout(() => void first.release(), 50);
    const second = await waiting;
    expect(second.owner).toBe('second');
    await second.release();
  });

  it("is never copied by a store move (it is the source's lock), with or without a listing per cluster", async () => {
    const { store, vfs } = await fresh();
    const lease = await store.acquireLease(cluster, { owner: 'mover' });
    for (const clusters of [undefined, [cluster]]) {
      const destination = await openVfs(`memfs://lease-moved-${process.pid}-${++n}`);
      await moveStateStore({ from: vfs, to: destination, ...(clusters ? { clusters } : {}) });
      const moved: string[] = [];
      for await (const info of destination.listAll()) moved.push(info.key);
      expect(moved).toContain(`${cluster}/config`);
      expect(moved).not.toContain(leaseKey(cluster));
    }
    await lease.release();
  });

  it("keeps kops's rules: the lease's key is neither a cluster nor refused by kops's deletion", async () => {
    const { store, vfs } = await fresh();
    const lease = await store.acquireLease(cluster);
    const keys: string[] = [];
    for await (const info of vfs.listAll()) keys.push(info.key);
    expect(keys).toContain(leaseKey(cluster));
    expect(kopsClusterNames(keys)).toEqual([cluster]);
    expect(kopsDeleteRefuses(cluster, keys)).toEqual([]);
    expect(await store.listClusters()).toEqual([cluster]);
    await lease.release();
  });
});

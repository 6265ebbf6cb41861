/**
 * Leases under hostile times (issue 25, items 11 and 12): ttls out of the documented range are
 * InvalidArgument before any I/O; the longest ttl arms no timer above 2^31-1 ms (no
 * TimeoutOverflowWarning, no renewal storm); a lease file claiming to expire far beyond its ttl,
 * or unreadable, is taken over; a ttl shorter than one write fails clearly and leaves no lease; a
 * missing cluster is NotFound; holder info is recorded, and documents written before it still
 * read; a bounded wait gives up with the holder named; many watches share one signal silently.
 */
import { openVfs } from '../../src/backends/registry.js';
import { openStateStore } from '../../src/store/open.js';
import { isStateStoreError, type StateStore } from '../../src/index.js';
import { createStoreLeases, leaseKey, MAX_TTL_MS } from '../../src/store/lease/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { loadTree, TREES } from './trees.js';
import { countingVfs } from './counting-vfs.js';

const tree = TREES[0]!;
const cluster = tree.cluster;
let n = 0;

async function fresh(): Promise<{ vfs: Vfs; store: StateStore }> {
  const vfs = await openVfs(`memfs://lease-bounds-${process.pid}-${++n}`);
  await loadTree(vfs, tree);
  return { vfs, store: await openStateStore(vfs) };
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { code: isStateStoreError(err) ? err.code : undefined, message: (err as Error).message };
  }
  throw new Error('expected a rejection');
}

/** The same Vfs whose writes of `key` answer only after `delayMs` (a slow store). */
function slowWrites(vfs: Vfs, key: string, delayMs: number): Vfs {
  return new Proxy(vfs, {
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'write') return value;
      return async (...args: Parameters<Vfs['write']>) => {
        const result = await target.write(...args);
        if (args[0] === key) await new Promise((resolve) => setTimeout(resolve, delayMs));
        return result;
      };
    },
  });
}

/** A lease document as the format before holder info wrote it: taken now, for a minute. */
function storedLease(owner: string, tokenDigit: string): Record<string, string | number> {
  const now = Date.now();
  return {
    kind: 'statestore.lease/v1',
    owner,
    token: tokenDigit.repeat(32),
    acquiredAt: new Date(now).toISOString(),
    renewedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
    ttlMs: 60_000,
  };
}

/** Collects process warnings while `body` runs. */
async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error): void => void seen.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  } finally {
    process.removeListener('warning', onWarning);
  }
  return seen;
}

describe('lease time bounds', () => {
  it('refuses ttls outside 100 ms..7 days before any I/O, with the range in the message', async () => {
    const { vfs } = await fresh();
    const counted = countingVfs(vfs);
    const leases = createStoreLeases(counted.vfs);
    for (const ttlMs of [1e16, 8.64e15, 1e20, 1e10, MAX_TTL_MS + 1, 99]) {
      const refused = await failure(leases.acquireLease(cluster, { ttlMs }));
      expect(refused.code).toBe('InvalidArgument');
      expect(refused.message).toContain('from 100 to 604800000');
    }
    expect((await failure(leases.acquireLease(cluster, { pollMs: 1e12 }))).code).toBe('InvalidArgument');
    expect((await failure(leases.acquireLease(cluster, { skewMs: 1e16 }))).code).toBe('InvalidArgument');
    expect((await failure(leases.acquireLease(cluster, { wait: true, maxWaitMs: -1 }))).code).toBe('InvalidArgument');
    expect(Object.values(counted.counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('the longest ttl arms no overflowing timer and renews on schedule, not in a storm', async () => {
    const { store, vfs } = await fresh();
    const counted = countingVfs(vfs);
    const leased = await openStateStore(counted.vfs);
    const warnings = await warningsDuring(async () => {
      await leased.withLease(cluster, () => new Promise((resolve) => setTimeout(resolve, 300)), {
        ttlMs: MAX_TTL_MS,
      });
    });
    expect(warnings).toEqual([]);
    // Taken (stat + create), released (delete); renewals every ttl/3 = 56 h: none in 300 ms.
    expect(counted.counts.write).toBe(1);
    expect(await store.readLease(cluster)).toBeUndefined();
  });

  it('takes over a lease file whose expiresAt is beyond its ttl, or that is not a lease at all', async () => {
    const { store, vfs } = await fresh();
    const tampered = { ...storedLease('mallory\u001b[2J', 'f'), expiresAt: '9999-12-31T23:59:59.000Z' };
    await vfs.write(leaseKey(cluster), JSON.stringify(tampered));
    const info = await store.readLease(cluster);
    expect([info?.trusted, info?.expired]).toEqual([false, true]);
    const lease = await store.acquireLease(cluster, { owner: 'rescuer' });
    expect((await store.readLease(cluster))?.owner).toBe('rescuer');
    await lease.release();

    // renewedAt moved along (both in the far future): still beyond ttl + skew from now.
    await vfs.write(leaseKey(cluster), JSON.stringify({ ...tampered, renewedAt: '9999-12-31T23:58:59.000Z' }));
    const second = await store.acquireLease(cluster, { owner: 'rescuer' });
    await second.release();

    await vfs.write(leaseKey(cluster), JSON.stringify({ ...tampered, expiresAt: 'not a time' }));
    const third = await store.acquireLease(cluster, { owner: 'rescuer' });
    await third.release();
  });

  it('a live lease written within its ttl still holds (the rule spares honest holders)', async () => {
    const { store } = await fresh();
    const lease = await store.acquireLease(cluster, { owner: 'honest', ttlMs: 3_600_000 });
    expect((await failure(store.acquireLease(cluster, { owner: 'other' }))).code).toBe('Conflict');
    await lease.release();
  });

  it('a ttl shorter than one write fails with InvalidArgument and leaves no lease behind', async () => {
    const { store, vfs } = await fresh();
    const slow = createStoreLeases(slowWrites(vfs, leaseKey(cluster), 300));
    const refused = await failure(slow.acquireLease(cluster, { ttlMs: 100, owner: 'hasty' }));
    expect(refused.code).toBe('InvalidArgument');
    expect(refused.message).toMatch(/took \d+ ms to write, longer than its ttl of 100 ms/);
    expect(refused.message).not.toContain('hasty');
    expect(await store.readLease(cluster)).toBeUndefined();
    const next = await store.acquireLease(cluster, { owner: 'next' });
    await next.release();
  });

  it('refuses a lease on a cluster that does not exist (NotFound), writing nothing', async () => {
    const { store, vfs } = await fresh();
    const refused = await failure(store.acquireLease('missing.example.com'));
    expect(refused.code).toBe('NotFound');
    expect(refused.message).toContain('missing.example.com');
    const written: string[] = [];
    for await (const info of vfs.listAll({ prefix: 'missing.example.com/' })) written.push(info.key);
    expect(written).toEqual([]);
  });

  it('records holder info, and reads lease files written before it', async () => {
    const { store, vfs } = await fresh();
    const lease = await store.acquireLease(cluster, { owner: 'ci-42', operation: 'upgrade 1.30' });
    const info = await store.readLease(cluster);
    expect(info).toMatchObject({ id: lease.id, owner: 'ci-42', operation: 'upgrade 1.30', pid: process.pid });
    expect(typeof info?.host).toBe('string');
    expect(lease.id).toBe(lease.token);
    const refused = await failure(store.acquireLease(cluster, { owner: 'bob' }));
    expect(refused.message).toContain('"upgrade 1.30"');
    expect(refused.message).toContain(lease.id);
    await lease.release();

    // The format before holder info: same kind, no operation, host or pid.
    const old = storedLease('old@host pid 7', 'a');
    await vfs.write(leaseKey(cluster), JSON.stringify(old));
    const read = await store.readLease(cluster);
    expect(read).toMatchObject({ id: old.token, owner: old.owner, expired: false, trusted: true });
    expect(read?.operation).toBeUndefined();
    expect((await failure(store.acquireLease(cluster, { owner: 'bob' }))).message).toContain('"old@host pid 7"');
  });

  it('a bounded wait gives up with Conflict naming the holder; an unbounded one gets the lease after release', async () => {
    const { store } = await fresh();
    const holder = await store.acquireLease(cluster, { owner: 'holder' });
    const started = performance.now();
    const gaveUp = await failure(store.acquireLease(cluster, { owner: 'waiter', wait: true, maxWaitMs: 400 }));
    const waited = performance.now() - started;
    expect(gaveUp.code).toBe('Conflict');
    expect(gaveUp.message).toContain('"holder"');
    expect(waited).toBeGreaterThanOrEqual(390);
    expect(waited).toBeLessThan(3_000);

    setTimeout(() => void holder.release(), 300);
    const next = await store.acquireLease(cluster, { owner: 'waiter', wait: true, maxWaitMs: 10_000 });
    expect((await store.readLease(cluster))?.owner).toBe('waiter');
    await next.release();
  });
});

describe('watches sharing one AbortSignal', () => {
  it('15 watches on one signal print no MaxListeners warning and all end when it aborts', async () => {
    const { store } = await fresh();
    const controller = new AbortController();
    const warnings = await warningsDuring(async () => {
      const iterators = Array.from({ length: 15 }, () =>
        store.watch(cluster, { signal: controller.signal, intervalMs: 50 })[Symbol.asyncIterator](),
      );
      for (const iterator of iterators) expect((await iterator.next()).value?.change).toBe('current');
      const ends = iterators.map((iterator) => iterator.next());
      controller.abort();
      for (const end of await Promise.all(ends)) expect(end.done).toBe(true);
    });
    expect(warnings).toEqual([]);
  });
});

/**
 * An acquire that fails after its lease write may have landed (the caller's signal aborted it,
 * a cut connection): before the failure reaches the caller, the lease that write carried is
 * withdrawn, so no lease held by nobody blocks the cluster for its ttl; a lease someone else took
 * meanwhile is left alone. The write lands and only then is the acquire aborted:
 * - memfs and file://: through a Vfs whose next lease write reaches the store, then fails;
 * - Azurite: through a proxy that holds the server's answer to the lease's PUT (the blob is
 *   written) while the test aborts, and lets it go once the acquire has settled.
 * A held lease's renewal and release, aborted after their request landed (or before), likewise
 * leave the holder knowing what the store has (the same two techniques; on Azurite the renewal).
 */
import { openVfs } from '../../src/backends/registry.js';
import { abortedError, StateStoreError } from '../../src/errors.js';
import { createStoreLeases, leaseKey, type StoreLeases } from '../../src/store/lease/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { fileTarget, memoryTarget, stopAll } from '../backends/targets.js';
import { rejection } from '../helpers/index.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';

const cluster = 'abort.example.com';

/** A store, and leases on it whose next lease write lands, then runs `between`, aborts `controller` and fails. */
interface Rig {
  vfs: Vfs;
  /** Azurite only: the same store through the fault proxy (whose next accepted lease PUT waits on `hold`). */
  proxied?: Vfs;
  landThenAbort(controller: AbortController, between?: () => Promise<void>): StoreLeases;
}

/** What the next lease write or delete through {@link trapped} does: it lands (or not), then fails with `failure()`. */
interface Trap {
  failure?: () => Promise<Error>;
  lands?: boolean;
  /** When set, the next read of a lease fails (Unavailable) and clears it: a store unreachable for one look. */
  unreadable?: boolean;
}

/** The Vfs `vfs`, except that while `trap.failure` is set, its next accepted write or delete of a lease fails as `trap` says. */
function trapped(vfs: Vfs, trap: Trap): Vfs {
  return new Proxy(vfs, {
    get: (target, property) => {
      if (property === 'write' || property === 'delete')
        return async (...args: [string, ...unknown[]]) => {
          const failure = args[0] === leaseKey(cluster) ? trap.failure : undefined;
          const act = (): Promise<unknown> => Reflect.apply(target[property], target, args) as Promise<unknown>;
          if (failure === undefined) return act();
          if (trap.lands !== false) await act(); // a refusal (the lease exists) passes through, trap still set
          trap.failure = undefined;
          throw await failure();
        };
      if (property === 'read' && trap.unreadable === true)
        return async (...args: Parameters<Vfs['read']>) => {
          if (args[0] !== leaseKey(cluster)) return target.read(...args);
          trap.unreadable = false;
          throw new StateStoreError('Unavailable', 'store unreachable for this look', { retryable: true });
        };
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The Vfs `vfs`, except that its next write of a lease lands, then fails as `failure` says. */
function landThenFail(vfs: Vfs, failure: () => Promise<Error>): Vfs {
  return trapped(vfs, { failure });
}

/** memfs or file://: the write lands in the store, then the call reports the caller's abort. */
async function localRig(fresh: () => Promise<{ vfs: Vfs }>): Promise<Rig> {
  const { vfs } = await fresh();
  return {
    vfs,
    landThenAbort: (controller, between) =>
      createStoreLeases(
        landThenFail(vfs, async () => {
          await between?.();
          controller.abort();
          return abortedError(controller.signal);
        }),
      ),
  };
}

let azurite: AzuriteHandle | undefined;
let proxy: FaultProxy | undefined;
/** What the proxy does with the next answer to a lease PUT, before passing it on. */
let hold: (() => Promise<void>) | undefined;
let azureRuns = 0;

/** Azurite behind a proxy: the lease's PUT is acted on by Azurite; its answer waits while the test aborts. */
async function azureRig(): Promise<Rig> {
  azurite ??= await startAzurite();
  const origin = new URL(azurite.endpoint).origin;
  proxy ??= await startFaultProxy({
    target: origin,
    flavour: 'azure',
    beforeAnswer: async (request, answer) => {
      // A lease write that Azurite accepted (not a create-if-absent refused because one exists).
      const accepted = (answer.statusCode ?? 0) < 300 && request.method === 'PUT';
      if (!accepted || !decodeURIComponent(request.path).endsWith(leaseKey(cluster))) return;
      const held = hold;
      hold = undefined;
      await held?.();
    },
  });
  const { BlobServiceClient } = await import('@azure/storage-blob');
  await BlobServiceClient.fromConnectionString(azurite.connectionString)
    .getContainerClient('abort')
    .createIfNotExists();
  const url = `azureblob://${azurite.accountName}/abort/run-${++azureRuns}`;
  const direct = await openVfs(url, { env: {}, azure: { accountKey: azurite.accountKey, endpoint: azurite.endpoint } });
  const endpoint = `${proxy.endpoint}/${azurite.accountName}`;
  const proxied = await openVfs(url, { env: {}, azure: { accountKey: azurite.accountKey, endpoint } });
  closers.push(
    () => direct.close(),
    () => proxied.close(),
  );
  return {
    vfs: direct,
    proxied,
    landThenAbort: (controller, between) => {
      const leases = createStoreLeases(proxied);
      let settled!: () => void;
      const done = new Promise<void>((resolve) => (settled = resolve));
      hold = async () => {
        await between?.();
        controller.abort();
        await done; // the answer reaches a client that has given up, after its clean-up
      };
      return {
        ...leases,
        acquireLease: (name, options) => {
          const acquired = leases.acquireLease(name, options);
          void acquired.then(settled, settled);
          return acquired;
        },
      };
    },
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  await proxy?.stop();
  await azurite?.stop();
  await stopAll();
});

/** An expired lease of someone else's, as a holder that died leaves it. */
async function writeExpired(vfs: Vfs): Promise<void> {
  const past = new Date(Date.now() - 120_000).toISOString();
  const doc = { kind: 'statestore.lease/v1', owner: 'dead', token: 'f'.repeat(32), ttlMs: 60_000 };
  await vfs.write(leaseKey(cluster), JSON.stringify({ ...doc, acquiredAt: past, renewedAt: past, expiresAt: past }));
}

describe.each([
  ['memory', () => localRig(() => memoryTarget.fresh())],
  ['file', () => localRig(() => fileTarget.fresh())],
  ['azure (Azurite)', azureRig],
] as const)('an aborted acquire on %s', (_name, rigOf) => {
  let rig: Rig;
  let leases: StoreLeases;
  beforeEach(async () => {
    rig = await rigOf();
    leases = createStoreLeases(rig.vfs);
    await rig.vfs.write(`${cluster}/config`, 'kind: Cluster\n');
  });

  it.each([
    ['created', false],
    ['taken over from an expired holder', true],
  ])('whose lease landed (%s) leaves no lease behind', async (_how, expired) => {
    if (expired) await writeExpired(rig.vfs);
    const controller = new AbortController();
    let landed: string | undefined;
    const racer = rig.landThenAbort(controller, async () => {
      landed = (await leases.readLease(cluster))?.owner;
    });
    const err = await rejection(racer.acquireLease(cluster, { owner: 'aborted', signal: controller.signal }));
    expect({ landed, code: err.code }).toEqual({ landed: 'aborted', code: 'Aborted' });
    expect(await leases.readLease(cluster)).toBeUndefined();
    // The next taker gets it at once, not after the aborted one's 60 s ttl.
    await (await leases.acquireLease(cluster, { owner: 'next' })).release();
  });

  it('leaves alone a lease someone else took meanwhile', async () => {
    const controller = new AbortController();
    let other: Awaited<ReturnType<StoreLeases['acquireLease']>> | undefined;
    const racer = rig.landThenAbort(controller, async () => {
      // The aborted one's lease is removed by force (`lease release --force ID`), and taken again.
      await rig.vfs.delete(leaseKey(cluster));
      other = await leases.acquireLease(cluster, { owner: 'other' });
    });
    const err = await rejection(racer.acquireLease(cluster, { owner: 'aborted', signal: controller.signal }));
    expect(err.code).toBe('Aborted');
    expect(await leases.readLease(cluster)).toMatchObject({ owner: 'other', id: other!.id });
    await other!.renew(); // still at the version it wrote: untouched
    await other!.release();
  });
});

describe('the clean-up of an aborted acquire (memory)', () => {
  it('is bounded, quiet, and passes on the write failure itself, also when the store does not answer', async () => {
    const { vfs } = await memoryTarget.fresh();
    await vfs.write(`${cluster}/config`, 'kind: Cluster\n');
    const cut = new StateStoreError('Unavailable', 'connection cut after the server acted', { retryable: true });
    // Its reads hang until their signal fires: the clean-up's own bound, not the caller's.
    let readSignal: AbortSignal | undefined;
    const silent = new Proxy(
      landThenFail(vfs, async () => cut),
      {
        get: (target, property) =>
          property === 'read' || property === 'readStream'
            ? (_key: string, options: { signal?: AbortSignal } = {}) =>
                new Promise((_resolve, reject) => {
                  readSignal = options.signal;
                  options.signal?.addEventListener('abort', () => reject(abortedError(options.signal)));
                })
            : (Reflect.get(target, property, target) as unknown),
      },
    );
    const err = await rejection(createStoreLeases(silent).acquireLease(cluster, { owner: 'cut' }));
    expect(err).toBe(cut);
    expect(readSignal?.aborted).toBe(true);
    // Not withdrawn (the store never answered): the lease stays until its ttl, as before.
    expect((await createStoreLeases(vfs).readLease(cluster))?.owner).toBe('cut');
  });
});

/**
 * A held lease whose renewal or release is aborted (or fails) after its request landed, or before:
 * the holder learns what the store has, so that it neither gives up a lease it still holds nor
 * leaves one nobody holds. memfs and file://, through a Vfs whose next lease write or delete lands
 * (or not), then reports the caller's abort.
 */
describe.each([
  ['memory', () => memoryTarget.fresh()],
  ['file', () => fileTarget.fresh()],
] as const)('a held lease on %s', (_name, fresh) => {
  let vfs: Vfs;
  let leases: StoreLeases;
  let trap: Trap;
  let lease: Awaited<ReturnType<StoreLeases['acquireLease']>>;
  beforeEach(async () => {
    ({ vfs } = await fresh());
    leases = createStoreLeases(vfs);
    await vfs.write(`${cluster}/config`, 'kind: Cluster\n');
    trap = {};
    lease = await createStoreLeases(trapped(vfs, trap)).acquireLease(cluster, { owner: 'holder' });
  });

  /** Arms the trap: the next lease request lands (or not), then fails with the abort of a fresh signal. */
  function abortNext(lands: boolean): AbortSignal {
    const controller = new AbortController();
    trap.lands = lands;
    trap.failure = async () => {
      controller.abort();
      return abortedError(controller.signal);
    };
    return controller.signal;
  }

  /** The owner of the live lease in the store, if any. */
  async function liveOwner(): Promise<string | undefined> {
    const info = await leases.readLease(cluster);
    return info === undefined || info.expired ? undefined : info.owner;
  }

  it('whose renewal landed before its abort keeps it: the next renewal and the release succeed', async () => {
    const before = (await leases.readLease(cluster))!;
    const err = await rejection(lease.renew({ signal: abortNext(true) }));
    const after = (await leases.readLease(cluster))!;
    expect({ code: err.code, held: lease.held, moved: after.version !== before.version }).toEqual({
      code: 'Aborted',
      held: true,
      moved: true,
    });
    // Before: this swap was against the version before the renewal, found it "changed", lost the lease.
    await lease.renew();
    expect({ held: lease.held, owner: await liveOwner() }).toEqual({ held: true, owner: 'holder' });
    await lease.release();
    expect(await leases.readLease(cluster)).toBeUndefined();
  });

  it.each([
    ['renews it', false],
    ['releases it', true],
  ])('whose renewal landed, then could not be looked at, still holds it: the next call %s', async (_what, release) => {
    const signal = abortNext(true);
    trap.unreadable = true; // the renewal's look-back fails: the holder keeps the version before it
    expect((await rejection(lease.renew({ signal }))).code).toBe('Aborted');
    // Its swap (or conditional delete) is refused at that version; the lease still carries its id.
    if (release) await lease.release();
    else await lease.renew();
    expect({ held: lease.held, owner: await liveOwner() }).toEqual(
      release ? { held: false, owner: undefined } : { held: true, owner: 'holder' },
    );
    await lease.release();
    expect(await liveOwner()).toBeUndefined();
  });

  it('whose renewal did not land keeps the version it had', async () => {
    const before = (await leases.readLease(cluster))!;
    expect((await rejection(lease.renew({ signal: abortNext(false) }))).code).toBe('Aborted');
    expect((await leases.readLease(cluster))!.version).toBe(before.version);
    await lease.renew();
    await lease.release();
    expect(await leases.readLease(cluster)).toBeUndefined();
  });

  it.each([
    ['landed', true],
    ['did not land', false],
  ])('whose release %s before its abort leaves no lease behind', async (_how, lands) => {
    // Before: a release that did not land rejected with the abort, could not be retried (it is
    // idempotent), and the lease held the cluster for its ttl.
    await lease.release({ signal: abortNext(lands) });
    expect({ held: lease.held, owner: await liveOwner() }).toEqual({ held: false, owner: undefined });
    await (await leases.acquireLease(cluster, { owner: 'next' })).release();
  });

  it('whose release failed leaves alone a lease someone else took meanwhile', async () => {
    const controller = new AbortController();
    trap.lands = false;
    trap.failure = async () => {
      await vfs.delete(leaseKey(cluster)); // `lease release --force ID`, then another taker
      await leases.acquireLease(cluster, { owner: 'other' });
      controller.abort();
      return abortedError(controller.signal);
    };
    await lease.release({ signal: controller.signal });
    expect(await liveOwner()).toBe('other');
  });
});

describe('a held lease on azure (Azurite)', () => {
  it('whose renewal Azurite acted on while its holder aborted keeps it: the next renewal succeeds', async () => {
    const rig = await azureRig();
    await rig.vfs.write(`${cluster}/config`, 'kind: Cluster\n');
    const leases = createStoreLeases(rig.vfs);
    const lease = await createStoreLeases(rig.proxied!).acquireLease(cluster, { owner: 'holder' });
    const before = (await leases.readLease(cluster))!.version;
    const controller = new AbortController();
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    hold = async () => {
      controller.abort();
      await done; // Azurite's answer reaches a client that has given up, after its look-back
    };
    const renewing = lease.renew({ signal: controller.signal });
    void renewing.then(settled, settled);
    const err = await rejection(renewing);
    const moved = (await leases.readLease(cluster))!.version !== before;
    expect({ code: err.code, moved, held: lease.held }).toEqual({ code: 'Aborted', moved: true, held: true });
    await lease.renew();
    await lease.release();
    expect(await leases.readLease(cluster)).toBeUndefined();
  });
});

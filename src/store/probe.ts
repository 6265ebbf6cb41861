import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isStateStoreError } from '../errors.js';
import type { CallOptions, StoreFacts, Vfs } from '../vfs/types.js';

/**
 * Whether the store enforces a condition, as seen from a test of it: `honoured` (it refused what it
 * had to), `ignored` (it claimed to, and did not: the dangerous case), `not-claimed` (the backend
 * refuses the condition itself with Unsupported, before any request).
 */
export type ConditionSupport = 'honoured' | 'ignored' | 'not-claimed';

/** What {@link probeStore} found, and what it means for statestore's guarantees. */
export interface StoreProbe {
  /** The store probed (no credentials). */
  url: string;
  /** Its backend (`s3`, `swift`, ...). */
  backend: string;
  /** What the store did with each condition statestore relies on. */
  conditions: {
    /** Create-if-absent (`ifNoneMatch: "*"`) on write. */
    create: ConditionSupport;
    /** Compare-and-swap (`ifMatch`) on write. */
    compareAndSwap: ConditionSupport;
    /** Create-if-absent on copy (moves' create-only copies). */
    copy: ConditionSupport;
    /** `ifMatch` on delete. */
    delete: ConditionSupport;
  };
  /** What only the backend knows (object versioning, default encryption); empty when it cannot say. */
  facts: StoreFacts;
  /** Median round trip of a few small requests (stat), in milliseconds. */
  latencyMs: number;
  /** What the conditions mean for statestore's operations. */
  guarantees: {
    /** `safe`: compare-and-swap; `lease`: serialised by the cluster's lease (statestore writers only); `unsupported`: refused; `unsafe`: updates can be lost. */
    mergeConfig: 'safe' | 'lease' | 'unsupported' | 'unsafe';
    /** `safe`: exclusive; `unsupported`: refused; `unsafe`: two holders possible. */
    leases: 'safe' | 'unsupported' | 'unsafe';
    /** A move's copies: `create-only` (never overwrite), `overwrite` (the store cannot refuse a taken key), `unsafe` (claimed, not kept). */
    moveCopies: 'create-only' | 'overwrite' | 'unsafe';
    /** `deleteSource` of a move: `conditional` (only the version verified), `unconditional`, `unsafe`. */
    deleteSource: 'conditional' | 'unconditional' | 'unsafe';
  };
  /** True when mergeConfig or leases would be unsafe (the CLI's `doctor` then exits non-zero). */
  unsafe: boolean;
}

const LATENCY_SAMPLES = 5;

/**
 * Tests what the store really enforces, on scratch objects under `statestore-doctor-<random>/`
 * (deleted after), and what that means for statestore's guarantees. A condition the backend claims
 * is tried both ways: the call that must be refused, then the one that must pass.
 *
 * @example
 * ```ts
 * import { openVfs, probeStore } from 'kops-statestore';
 *
 * const report = await probeStore(await openVfs('s3://my-state-store'));
 * if (report.unsafe) console.error(`merges: ${report.guarantees.mergeConfig}, leases: ${report.guarantees.leases}`);
 * ```
 */
export async function probeStore(vfs: Vfs, options: CallOptions = {}): Promise<StoreProbe> {
  const { signal } = options;
  const root = `statestore-doctor-${randomBytes(6).toString('hex')}`;
  try {
    const first = await vfs.write(`${root}/a`, 'one', { signal });
    const latencyMs = await medianStat(vfs, `${root}/a`, signal);
    const conditions = {
      create: await tryCreate(vfs, `${root}/a`, signal),
      compareAndSwap: await trySwap(vfs, `${root}/a`, first.version, signal),
      copy: await tryCopy(vfs, root, signal),
      delete: await tryDelete(vfs, `${root}/a`, first.version, signal),
    };
    const facts = (await vfs.describeStore?.({ signal })) ?? {};
    const guarantees = judge(conditions);
    const unsafe = guarantees.mergeConfig === 'unsafe' || guarantees.leases === 'unsafe';
    return { url: vfs.url, backend: vfs.backend, conditions, facts, latencyMs, guarantees, unsafe };
  } finally {
    for await (const object of vfs.listAll({ prefix: `${root}/` })) await vfs.delete(object.key).catch(() => undefined);
  }
}

function judge(c: StoreProbe['conditions']): StoreProbe['guarantees'] {
  const anyIgnored = c.create === 'ignored' || c.compareAndSwap === 'ignored';
  const mergeConfig =
    c.compareAndSwap === 'honoured'
      ? 'safe'
      : anyIgnored
        ? 'unsafe'
        : c.create === 'honoured'
          ? 'lease'
          : 'unsupported';
  const leases = anyIgnored
    ? 'unsafe'
    : c.create === 'honoured' && c.compareAndSwap === 'honoured'
      ? 'safe'
      : 'unsupported';
  const moveCopies = c.copy === 'honoured' ? 'create-only' : c.copy === 'ignored' ? 'unsafe' : 'overwrite';
  const deleteSource = c.delete === 'honoured' ? 'conditional' : c.delete === 'ignored' ? 'unsafe' : 'unconditional';
  return { mergeConfig, leases, moveCopies, deleteSource };
}

/** Runs `refused` (must fail with `code`) unless the backend refuses the condition itself. */
async function outcome(refused: () => Promise<unknown>, code: string): Promise<ConditionSupport> {
  try {
    await refused();
    return 'ignored';
  } catch (err) {
    if (isStateStoreError(err, 'Unsupported')) return 'not-claimed';
    if (isStateStoreError(err, code as never)) return 'honoured';
    throw err;
  }
}

function tryCreate(vfs: Vfs, key: string, signal?: AbortSignal): Promise<ConditionSupport> {
  return outcome(() => vfs.write(key, 'overwritten', { ifNoneMatch: '*', signal }), 'AlreadyExists');
}

async function trySwap(vfs: Vfs, key: string, version: string, signal?: AbortSignal): Promise<ConditionSupport> {
  const current = await vfs.write(key, 'two', { signal });
  const stale = await outcome(() => vfs.write(key, 'stale', { ifMatch: version, signal }), 'PreconditionFailed');
  if (stale !== 'honoured') return stale;
  // Also the write that must pass: a server refusing every If-Match loses no update, but merges
  // nothing either.
  await vfs.write(key, 'three', { ifMatch: current.version, signal });
  return 'honoured';
}

async function tryCopy(vfs: Vfs, root: string, signal?: AbortSignal): Promise<ConditionSupport> {
  await vfs.write(`${root}/b`, 'taken', { signal });
  return outcome(() => vfs.copy(`${root}/a`, `${root}/b`, { ifNoneMatch: '*', signal }), 'AlreadyExists');
}

async function tryDelete(vfs: Vfs, key: string, stale: string, signal?: AbortSignal): Promise<ConditionSupport> {
  const result = await outcome(() => vfs.delete(key, { ifMatch: stale, signal }), 'PreconditionFailed');
  if (result === 'honoured') await vfs.stat(key, { signal }); // still there
  return result;
}

async function medianStat(vfs: Vfs, key: string, signal?: AbortSignal): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const start = performance.now();
    await vfs.stat(key, { signal });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10;
}

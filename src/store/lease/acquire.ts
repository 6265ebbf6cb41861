import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import { sleep } from '../../vfs/retry.js';
import type { CallOptions, Vfs } from '../../vfs/types.js';
import { validateClusterName } from '../names.js';
import { layout } from '../layout.js';
import {
  heldError,
  leaseDocument,
  leaseKey,
  liveUntil,
  MAX_TTL_MS,
  MIN_TTL_MS,
  newToken,
  parseLease,
  type Holder,
  type LeaseDocument,
} from './document.js';
import { MAX_TIMER_MS } from './timers.js';
import { HeldLease, type Written } from './held-lease.js';
import type { LeaseInfo, LeaseOptions } from './types.js';
import { oversizedInfo, readCapped } from '../capped-read.js';
import { giveBack, refused, withdrawIfOurs } from './withdraw.js';

/** The default lease duration: long enough for a slow request, short enough that a crash costs a minute. */
export const DEFAULT_TTL_MS = 60_000;
/** The default clock-skew margin a taker adds before it calls a lease expired. */
export const DEFAULT_SKEW_MS = 1_000;

/** Options with their defaults, checked before any I/O. */
export interface Settled {
  ttlMs: number;
  holder: Holder;
  skewMs: number;
  pollMs: number;
  wait: boolean;
  /** With `wait`: the deadline (performance.now()) after which a live lease is reported as held. */
  waitUntil: number;
  signal?: AbortSignal;
}

/** Checks the cluster name and the options, before any I/O (the capabilities: {@link assertCapable}). */
export function settle(cluster: string, options: LeaseOptions): Settled {
  validateClusterName(cluster);
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  inRange('ttlMs', ttlMs, MIN_TTL_MS, MAX_TTL_MS);
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
  inRange('skewMs', skewMs, 0, MAX_TTL_MS);
  const pollMs = options.pollMs ?? Math.min(5_000, Math.max(100, ttlMs / 10));
  inRange('pollMs', pollMs, 1, MAX_TTL_MS);
  const maxWaitMs = options.maxWaitMs ?? Infinity;
  if (options.maxWaitMs !== undefined) inRange('maxWaitMs', maxWaitMs, 0, Number.MAX_SAFE_INTEGER);
  const holder: Holder = { owner: options.owner ?? defaultOwner(), host: hostname(), pid: process.pid };
  if (typeof holder.owner !== 'string' || holder.owner.trim() === '' || holder.owner.length > 256)
    throw new StateStoreError('InvalidArgument', 'owner must be a non-empty string of at most 256 characters');
  if (options.operation !== undefined) {
    if (typeof options.operation !== 'string' || options.operation.length > 256)
      throw new StateStoreError('InvalidArgument', 'operation must be a string of at most 256 characters');
    holder.operation = options.operation;
  }
  const waitUntil = performance.now() + maxWaitMs;
  return { ttlMs, holder, skewMs, pollMs, wait: options.wait === true, waitUntil, signal: options.signal };
}

/** A number of milliseconds in [min, max], else InvalidArgument naming the documented range. */
export function inRange(name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (min > 0 && value <= 0))
    throw new StateStoreError(
      'InvalidArgument',
      `${name} must be a number of milliseconds from ${min} to ${max} (${max / 3_600_000} h), not ${String(value)}`,
    );
}

/**
 * Leases need create-if-absent and compare-and-swap; without them no lease could be exclusive.
 * Asked of the backend (an S3 store probes its dialect here, once), before the lease's own I/O.
 */
export async function assertCapable(vfs: Vfs, signal?: AbortSignal): Promise<void> {
  const { ifNoneMatch, ifMatch } = await vfs.loadCapabilities({ signal });
  if (!ifNoneMatch || !ifMatch)
    throw new StateStoreError(
      'Unsupported',
      `leases need create-if-absent and compare-and-swap, which the ${vfs.backend} backend cannot enforce`,
      { backend: vfs.backend },
    );
}

/** `user@host pid N`: enough for a person to find the holder. */
function defaultOwner(): string {
  let user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container's arbitrary uid): keep the environment's name
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

/** See `StoreLeases.acquireLease`. */
export async function acquireLease(vfs: Vfs, cluster: string, options: LeaseOptions = {}): Promise<HeldLease> {
  const settled = settle(cluster, options);
  await assertCapable(vfs, settled.signal);
  await assertClusterExists(vfs, cluster, settled.signal);
  const key = leaseKey(cluster);
  for (let looks = 0; ; looks++) {
    const written = await attempt(vfs, key, settled);
    if (typeof written !== 'string') return heldOrTooSlow(vfs, cluster, written);
    if (written === 'retry') continue;
    const current = await readCurrent(vfs, key, settled.signal);
    if (current === undefined) continue; // released meanwhile: try to create it again
    const now = Date.now();
    const until = current.doc === undefined ? undefined : liveUntil(current.doc, now, settled.skewMs);
    if (until === undefined || now > until) {
      const taken = await takeOver(vfs, key, current.version, settled);
      if (taken !== undefined) return heldOrTooSlow(vfs, cluster, taken);
      continue; // another taker won the swap: look again
    }
    if (!settled.wait || performance.now() >= settled.waitUntil) throw heldError(cluster, current.doc!, key);
    await sleep(waitDelay(settled, looks, until - now), settled.signal);
  }
}

/**
 * The wait before the next look at a live lease: backoff from 50 ms doubling (with jitter) up to
 * `pollMs`, never past the lease's expiry nor the end of `maxWaitMs` (so a waiter looks once more
 * right then), and never above 2^31-1 ms, the most a Node timer can wait.
 */
function waitDelay(settled: Settled, looks: number, untilExpiry: number): number {
  const backoff = Math.min(settled.pollMs, 50 * 2 ** Math.min(looks, 20)) * (0.8 + Math.random() * 0.4);
  const untilGiveUp = settled.waitUntil - performance.now();
  return Math.max(1, Math.min(backoff, settled.pollMs, untilExpiry + 1, untilGiveUp, MAX_TIMER_MS));
}

/** Leases are on clusters: one that does not exist (no `config`) is NotFound, before anything is written. */
async function assertClusterExists(vfs: Vfs, cluster: string, signal: AbortSignal | undefined): Promise<void> {
  try {
    await vfs.stat(layout.config(cluster), { signal });
  } catch (err) {
    if (isStateStoreError(err, 'NotFound'))
      throw new StateStoreError('NotFound', `cluster "${cluster}" not found: no lease taken`, {
        key: layout.config(cluster),
      });
    throw err;
  }
}

/**
 * The lease just written, or, when the write answered only after the lease's own ttl (a ttl
 * shorter than one write to this store), InvalidArgument, after removing what was written so that
 * no lease nobody holds blocks the cluster.
 */
async function heldOrTooSlow(vfs: Vfs, cluster: string, written: Written): Promise<HeldLease> {
  const lease = new HeldLease(vfs, cluster, written);
  if (lease.held) return lease;
  const tookMs = Math.round(performance.now() - written.sentAt);
  const key = leaseKey(cluster);
  await giveBack(vfs, key, written.doc, written.version).catch(() => undefined);
  throw new StateStoreError(
    'InvalidArgument',
    `the lease on cluster "${cluster}" took ${tookMs} ms to write, longer than its ttl of ${written.doc.ttlMs} ms: ` +
      'nothing is held (what was written is removed); use a ttl well above the time of one write to this store',
    { key },
  );
}

/** Create-if-absent. `'exists'` when someone holds (or held) the lease. */
async function attempt(vfs: Vfs, key: string, settled: Settled): Promise<Written | 'exists' | 'retry'> {
  try {
    return await sendLease(vfs, key, settled, { ifNoneMatch: '*' });
  } catch (err) {
    if (isStateStoreError(err, 'AlreadyExists')) return 'exists';
    // A collision the backend reports as retryable (Azure, GCS under a race): look again.
    if (isStateStoreError(err, 'Conflict') || isStateStoreError(err, 'PreconditionFailed')) return 'retry';
    throw err;
  }
}

/** A takeover: compare-and-swap on the expired document's version, so that of N takers one wins. */
async function takeOver(vfs: Vfs, key: string, version: string, settled: Settled): Promise<Written | undefined> {
  try {
    return await sendLease(vfs, key, settled, { ifMatch: version });
  } catch (err) {
    if (refused(err)) return undefined;
    throw err;
  }
}

/**
 * Writes a new lease document (a new token) under `condition`. A failure other than a refusal
 * (an abort, a timeout, a cut connection) may still have landed: what it wrote is withdrawn
 * (read back, removed if it carries this token) before the failure is passed on, so that an
 * aborted acquire leaves no lease that nobody holds. Inline, not in the background: once
 * `acquireLease` rejects, the clean-up is over, also in a process that exits right after (Ctrl-C).
 */
async function sendLease(
  vfs: Vfs,
  key: string,
  settled: Settled,
  condition: { ifNoneMatch: '*' } | { ifMatch: string },
): Promise<Written> {
  const sentAt = performance.now();
  const doc = leaseDocument({ ...settled.holder, token: newToken(), ttlMs: settled.ttlMs }, Date.now());
  try {
    const info = await vfs.write(key, JSON.stringify(doc), {
      ...condition,
      contentType: 'application/json',
      signal: settled.signal,
    });
    return { doc, version: info.version, sentAt };
  } catch (err) {
    if (!refused(err)) await withdrawIfOurs(vfs, key, doc.token);
    throw err;
  }
}

async function readCurrent(
  vfs: Vfs,
  key: string,
  signal: AbortSignal | undefined,
): Promise<{ doc: LeaseDocument | undefined; version: string } | undefined> {
  try {
    const { body, info } = await readCapped(vfs, key, { what: `lease ${key}`, signal });
    return { doc: parseLease(body), version: info.version };
  } catch (err) {
    if (isStateStoreError(err, 'NotFound')) return undefined;
    // A lease file over the cap is damaged like any other unreadable one: it never locks the cluster.
    const oversized = oversizedInfo(err);
    if (oversized !== undefined) return { doc: undefined, version: oversized.version };
    throw err;
  }
}

/** See `StoreLeases.readLease`. */
export async function readLease(vfs: Vfs, cluster: string, options: CallOptions = {}): Promise<LeaseInfo | undefined> {
  validateClusterName(cluster);
  const key = leaseKey(cluster);
  const current = await readCurrent(vfs, key, options.signal);
  if (current === undefined) return undefined;
  const doc = current.doc;
  if (doc === undefined) throw new StateStoreError('IntegrityError', `${key} is not a statestore lease`, { key });
  const now = Date.now();
  const trusted = liveUntil(doc, now, DEFAULT_SKEW_MS) !== undefined;
  return {
    cluster,
    id: doc.token,
    owner: doc.owner,
    ...(doc.operation === undefined ? {} : { operation: doc.operation }),
    ...(doc.host === undefined ? {} : { host: doc.host }),
    ...(doc.pid === undefined ? {} : { pid: doc.pid }),
    acquiredAt: new Date(doc.acquiredAt),
    renewedAt: new Date(doc.renewedAt),
    expiresAt: new Date(doc.expiresAt),
    ttlMs: doc.ttlMs,
    expired: !trusted || now > Date.parse(doc.expiresAt),
    trusted,
    version: current.version,
  };
}

import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import { sleep } from '../../vfs/retry.js';
import type { CallOptions, Vfs } from '../../vfs/types.js';
import { validateClusterName } from '../names.js';
import { heldError, leaseDocument, leaseKey, newToken, parseLease, type LeaseDocument } from './document.js';
import { HeldLease, type Written } from './held-lease.js';
import type { LeaseInfo, LeaseOptions } from './types.js';
import { oversizedInfo, readCapped } from '../capped-read.js';

/** The default lease duration: long enough for a slow request, short enough that a crash costs a minute. */
export const DEFAULT_TTL_MS = 60_000;
/** The default clock-skew margin a taker adds before it calls a lease expired. */
export const DEFAULT_SKEW_MS = 1_000;

/** Options with their defaults, checked before any I/O. */
export interface Settled {
  ttlMs: number;
  owner: string;
  skewMs: number;
  pollMs: number;
  wait: boolean;
  signal?: AbortSignal;
}

/** Checks the cluster name, the options and the backend's capabilities, before any I/O. */
export function settle(vfs: Vfs, cluster: string, options: LeaseOptions): Settled {
  validateClusterName(cluster);
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  positive('ttlMs', ttlMs);
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
  if (!Number.isFinite(skewMs) || skewMs < 0)
    throw new StateStoreError('InvalidArgument', `skewMs must be a finite number >= 0, not ${String(skewMs)}`);
  const pollMs = options.pollMs ?? Math.min(5_000, Math.max(100, ttlMs / 10));
  positive('pollMs', pollMs);
  const owner = options.owner ?? defaultOwner();
  if (typeof owner !== 'string' || owner.trim() === '' || owner.length > 256)
    throw new StateStoreError('InvalidArgument', 'owner must be a non-empty string of at most 256 characters');
  assertCapable(vfs);
  return { ttlMs, owner, skewMs, pollMs, wait: options.wait === true, signal: options.signal };
}

function positive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new StateStoreError('InvalidArgument', `${name} must be a positive number of milliseconds, not ${value}`);
}

/** Leases need create-if-absent and compare-and-swap; without them no lease could be exclusive. */
export function assertCapable(vfs: Vfs): void {
  if (!vfs.capabilities.ifNoneMatch || !vfs.capabilities.ifMatch)
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
  const settled = settle(vfs, cluster, options);
  const key = leaseKey(cluster);
  for (;;) {
    const written = await attempt(vfs, key, settled);
    if (typeof written !== 'string') {
      const lease = new HeldLease(vfs, cluster, written);
      // Answered after its own ttl (a stalled request): already lost, so look again from scratch.
      if (lease.held) return lease;
      continue;
    }
    if (written === 'retry') continue;
    const current = await readCurrent(vfs, key, settled.signal);
    if (current === undefined) continue; // released meanwhile: try to create it again
    if (!isLive(current.doc, settled.skewMs)) {
      const taken = await takeOver(vfs, key, current.version, settled);
      const lease = taken === undefined ? undefined : new HeldLease(vfs, cluster, taken);
      if (lease?.held) return lease;
      continue; // another taker won the swap (or ours came back too late): look again
    }
    if (!settled.wait) throw heldError(cluster, current.doc!, key);
    const untilExpiry = Date.parse(current.doc!.expiresAt) + settled.skewMs - Date.now();
    await sleep(Math.max(1, Math.min(settled.pollMs, untilExpiry)), settled.signal);
  }
}

/** Create-if-absent. `'exists'` when someone holds (or held) the lease. */
async function attempt(vfs: Vfs, key: string, settled: Settled): Promise<Written | 'exists' | 'retry'> {
  const sentAt = performance.now();
  const doc = leaseDocument({ owner: settled.owner, token: newToken(), ttlMs: settled.ttlMs }, Date.now());
  try {
    const info = await vfs.write(key, JSON.stringify(doc), {
      ifNoneMatch: '*',
      contentType: 'application/json',
      signal: settled.signal,
    });
    return { doc, version: info.version, sentAt };
  } catch (err) {
    if (isStateStoreError(err, 'AlreadyExists')) return 'exists';
    // A collision the backend reports as retryable (Azure, GCS under a race): look again.
    if (isStateStoreError(err, 'Conflict') || isStateStoreError(err, 'PreconditionFailed')) return 'retry';
    throw err;
  }
}

/** A takeover: compare-and-swap on the expired document's version, so that of N takers one wins. */
async function takeOver(vfs: Vfs, key: string, version: string, settled: Settled): Promise<Written | undefined> {
  const sentAt = performance.now();
  const doc = leaseDocument({ owner: settled.owner, token: newToken(), ttlMs: settled.ttlMs }, Date.now());
  try {
    const info = await vfs.write(key, JSON.stringify(doc), {
      ifMatch: version,
      contentType: 'application/json',
      signal: settled.signal,
    });
    return { doc, version: info.version, sentAt };
  } catch (err) {
    if (isStateStoreError(err, 'PreconditionFailed') || isStateStoreError(err, 'Conflict')) return undefined;
    if (isStateStoreError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** Live by the taker's clock plus the skew margin. A damaged document (undefined) counts as expired. */
function isLive(doc: LeaseDocument | undefined, skewMs: number): boolean {
  return doc !== undefined && Date.now() <= Date.parse(doc.expiresAt) + skewMs;
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
  return {
    cluster,
    owner: doc.owner,
    acquiredAt: new Date(doc.acquiredAt),
    renewedAt: new Date(doc.renewedAt),
    expiresAt: new Date(doc.expiresAt),
    ttlMs: doc.ttlMs,
    expired: Date.now() > Date.parse(doc.expiresAt),
    version: current.version,
  };
}

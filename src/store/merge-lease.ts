import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isStateStoreError, StateStoreError } from '../errors.js';
import { backoffDelay, sleep } from '../vfs/retry.js';
import type { Vfs } from '../vfs/types.js';
import { DEFAULT_SKEW_MS, DEFAULT_TTL_MS } from './lease/acquire.js';
import { leaseDocument, leaseKey, newToken, parseLease, type LeaseDocument } from './lease/document.js';

/** Looks at a live lease until it is released, for at most this long (twice the default ttl). */
const WAIT_MS = 2 * DEFAULT_TTL_MS;
/** The write must start this long before the lease's expiry by this process's monotonic clock. */
const FENCE_MARGIN_MS = 5_000;
const POLL = { baseDelayMs: 20, maxDelayMs: 1_000, jitter: 'full' as const };

/**
 * Runs one merge of a cluster's document under the cluster's lease, for a store that enforces
 * create-if-absent but not compare-and-swap (`swift://` with `createIfAbsent: "best-effort"`, an
 * S3-compatible server that ignores `If-Match`). The lease object (`backups/statestore/lease`, the
 * document `acquireLease` writes) is taken by create-if-absent, so statestore writers merge one at
 * a time; `fn` gets a fence to call right before its unconditional write, which refuses it once the
 * lease is past its ttl (less a margin) by this process's monotonic clock. The lease is deleted
 * after, if it is still this merge's.
 *
 * What it does NOT do: exclude writers that ignore the lease (kops itself, or any tool writing the
 * document directly), and take over a lease that expired (without compare-and-swap two takers could
 * both win): that is refused with Conflict, naming the holder, for a person to clear.
 */
export async function underMergeLease<T>(
  vfs: Vfs,
  key: string,
  signal: AbortSignal | undefined,
  fn: (fence: () => void) => Promise<T>,
): Promise<T> {
  const cluster = key.split('/')[0] ?? key;
  const lease = leaseKey(cluster);
  const token = newToken();
  const takenAt = await take(vfs, cluster, lease, token, signal);
  const fence = (): void => {
    if (performance.now() - takenAt < DEFAULT_TTL_MS - FENCE_MARGIN_MS) return;
    throw new StateStoreError(
      'PreconditionFailed',
      `cluster "${cluster}": the merge outlived its lease; nothing written`,
      {
        key,
        backend: vfs.backend,
      },
    );
  };
  try {
    return await fn(fence);
  } finally {
    await release(vfs, lease, token);
  }
}

/** Creates the lease object; waits while someone else's is live. Resolves with the monotonic time taken. */
async function take(vfs: Vfs, cluster: string, lease: string, token: string, signal?: AbortSignal): Promise<number> {
  const owner = `statestore merge, pid ${process.pid} on ${hostname()}`;
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const takenAt = performance.now();
    const doc = leaseDocument({ owner, token, ttlMs: DEFAULT_TTL_MS }, Date.now());
    const created = await vfs
      .write(lease, JSON.stringify(doc), { ifNoneMatch: '*', contentType: 'application/json', signal })
      .then(
        () => true,
        (err: unknown) => {
          if (isStateStoreError(err, 'AlreadyExists')) return false;
          throw err;
        },
      );
    // Read back: a create-if-absent that is only best effort (Swift across processes) may have
    // let another creator overwrite this one.
    const holder = await current(vfs, lease, signal);
    if (created && holder?.token === token) return takenAt;
    if (holder !== undefined && Date.parse(holder.expiresAt) + DEFAULT_SKEW_MS < Date.now())
      throw expired(cluster, lease, holder);
    if (performance.now() - started > WAIT_MS)
      throw new StateStoreError(
        'Conflict',
        `cluster "${cluster}" stayed leased${holder === undefined ? '' : ` by ${JSON.stringify(holder.owner)}`} for ${WAIT_MS} ms`,
        {
          key: lease,
          backend: vfs.backend,
          retryable: true,
        },
      );
    await sleep(backoffDelay(attempt, { ...POLL, maxAttempts: Number.MAX_SAFE_INTEGER }), signal);
  }
}

/** The lease document stored, or undefined when there is none (released meanwhile). */
async function current(vfs: Vfs, lease: string, signal?: AbortSignal): Promise<LeaseDocument | undefined> {
  try {
    const parsed = parseLease((await vfs.read(lease, { signal })).body);
    if (parsed === undefined)
      throw new StateStoreError(
        'IntegrityError',
        `${lease} is not a statestore lease; remove it once you know why it is there`,
        {
          key: lease,
          backend: vfs.backend,
        },
      );
    return parsed;
  } catch (err) {
    if (isStateStoreError(err, 'NotFound')) return undefined;
    throw err;
  }
}

function expired(cluster: string, lease: string, holder: LeaseDocument): StateStoreError {
  return new StateStoreError(
    'Conflict',
    `cluster "${cluster}": the lease of ${JSON.stringify(holder.owner)} expired at ${holder.expiresAt}, and this store ` +
      `cannot take a lease over safely (no compare-and-swap); once its holder is known to be gone, delete the ` +
      `object ${JSON.stringify(lease)}`,
    { key: lease },
  );
}

/** Deletes the lease if it is still this merge's (best effort: a leftover expires and is reported). */
async function release(vfs: Vfs, lease: string, token: string): Promise<void> {
  try {
    if ((await current(vfs, lease))?.token === token) await vfs.delete(lease);
  } catch {
    // A lease left behind is refused by the next merge with its holder named.
  }
}

import { StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { acquireLease, settle } from './acquire.js';
import type { Lease, WithLeaseOptions } from './types.js';

/** See `StoreLeases.withLease`. */
export async function withLease<T>(
  vfs: Vfs,
  cluster: string,
  fn: (lease: Lease, signal: AbortSignal) => Promise<T>,
  options: WithLeaseOptions = {},
): Promise<T> {
  const { ttlMs } = settle(cluster, options);
  const renewEveryMs = options.renewEveryMs ?? ttlMs / 3;
  if (!Number.isFinite(renewEveryMs) || renewEveryMs <= 0 || renewEveryMs >= ttlMs)
    throw new StateStoreError('InvalidArgument', `renewEveryMs must be positive and below the ttl (${ttlMs} ms)`);
  const lease = await acquireLease(vfs, cluster, options);
  const controller = new AbortController();
  const signals = options.signal === undefined ? [lease.lost] : [lease.lost, options.signal];
  const stopLinks = link(signals, controller);
  const stopRenewing = renewInBackground(lease, renewEveryMs);
  try {
    const result = await fn(lease, controller.signal);
    // fn finished without noticing the loss: its fenced writes were refused, so say so.
    if (lease.lost.aborted) throw lease.lost.reason;
    return result;
  } finally {
    stopRenewing();
    stopLinks();
    // Best effort: a release that fails leaves a lease that simply expires after its ttl.
    await lease.release().catch(() => undefined);
  }
}

/** Aborts `controller` with the first of `signals` to abort; returns what removes the listeners. */
function link(signals: AbortSignal[], controller: AbortController): () => void {
  const listeners = signals.map((signal) => {
    const onAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
  return () => listeners.forEach((remove) => remove());
}

/**
 * Renews every `everyMs` (one renewal in flight at most). A failed renewal that is not a takeover
 * (the store unreachable) is tried again at the next tick; if none succeeds before the deadline the
 * lease's own timer declares it lost.
 */
function renewInBackground(lease: Lease, everyMs: number): () => void {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = (): void => {
    if (!lease.held) return;
    lease.renew({ signal: controller.signal }).then(schedule, () => (lease.held ? schedule() : undefined));
  };
  const schedule = (): void => {
    if (controller.signal.aborted) return;
    timer = setTimeout(tick, everyMs);
  };
  schedule();
  return () => {
    controller.abort();
    if (timer !== undefined) clearTimeout(timer);
  };
}

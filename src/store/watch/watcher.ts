/**
 * The watch loop: poll, yield what changed, wait (backing off while idle or failing), until the
 * caller's signal fires or the caller leaves the `for await` loop.
 */
import { isStateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { realClock, type WatchClock } from './clock.js';
import { ERROR_BACKOFF_FACTOR, resolveWatchOptions, type ResolvedWatchOptions } from './options.js';
import { WatchPoller } from './poll.js';
import type { WatchEvent, WatchOptions } from './types.js';

/**
 * See `StoreWatch.watch`. Options are checked here, synchronously, before any I/O: a bad
 * `intervalMs` throws InvalidArgument from the call itself. `clock` is for tests.
 */
export function watchCluster(
  vfs: Vfs,
  cluster: string,
  options: WatchOptions = {},
  clock: WatchClock = realClock,
): AsyncIterable<WatchEvent> {
  const resolved = resolveWatchOptions(cluster, options);
  return { [Symbol.asyncIterator]: () => watchIterator(vfs, cluster, resolved, clock) };
}

/**
 * An iterator whose `return()` aborts at once: a caller may call it while a poll or a wait is in
 * flight (a plain generator would only see it at its next `yield`), and the watch stops there.
 */
function watchIterator(
  vfs: Vfs,
  cluster: string,
  options: ResolvedWatchOptions,
  clock: WatchClock,
): AsyncIterableIterator<WatchEvent> {
  const stop = new AbortController();
  const loop = watchLoop(vfs, cluster, options, clock, stop);
  return {
    next: () => loop.next(),
    return: (value?: unknown) => {
      stop.abort();
      return loop.return(value as undefined);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* watchLoop(
  vfs: Vfs,
  cluster: string,
  options: ResolvedWatchOptions,
  clock: WatchClock,
  stop: AbortController,
): AsyncGenerator<WatchEvent, void, undefined> {
  // Linked here, not earlier: an iterator never started never links (nor leaks) anything.
  const unlink = linkSignal(options.signal, stop);
  const signal = stop.signal;
  const poller = new WatchPoller(vfs, cluster, options, signal);
  let first = true;
  let failures = 0;
  let delay = options.intervalMs;
  try {
    while (!signal.aborted) {
      const out: WatchEvent[] = [];
      const error = await poller.poll(first, out).then(
        () => undefined,
        (err: unknown) => ({ err }),
      );
      if (signal.aborted) return;
      for (const event of out) {
        yield event;
        if (signal.aborted) return;
      }
      if (error !== undefined) {
        // Retryable errors (the backend's own retries already spent) wait and poll again, up to a point.
        if (!(isStateStoreError(error.err) && error.err.retryable) || ++failures >= options.maxFailedPolls)
          throw error.err;
        await clock.sleep(errorDelay(options, failures), signal);
        continue;
      }
      first = false;
      failures = 0;
      delay = out.length > 0 ? options.intervalMs : Math.min(delay * 2, options.maxIntervalMs);
      await clock.sleep(delay, signal);
    }
  } finally {
    unlink();
    stop.abort();
  }
}

/** The wait after the `failures`-th failed poll in a row: doubling from `intervalMs`, capped. */
function errorDelay(options: ResolvedWatchOptions, failures: number): number {
  return Math.min(options.intervalMs * 2 ** failures, options.maxIntervalMs * ERROR_BACKOFF_FACTOR);
}

/**
 * Makes `stop` abort when the caller's `signal` does. Through `AbortSignal.any` (Node 20.3+),
 * which adds no listener to the caller's signal, so any number of watches can share one signal
 * without Node's false "MaxListenersExceededWarning" (it warns past 10 listeners on one signal).
 * Older Node: one listener, removed by the returned function.
 */
function linkSignal(signal: AbortSignal | undefined, stop: AbortController): () => void {
  if (signal === undefined) return () => undefined;
  if (signal.aborted) {
    stop.abort();
    return () => undefined;
  }
  const onAbort = (): void => stop.abort();
  if (typeof AbortSignal.any === 'function') {
    const linked = AbortSignal.any([signal, stop.signal]);
    linked.addEventListener('abort', onAbort, { once: true });
    return () => linked.removeEventListener('abort', onAbort);
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

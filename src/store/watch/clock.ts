/**
 * The waits between polls. A seam so that tests step the watch poll by poll (and count requests
 * per poll) instead of measuring time.
 */

/** Waits between polls. */
export interface WatchClock {
  /**
   * Resolves after `ms`, or as soon as `signal` fires (resolves, never rejects: the caller checks
   * the signal). Must leave no timer or listener behind either way.
   */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: one setTimeout per wait, cleared on abort. */
export const realClock: WatchClock = {
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

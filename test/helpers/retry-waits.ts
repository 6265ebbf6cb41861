/** Counts the timers of retry waits, to show an aborted wait leaves none running (s3-requests.test.ts). */
import { createHook } from 'node:async_hooks';

/**
 * Watches the timers of retry waits (statestore's sleep, or the SDK's own wait) from now on: how many started, and how many are still pending.
 */
export function retryWaits(): {
  now(): { started: number; alive: number };
  stop(): { started: number; alive: number };
} {
  const alive = new Set<number>();
  let started = 0;
  const hook = createHook({
    init(id, type) {
      // The frame that called setTimeout: statestore's sleep (src/vfs/retry.ts) or the SDK's retry step.
      const caller = /at setTimeout \(node:timers[^\n]*\n[^\n]*/.exec(new Error().stack ?? '')?.[0] ?? '';
      if (type !== 'Timeout' || !/vfs\/retry\.ts|submodules\/retry/.test(caller)) return;
      started++;
      alive.add(id);
    },
    destroy: (id) => alive.delete(id),
  }).enable();
  const now = () => ({ started, alive: alive.size });
  return {
    now,
    stop: () => {
      hook.disable();
      return now();
    },
  };
}

/**
 * A clock the test steps by hand, so a watch is driven poll by poll and its requests are counted
 * per poll, never measured in time.
 */
import type { WatchClock } from '../../src/store/watch/clock.js';

/** Resolves once `condition` holds (checked every millisecond; the test's own timeout bounds it). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Every wait the watch asks for is recorded and lasts until `tick()`. */
export class SteppedClock implements WatchClock {
  /** The delays asked for, in order. */
  readonly sleeps: number[] = [];
  readonly #waiters: Array<() => void> = [];

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        const index = this.#waiters.indexOf(done);
        if (index >= 0) this.#waiters.splice(index, 1);
        resolve();
      };
      this.#waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Whether the watch is waiting (its poll is over). */
  get waiting(): boolean {
    return this.#waiters.length > 0;
  }

  /** Waits for the watch to be waiting, then ends that wait: the watch polls once more. */
  async tick(): Promise<void> {
    await until(() => this.waiting);
    this.#waiters[0]!();
  }

  /** Resolves once the watch waits again (the poll the last tick started is over). */
  settled(): Promise<void> {
    return until(() => this.waiting);
  }
}

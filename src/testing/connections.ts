import assert from 'node:assert/strict';
import type { ConnectionCount, ConformanceTarget } from './types.js';

/** How long a connection may take to close once released: the client's and server's event loops. */
const SETTLE_MS = 2_000;
const POLL_MS = 20;

/**
 * Fails unless the target's `connections` hook reports no `which` connection, waiting up to
 * {@link SETTLE_MS} for closes in flight. A target without the hook is not checked.
 */
export async function assertReleased(
  target: Pick<ConformanceTarget, 'connections'>,
  which: keyof ConnectionCount,
  when: string,
): Promise<void> {
  const count = target.connections;
  if (count === undefined) return;
  const deadline = Date.now() + SETTLE_MS;
  let last = await count();
  while (last[which] > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    last = await count();
  }
  assert.equal(
    last[which],
    0,
    `${when}: ${last[which]} connection(s) still ${which} (open ${last.open}, busy ${last.busy})`,
  );
}

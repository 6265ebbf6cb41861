import type { FencedWrite } from './types.js';

/**
 * Refuses a write whose `lease` is no longer held (PreconditionFailed). Called by every write of a
 * cluster's `config` and instance groups, right before the write itself.
 *
 * It checks the lease's local state and its deadline on this process's monotonic clock, without a
 * request: a process paused past its ttl is refused as soon as it runs again. It does not re-read
 * the lease object: that would cost a request per write and still leave the same window, since the
 * check and the write are two requests. What remains (docs/leases.md): a write sent just before the
 * deadline may land after it, when a taker could already hold the lease; only storage that checked
 * a fencing token on each write could close that.
 */
export async function assertFenced(options: FencedWrite): Promise<void> {
  options.lease?.assertHeld();
}

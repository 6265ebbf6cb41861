import type { FencedWrite } from './types.js';

/**
 * SEAM (being built this session): refuses a write whose `lease` is no longer held. Called by every
 * write of a cluster's `config` and instance groups, right before the write itself.
 */
export async function assertFenced(options: FencedWrite): Promise<void> {
  if (options.lease === undefined) return;
}

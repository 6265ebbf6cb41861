/**
 * Giving a lease document back: the conditional removal that release, a too-slow acquire and an
 * aborted acquire share, and the best-effort clean-up of a write whose outcome is unknown.
 */
import { isStateStoreError, type ErrorCode } from '../../errors.js';
import type { CallOptions, Vfs } from '../../vfs/types.js';
import { readCapped } from '../capped-read.js';
import { parseLease, releasedDocument, type LeaseDocument } from './document.js';

/**
 * How long the clean-up of a failed acquire or release, or the look after a renewal of unknown
 * outcome, may take (its read and its delete, retries included),
 * on a signal of its own: the caller's signal has usually fired already, and an abort must not
 * wait on an unreachable store for long.
 */
export const WITHDRAW_TIMEOUT_MS = 2_000;

/**
 * Removes `doc` stored at `version`, and nothing else: a delete conditional on that version, or,
 * where the backend cannot delete conditionally, a compare-and-swap writing an already expired
 * copy. Rejects with PreconditionFailed (or NotFound) when the object has changed meanwhile.
 */
export async function giveBack(
  vfs: Vfs,
  key: string,
  doc: LeaseDocument,
  version: string,
  options: CallOptions = {},
): Promise<void> {
  const signal = options.signal;
  if ((await vfs.loadCapabilities({ signal })).deleteIfMatch) await vfs.delete(key, { ifMatch: version, signal });
  else
    await vfs.write(key, JSON.stringify(releasedDocument(doc)), {
      ifMatch: version,
      contentType: 'application/json',
      signal,
    });
}

/**
 * Whether a failed lease write was refused by the store (nothing written): the answers a
 * conditional write gets when its condition does not hold. Any other failure (Aborted, a timeout,
 * a connection cut after the server acted, a retry budget spent) leaves unknown whether it landed.
 */
export function refused(err: unknown): boolean {
  return isStateStoreError(err) && REFUSALS.has(err.code);
}

const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'AlreadyExists',
  'PreconditionFailed',
  'Conflict',
  'NotFound',
]);

/**
 * The lease stored at `key` with its version, if it carries `token` (each taking of a lease has its
 * own); undefined when there is none, or it is someone else's or not a lease. Other failures reject.
 */
export async function readIfOurs(
  vfs: Vfs,
  key: string,
  token: string,
  signal: AbortSignal,
): Promise<{ doc: LeaseDocument; version: string } | undefined> {
  try {
    const { body, info } = await readCapped(vfs, key, { what: `lease ${key}`, signal });
    const doc = parseLease(body);
    return doc === undefined || doc.token !== token ? undefined : { doc, version: info.version };
  } catch (err) {
    if (isStateStoreError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/**
 * After a lease write failed without a refusal (see {@link refused}): the write may still have
 * landed (a request the client gave up on can be processed by the server all the same), leaving a
 * lease that nobody holds until its ttl passes. Reads the lease and, if it is the one that write
 * carried (its token, new at each write), removes it conditionally on the version just read, so a
 * lease someone else took meanwhile is never touched. Best effort and quiet: bounded by
 * {@link WITHDRAW_TIMEOUT_MS}, never throws (the caller reports the write's own failure).
 * Resolves true when no lease carrying `token` is left (none was there, or it was removed), false
 * when that is unknown (the store did not answer within the bound, or the lease changed meanwhile).
 *
 * Not covered: a write the server processes only after this read (it then holds until its ttl).
 */
export async function withdrawIfOurs(vfs: Vfs, key: string, token: string): Promise<boolean> {
  const signal = AbortSignal.timeout(WITHDRAW_TIMEOUT_MS);
  try {
    const ours = await readIfOurs(vfs, key, token, signal);
    if (ours !== undefined) await giveBack(vfs, key, ours.doc, ours.version, { signal });
    return true;
  } catch {
    // Changed meanwhile, or the store unreachable within the bound: nothing more to do; the lease,
    // if it is there, expires with its ttl.
    return false;
  }
}

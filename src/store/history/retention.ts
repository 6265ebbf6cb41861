/**
 * Retention: the newest `keep` entries of a document are kept, and none older than `maxAgeMs`.
 * A pruning lists only the written document's folder (newest first by the key's inverted time),
 * so its cost is bounded by `keep` plus the entries written since the last pruning.
 */
import { isStateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { documentPrefix, refOfKey, stampTime, type DocumentRef } from './keys.js';

/** Retention limits, resolved. */
export interface Retention {
  keep: number;
  maxAgeMs?: number;
  /** The clock of the write that triggered the pruning. */
  now: Date;
}

/** Deletes the entries of one document beyond `keep` or older than `maxAgeMs`. Returns how many. */
export async function pruneDocument(
  vfs: Vfs,
  cluster: string,
  doc: DocumentRef,
  retention: Retention,
  signal?: AbortSignal,
): Promise<number> {
  const oldest = retention.maxAgeMs === undefined ? undefined : retention.now.getTime() - retention.maxAgeMs;
  const doomed: string[] = [];
  let index = 0;
  for await (const info of vfs.listAll({ prefix: documentPrefix(cluster, doc), signal })) {
    const ref = refOfKey(cluster, info.key);
    // A foreign file is not ours to delete (and does not count as an entry).
    if (ref === undefined) continue;
    const time = stampTime(ref.stamp)!;
    if (index++ >= retention.keep || (oldest !== undefined && time.getTime() < oldest)) doomed.push(info.key);
  }
  for (const key of doomed) {
    // Two writers may prune the same entry at once: the second finds it gone.
    await vfs.delete(key, { signal }).catch((err: unknown) => {
      if (!isStateStoreError(err, 'NotFound')) throw err;
    });
  }
  return doomed.length;
}

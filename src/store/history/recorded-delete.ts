/**
 * A delete of an instance group that records the document it deleted. The document is read first
 * and the delete is conditional on that version (where the backend can), so the entry holds
 * exactly what was deleted; a lost race re-reads and tries again.
 */
import { isStateStoreError } from '../../errors.js';
import type { DeleteOptions, Vfs } from '../../vfs/types.js';
import type { WriteAnnotation } from './types.js';
import { historyEnabled, recordWrite } from './record.js';

/** Attempts before a delete racing writers gives up (with the backend's PreconditionFailed). */
const MAX_ATTEMPTS = 5;

/**
 * Deletes `key` as `vfs.delete(key, options)` does, recording the deleted document. With the
 * history disabled, or a document that is not there, it is exactly `vfs.delete`. On a backend
 * without conditional deletes (Swift) the delete is unconditional, and a write racing it between
 * the read and the delete may be deleted unrecorded (docs/history.md).
 */
export async function deleteRecorded(
  vfs: Vfs,
  key: string,
  options: DeleteOptions & WriteAnnotation,
  beforeDelete: () => Promise<void>,
): Promise<void> {
  if (!historyEnabled(vfs)) {
    await beforeDelete();
    return vfs.delete(key, options);
  }
  for (let attempt = 1; ; attempt++) {
    const previous = await vfs.read(key, { signal: options.signal }).catch((err: unknown) => {
      if (isStateStoreError(err, 'NotFound')) return undefined;
      throw err;
    });
    await beforeDelete();
    if (previous === undefined) return vfs.delete(key, options);
    const { deleteIfMatch } = await vfs.loadCapabilities({ signal: options.signal });
    const ifMatch = options.ifMatch ?? (deleteIfMatch ? previous.info.version : undefined);
    try {
      await vfs.delete(key, { signal: options.signal, ...(ifMatch === undefined ? {} : { ifMatch }) });
    } catch (err) {
      // The caller's own condition failing is the caller's answer; ours failing means a racing write.
      const raced = options.ifMatch === undefined && isStateStoreError(err, 'PreconditionFailed');
      if (!raced || attempt >= MAX_ATTEMPTS) throw err;
      continue;
    }
    const text = Buffer.from(previous.body).toString('utf8');
    await recordWrite(vfs, key, {
      operation: 'delete',
      before: { text, version: previous.info.version },
      reason: options.reason,
      author: options.author,
    });
    return;
  }
}

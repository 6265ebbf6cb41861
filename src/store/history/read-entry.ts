/**
 * Reading entries: the one place history entries are read from the store (listings, rollback,
 * record-time numbering), so a limit on what an entry may cost applies everywhere at once.
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { MAX_HISTORY_ENTRY_BYTES, readCapped } from '../capped-read.js';
import { parseEntry, type EntryRecord } from './entry-file.js';
import { documentPrefix, entryId, entryKey, refOfKey, type DocumentRef, type EntryRef } from './keys.js';

/** Entries read at once. */
const READ_AHEAD = 8;
/** Keys per listing page. */
const PAGE_SIZE = 100;

/** An entry as loaded: where it is and what it keeps. */
export interface LoadedEntry extends EntryRecord {
  ref: EntryRef;
}

/** Reads and checks one entry. NotFound (never recorded, or pruned); IntegrityError for a file that is no entry of `ref`. */
export async function readEntry(vfs: Vfs, ref: EntryRef, signal?: AbortSignal): Promise<LoadedEntry> {
  const key = entryKey(ref);
  let body;
  try {
    body = (
      await readCapped(vfs, key, { maxBytes: MAX_HISTORY_ENTRY_BYTES, what: `history entry ${entryId(ref)}`, signal })
    ).body;
  } catch (err) {
    if (isStateStoreError(err, 'NotFound'))
      throw new StateStoreError('NotFound', `history entry ${entryId(ref)} not found (never recorded, or pruned)`, {
        key,
        backend: vfs.backend,
        cause: err,
      });
    throw err;
  }
  return { ref, ...parseEntry(ref, body) };
}

/** Lists one document's entry refs, newest first by stamp (at most `limit`); other files go to `onInvalid`. */
export async function listEntryRefs(
  vfs: Vfs,
  cluster: string,
  doc: DocumentRef,
  options: { signal?: AbortSignal; limit?: number; onInvalid?: (key: string, error: Error) => void },
): Promise<EntryRef[]> {
  const prefix = documentPrefix(cluster, doc);
  const refs: EntryRef[] = [];
  let token: string | undefined;
  do {
    const pageSize = Math.min(PAGE_SIZE, options.limit ?? PAGE_SIZE);
    const page = await vfs.list({ prefix, pageSize, pageToken: token, signal: options.signal });
    for (const info of page.objects) {
      const ref = refOfKey(cluster, info.key);
      // Only this folder's own entries: a group folder's prefix never reaches into another's.
      if (ref !== undefined && info.key.slice(prefix.length) === ref.stamp) refs.push(ref);
      else options.onInvalid?.(info.key, new Error('not a history entry name'));
    }
    token = page.nextPageToken;
  } while (token !== undefined && refs.length < (options.limit ?? Infinity));
  return options.limit === undefined ? refs : refs.slice(0, options.limit);
}

/**
 * Reads the entries `refs` name, a few at a time; unreadable ones (damaged, foreign, pruned
 * meanwhile) are left out and reported to `onInvalid` with their error.
 */
export async function readEntries(
  vfs: Vfs,
  refs: readonly EntryRef[],
  options: { signal?: AbortSignal; onInvalid?: (key: string, error: Error) => void },
): Promise<LoadedEntry[]> {
  const loaded: LoadedEntry[] = [];
  for (let i = 0; i < refs.length; i += READ_AHEAD) {
    const batch = refs.slice(i, i + READ_AHEAD);
    const read = await Promise.all(
      batch.map((ref) =>
        readEntry(vfs, ref, options.signal).catch((err: unknown) => {
          if (options.signal?.aborted) throw err;
          options.onInvalid?.(entryKey(ref), err instanceof Error ? err : new Error(String(err)));
          return undefined;
        }),
      ),
    );
    for (const entry of read) if (entry !== undefined) loaded.push(entry);
  }
  return loaded;
}

/**
 * `store.history()`: the entries of a cluster, newest first. Each document's folder lists newest
 * first by itself (inverted-time names); the folders are merged page by page, and an entry's
 * object is read only when the iteration reaches it (a few at a time), so listing never loads the
 * whole history.
 */
import { StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { validateClusterName, validateInstanceGroupName } from '../names.js';
import { MAX_HISTORY_ENTRY_BYTES, readCapped } from '../capped-read.js';
import { parseEntry } from './entry-file.js';
import { documentPrefix, entryKey, historyPrefix, refOfKey, type DocumentRef, type EntryRef } from './keys.js';
import type { HistoryEntry, HistoryOptions } from './types.js';

/** Entries read at once while iterating. */
const READ_AHEAD = 8;
/** Keys per listing page. */
const PAGE_SIZE = 100;

/** A paged, newest-first stream of one document's entry refs. */
class FolderCursor {
  #buffer: EntryRef[] = [];
  #token: string | undefined;
  #done = false;

  constructor(
    private readonly vfs: Vfs,
    private readonly cluster: string,
    private readonly prefix: string,
    private readonly onInvalid: (key: string, error: Error) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /** The next ref without taking it; undefined at the end. */
  async peek(): Promise<EntryRef | undefined> {
    while (this.#buffer.length === 0 && !this.#done) {
      const page = await this.vfs.list({
        prefix: this.prefix,
        pageSize: PAGE_SIZE,
        pageToken: this.#token,
        signal: this.signal,
      });
      for (const info of page.objects) {
        const ref = refOfKey(this.cluster, info.key);
        // Only this folder's own entries: a group folder's prefix never reaches into another's.
        if (ref !== undefined && info.key.slice(this.prefix.length) === ref.stamp) this.#buffer.push(ref);
        else this.onInvalid(info.key, new Error('not a history entry name'));
      }
      this.#token = page.nextPageToken;
      this.#done = this.#token === undefined;
    }
    return this.#buffer[0];
  }

  take(): EntryRef {
    return this.#buffer.shift()!;
  }
}

/** The documents whose folders a listing merges. */
async function documentsOf(vfs: Vfs, cluster: string, options: HistoryOptions): Promise<DocumentRef[]> {
  if (options.name !== undefined) {
    if (options.kind === 'config')
      throw new StateStoreError('InvalidArgument', 'history: `name` applies to instance groups, not to the config');
    validateInstanceGroupName(options.name);
    return [{ kind: 'instancegroup', name: options.name }];
  }
  const docs: DocumentRef[] = options.kind === 'instancegroup' ? [] : [{ kind: 'config' }];
  if (options.kind === 'config') return docs;
  // One delimiter listing finds every group that has a history, deleted groups included.
  const groups = `${historyPrefix(cluster)}instancegroup/`;
  let token: string | undefined;
  do {
    const page = await vfs.list({ prefix: groups, delimiter: '/', pageToken: token, signal: options.signal });
    for (const prefix of page.prefixes) {
      const name = prefix.slice(groups.length, -1);
      // A folder whose name is no group name is foreign: it has no entries of ours.
      if (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) docs.push({ kind: 'instancegroup', name });
      else options.onInvalid?.(prefix, new Error('not an instance group folder'));
    }
    token = page.nextPageToken;
  } while (token !== undefined);
  return docs;
}

/** Merges the folder cursors: the smallest stamp is the newest entry. */
async function* mergedRefs(cursors: FolderCursor[]): AsyncGenerator<EntryRef> {
  for (;;) {
    const heads = await Promise.all(cursors.map((cursor) => cursor.peek()));
    let best = -1;
    for (const [i, head] of heads.entries()) {
      if (head !== undefined && (best < 0 || head.stamp < heads[best]!.stamp)) best = i;
    }
    if (best < 0) return;
    yield cursors[best]!.take();
  }
}

/** Reads an entry; undefined (reported) when it is unreadable or gone (pruned meanwhile). */
async function readEntry(
  vfs: Vfs,
  ref: EntryRef,
  key: string,
  options: HistoryOptions,
): Promise<HistoryEntry | undefined> {
  try {
    const read = await readCapped(vfs, key, {
      maxBytes: MAX_HISTORY_ENTRY_BYTES,
      what: `history entry ${key}`,
      signal: options.signal,
    });
    return parseEntry(ref, read.body).entry;
  } catch (err) {
    if (options.signal?.aborted) throw err;
    options.onInvalid?.(key, err instanceof Error ? err : new Error(String(err)));
    return undefined;
  }
}

/** See `StoreHistory.history`. */
export async function* listHistory(
  vfs: Vfs,
  cluster: string,
  options: HistoryOptions = {},
): AsyncGenerator<HistoryEntry> {
  validateClusterName(cluster);
  const onInvalid = options.onInvalid ?? (() => undefined);
  const docs = await documentsOf(vfs, cluster, options);
  const cursors = docs.map(
    (doc) => new FolderCursor(vfs, cluster, documentPrefix(cluster, doc), onInvalid, options.signal),
  );
  let batch: EntryRef[] = [];
  const flush = async () => {
    const refs = batch;
    batch = [];
    return Promise.all(refs.map((ref) => readEntry(vfs, ref, entryKey(ref), { ...options, onInvalid })));
  };
  for await (const ref of mergedRefs(cursors)) {
    batch.push(ref);
    if (batch.length < READ_AHEAD) continue;
    for (const entry of await flush()) if (entry !== undefined) yield entry;
  }
  for (const entry of await flush()) if (entry !== undefined) yield entry;
}

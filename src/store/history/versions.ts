/** Reading recorded versions: one entry (`getVersion`) and diffs between versions (`diffVersions`). */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { CallOptions, Vfs } from '../../vfs/types.js';
import { unifiedDiff } from '../../config/diff/unified.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { layout } from '../layout.js';
import { MAX_HISTORY_ENTRY_BYTES, readCapped } from '../capped-read.js';
import { parseEntry, type EntryRecord } from './entry-file.js';
import { entryId, entryKey, parseEntryId, type EntryRef } from './keys.js';
import type { HistoryEntry, HistoryVersion } from './types.js';

/** An entry as loaded: where it is and what it keeps. */
export interface LoadedEntry extends EntryRecord {
  ref: EntryRef;
}

/**
 * Loads an entry given as an entry or an id. InvalidArgument (before any I/O) for a malformed id
 * or an entry of another cluster; NotFound when there is no such entry (never recorded or pruned).
 */
export async function loadEntry(
  vfs: Vfs,
  cluster: string,
  entry: HistoryEntry | string,
  signal?: AbortSignal,
): Promise<LoadedEntry> {
  if (typeof entry === 'object' && entry !== null && entry.cluster !== cluster)
    throw new StateStoreError(
      'InvalidArgument',
      `history entry ${entry.id} is of cluster "${entry.cluster}", not of "${cluster}"`,
    );
  const ref = parseEntryId(cluster, typeof entry === 'object' && entry !== null ? entry.id : entry);
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

/** The store key of the document an entry recorded. */
export function documentKey(ref: EntryRef): string {
  return ref.kind === 'config' ? layout.config(ref.cluster) : layout.instanceGroup(ref.cluster, ref.name!);
}

/** See `StoreHistory.getVersion`. */
export async function getVersion(
  vfs: Vfs,
  cluster: string,
  entry: HistoryEntry | string,
  options: CallOptions = {},
): Promise<HistoryVersion> {
  const loaded = await loadEntry(vfs, cluster, entry, options.signal);
  return versionOf(loaded);
}

/** The version an entry replaced, parsed. NotFound for a create (nothing was there before it). */
export function versionOf(loaded: LoadedEntry): HistoryVersion {
  const { entry, before } = loaded;
  if (before === undefined || entry.replacedVersion === undefined)
    throw new StateStoreError(
      'NotFound',
      `history entry ${entry.id} recorded the ${entry.kind === 'config' ? 'config' : `instance group "${entry.name}"`}'s creation: there is no earlier version`,
    );
  const documents = parseYamlDocuments(before);
  if (documents.length !== 1)
    throw new StateStoreError(
      'IntegrityError',
      `history entry ${entry.id}: the recorded text is not one YAML document`,
    );
  return { entry, text: before, version: entry.replacedVersion, value: documents[0]!.value };
}

/** See `StoreHistory.diffVersions`. */
export async function diffVersions(
  vfs: Vfs,
  cluster: string,
  from: HistoryEntry | string,
  to: HistoryEntry | string | undefined,
  options: CallOptions = {},
): Promise<string> {
  const a = await loadEntry(vfs, cluster, from, options.signal);
  const id = a.entry.id;
  if (to === undefined)
    return unifiedDiff(a.before ?? '', a.after ?? '', { from: `${id} (replaced)`, to: `${id} (written)` });
  if (to === 'current') {
    const key = documentKey(a.ref);
    const current = await vfs.read(key, { signal: options.signal }).then(
      (read) => Buffer.from(read.body).toString('utf8'),
      (err: unknown) => (isStateStoreError(err, 'NotFound') ? '' : Promise.reject(err)),
    );
    return unifiedDiff(a.before ?? '', current, { from: `${id} (replaced)`, to: `${key} (current)` });
  }
  const b = await loadEntry(vfs, cluster, to, options.signal);
  if (documentKey(a.ref) !== documentKey(b.ref))
    throw new StateStoreError('InvalidArgument', `history entries ${id} and ${b.entry.id} are of different documents`);
  return unifiedDiff(a.before ?? '', b.before ?? '', { from: `${id} (replaced)`, to: `${b.entry.id} (replaced)` });
}

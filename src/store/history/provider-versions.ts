/**
 * `history({ source: 'versions' })`: the provider's own object versions of a document, where the
 * bucket has versioning (S3 `versionId`). kops writes with unconditional PUTs, so each of its
 * writes is a version here even though it left no entry; a version whose bytes a statestore entry
 * wrote carries that entry's operation, author and reason (docs/history.md).
 */
import { StateStoreError } from '../../errors.js';
import type { ObjectVersion, Vfs } from '../../vfs/types.js';
import { entryId, providerVersionStamp, type DocumentRef, type EntryRef } from './keys.js';
import { documentKey, type DocumentHistory, type Revision } from './revisions.js';
import type { HistoryEntry } from './types.js';

/** The provider's versions of a document, oldest first. Unsupported where the backend keeps none. */
async function versionsOf(vfs: Vfs, key: string, signal?: AbortSignal): Promise<ObjectVersion[]> {
  if (vfs.listObjectVersions === undefined)
    throw new StateStoreError('Unsupported', `${vfs.backend}: this store keeps no object versions`, { key });
  return (await vfs.listObjectVersions(key, { signal })).reverse();
}

/** The statestore revision that wrote a version's bytes (S3: the same ETag), closest in time. */
function writerOf(history: DocumentHistory, version: ObjectVersion): HistoryEntry | undefined {
  let best: HistoryEntry | undefined;
  for (const { entry, ref } of history.revisions) {
    if (ref === undefined || version.deleted || entry.version !== version.version) continue;
    const distance = (e: HistoryEntry) => Math.abs(e.time.getTime() - version.lastModified.getTime());
    if (best === undefined || distance(entry) < distance(best)) best = entry;
  }
  return best;
}

/** A provider version as a history entry: numbered by position (1 the oldest the provider keeps). */
function entryOf(cluster: string, doc: DocumentRef, history: DocumentHistory, version: ObjectVersion, n: number) {
  const ref: EntryRef = { cluster, ...doc, stamp: providerVersionStamp(version.versionId) };
  const writer = writerOf(history, version);
  const entry: HistoryEntry = {
    id: entryId(ref),
    revision: n,
    cluster,
    kind: doc.kind,
    ...(doc.name === undefined ? {} : { name: doc.name }),
    time: version.lastModified,
    operation: version.deleted ? 'delete' : (writer?.operation ?? 'external'),
    ...(version.version === undefined ? {} : { version: version.version }),
    ...(writer?.reason === undefined ? {} : { reason: writer.reason }),
    ...(writer?.author === undefined ? {} : { author: writer.author }),
  };
  return entry;
}

/** The provider's versions of one document as history entries, newest first. */
export async function providerEntries(
  vfs: Vfs,
  cluster: string,
  history: DocumentHistory,
  signal?: AbortSignal,
): Promise<HistoryEntry[]> {
  const versions = await versionsOf(vfs, documentKey(cluster, history.doc), signal);
  return versions.map((version, i) => entryOf(cluster, history.doc, history, version, i + 1)).reverse();
}

/**
 * One provider version as a revision, with its bytes and the bytes of the version before it.
 * NotFound when the provider keeps no such version (any more).
 */
export async function providerRevision(
  vfs: Vfs,
  cluster: string,
  history: DocumentHistory,
  versionId: string,
  signal?: AbortSignal,
): Promise<Revision> {
  const key = documentKey(cluster, history.doc);
  const versions = await versionsOf(vfs, key, signal);
  const index = versions.findIndex((version) => version.versionId === versionId);
  if (index < 0)
    throw new StateStoreError('NotFound', `${key}: the store keeps no version ${JSON.stringify(versionId)}`, { key });
  const read = async (version: ObjectVersion | undefined) =>
    version === undefined || version.deleted
      ? undefined
      : Buffer.from((await vfs.readObjectVersion!(key, version.versionId, { signal })).body).toString('utf8');
  const [text, previous] = await Promise.all([read(versions[index]), read(versions[index - 1])]);
  const entry = entryOf(cluster, history.doc, history, versions[index]!, index + 1);
  return {
    entry,
    ...(text === undefined ? {} : { text }),
    ...(previous === undefined ? {} : { previous }),
  };
}

/**
 * Recording: called by the store's writes of a `config` or instance group AFTER their conditional
 * write succeeded, so the replaced document and both versions are known exactly and a lost race
 * leaves no entry. A crash between the two writes leaves a missing entry, never a wrong one.
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { layout } from '../layout.js';
import { renderEntry, type WriteRecord } from './entry-file.js';
import { documentFolder, documentOfKey, entryKey, newStamp, type DocumentRef, type EntryRef } from './keys.js';
import { listEntryRefs, readEntries, readEntry, type LoadedEntry } from './read-entry.js';
import { pruneDocument } from './retention.js';
import { buildRevisions } from './revisions.js';
import type { HistorySettings } from './types.js';

/** Settings in force for a Vfs, and that store's write counters per document (for `pruneEvery`). */
interface Recorder {
  settings: HistorySettings;
  /** Recorded writes per `{cluster}/{document folder}`: each document is pruned on its own count. */
  writes: Map<string, number>;
}

/** A recorded entry: where it is, and its revision number. */
export type RecordedRef = EntryRef & { revision: number };

/** Newest entries read at record time to find the revision a write replaced. */
const NUMBERING_LOOKBACK = 4;

/**
 * The history settings of each store, by its Vfs: the write paths (cluster-writes.ts,
 * merge-document.ts) get only the Vfs, and the store registers its settings here when it is
 * made (`createStoreHistory`). A Vfs no store registered records with the defaults.
 */
const recorders = new WeakMap<Vfs, Recorder>();

/** Where the stamps of the entries recorded through a Vfs come from, when not {@link newStamp}: see {@link stampEntriesWith}. */
const stampSources = new WeakMap<Vfs, (time: Date) => string>();

/**
 * A test seam, not exported by the package: the entries recorded through `vfs` from now on get
 * their stamps (file names, which order a listing) from `stamp` (undefined: {@link newStamp}
 * again). Racing writers' entries stamped in one millisecond list in the order of their random
 * bits; a test forces that order with it instead of waiting for the clock to line up.
 */
export function stampEntriesWith(vfs: Vfs, stamp: ((time: Date) => string) | undefined): void {
  if (stamp === undefined) stampSources.delete(vfs);
  else stampSources.set(vfs, stamp);
}

/** Registers the settings of the store over `vfs` (the last store made over one Vfs wins). */
export function registerHistorySettings(vfs: Vfs, settings: HistorySettings): void {
  const keep = settings.keep ?? 100;
  if (!Number.isInteger(keep) || keep < 1)
    throw new StateStoreError('InvalidArgument', `history.keep must be a positive integer (got ${keep})`);
  if (settings.maxAgeMs !== undefined && !(settings.maxAgeMs > 0))
    throw new StateStoreError('InvalidArgument', `history.maxAgeMs must be positive (got ${settings.maxAgeMs})`);
  const every = settings.pruneEvery ?? 10;
  if (!Number.isInteger(every) || every < 1)
    throw new StateStoreError('InvalidArgument', `history.pruneEvery must be a positive integer (got ${every})`);
  recorders.set(vfs, { settings, writes: new Map() });
}

function recorderOf(vfs: Vfs): Recorder {
  let recorder = recorders.get(vfs);
  if (recorder === undefined) {
    recorder = { settings: {}, writes: new Map() };
    recorders.set(vfs, recorder);
  }
  return recorder;
}

/** Whether writes through this Vfs are recorded (a disabled history costs no request). */
export function historyEnabled(vfs: Vfs): boolean {
  return recorderOf(vfs).settings.enabled !== false;
}

/**
 * Records a successful write of the document at store key `key` (`{cluster}/config` or
 * `{cluster}/instancegroup/{name}`). Never throws: the write already happened, so a failure to
 * record is reported to `onRecordError` (default: a process warning) and the entry is missing.
 * Returns the entry's ref, or undefined when nothing was recorded.
 */
export async function recordWrite(vfs: Vfs, key: string, write: WriteRecord): Promise<RecordedRef | undefined> {
  const recorder = recorderOf(vfs);
  const target = documentOfKey(key);
  if (recorder.settings.enabled === false || target === undefined) return undefined;
  try {
    return await recordDocumentWrite(vfs, recorder, target.cluster, target.doc, write);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const report =
      recorder.settings.onRecordError ??
      ((e: Error) => process.emitWarning(`statestore: history entry for ${key} not recorded: ${e.message}`));
    report(error);
    return undefined;
  }
}

/**
 * The number of the revision a write makes: one more than the revision it replaced, found among
 * the newest few entries (usually the newest), or one more than the highest number there when a
 * racing writer's entry holds a higher one (unless it left that number free for this very write).
 * When the version it replaced is not among them,
 * someone else wrote in between (an external change, which the listing shows just before this
 * revision), so one number is left for it. Entries of the older format carry no number: their
 * numbers are their positions (revisions.ts), read once, until a numbered entry is the newest.
 */
async function nextRevision(vfs: Vfs, cluster: string, doc: DocumentRef, write: WriteRecord): Promise<Numbered> {
  const refs = await listEntryRefs(vfs, cluster, doc, { limit: NUMBERING_LOOKBACK });
  const replaced = write.before?.version;
  if (refs.length === 0) return numbered(0, replaced !== undefined);
  // All the newest entries are read before deciding: racing writers' stamps may list in either
  // order, and the number must not depend on it (the highest among them, whatever comes first).
  const loaded: LoadedEntry[] = [];
  for (const found of await Promise.all(refs.map((ref) => readEntry(vfs, ref).catch(() => undefined))))
    if (found !== undefined) loaded.push(found);
  let highest = 0;
  for (const { entry } of loaded) if (entry.revision !== undefined) highest = Math.max(highest, entry.revision);
  for (const { entry, after } of loaded) {
    if (entry.revision === undefined) return nextAfterUnnumbered(vfs, cluster, doc, write);
    // A create follows a deletion (or, when the newest revision wrote the group, one made by someone else).
    if (replaced === undefined) return numbered(highest, after !== undefined);
    // Usually the newest; a racing writer's entry may have landed first and left this number free.
    // Identical bytes under another version (a copied or moved store) are the same revision.
    if (entry.version === replaced || after === write.before?.text)
      return numbered(leftFreeForThisWrite(loaded, entry.revision, write) ? entry.revision : highest, false);
  }
  return numbered(highest, true);
}

/**
 * Whether the number after `replaced` (the revision this write replaced) was left free for this
 * very write: by the entry numbered one above it, which replaced the version this write made (its
 * writer's entry landed first and did not see this one's). A number left free for a real external
 * change (kops wrote the version that entry replaced) is not taken: the listing shows it there.
 */
function leftFreeForThisWrite(newer: readonly LoadedEntry[], replaced: number, write: WriteRecord): boolean {
  const made = write.after?.version;
  if (made === undefined || newer.some(({ entry }) => entry.revision === replaced + 1)) return false;
  return newer.some(
    ({ entry, afterExternal }) =>
      entry.revision === replaced + 2 && afterExternal === true && entry.replacedVersion === made,
  );
}

/** A new entry's number, and whether one was left free for an external change before it. */
interface Numbered {
  revision: number;
  afterExternal: boolean;
}

/** The number after `last`, or the one after that when an external change came in between. */
function numbered(last: number, external: boolean): Numbered {
  return { revision: last + (external ? 2 : 1), afterExternal: external };
}

/** {@link nextRevision} when the newest entries are of the older format: their revisions are counted. */
async function nextAfterUnnumbered(vfs: Vfs, cluster: string, doc: DocumentRef, write: WriteRecord): Promise<Numbered> {
  const loaded = await readEntries(vfs, await listEntryRefs(vfs, cluster, doc, {}), {});
  const revisions = buildRevisions(cluster, doc, loaded, null);
  const newest = revisions[0];
  if (newest === undefined) return numbered(0, false);
  const known =
    write.before === undefined
      ? newest.text === undefined
      : newest.text === write.before.text || revisions.some((r) => r.entry.version === write.before!.version);
  // The highest, not the newest's: in write order a racing writer's lower number may be the newest.
  let highest = 0;
  for (const { entry } of revisions) highest = Math.max(highest, entry.revision);
  return numbered(highest, !known);
}

async function recordDocumentWrite(
  vfs: Vfs,
  recorder: Recorder,
  cluster: string,
  doc: DocumentRef,
  write: WriteRecord,
): Promise<RecordedRef | undefined> {
  const { settings } = recorder;
  const annotated: WriteRecord = {
    ...write,
    reason: write.reason ?? settings.defaults?.reason,
    author: write.author ?? settings.defaults?.author,
    ...(await nextRevision(vfs, cluster, doc, write)),
  };
  const time = new Date();
  const stamp = (stampSources.get(vfs) ?? newStamp)(time);
  const ref: RecordedRef = { cluster, ...doc, stamp, revision: annotated.revision! };
  // Create-if-absent: concurrent writers never overwrite each other's entries. A store that cannot
  // enforce it (RGW with versioning on) writes it plainly: the stamp's 32 random bits keep two
  // writers' keys apart all the same. The caller's signal is not passed: the document write
  // happened, its entry should not be cut short.
  const text = renderEntry(ref, time, annotated);
  const create = (await vfs.loadCapabilities()).ifNoneMatch ? { ifNoneMatch: '*' as const } : {};
  await vfs.write(entryKey(ref), text, { ...create, contentType: 'application/json' }).catch(async (err) => {
    // A create retried after a lost answer (a connection cut after the service stored it) finds its
    // own first attempt: the stamp's random part makes any other writer's entry a different key.
    if (!isStateStoreError(err, 'AlreadyExists')) throw err;
    const stored = await vfs.read(entryKey(ref));
    if (Buffer.from(stored.body).toString('utf8') !== text) throw err;
  });
  if (await clusterDeletedMeanwhile(vfs, cluster, ref)) return undefined;
  const counter = `${cluster}/${documentFolder(doc)}`;
  const writes = recorder.writes.get(counter) ?? 0;
  recorder.writes.set(counter, writes + 1);
  if (writes % (settings.pruneEvery ?? 10) === 0)
    await pruneDocument(vfs, cluster, doc, { keep: settings.keep ?? 100, maxAgeMs: settings.maxAgeMs, now: time });
  return ref;
}

/**
 * A `deleteCluster` racing this write may have listed the cluster's files before the entry
 * existed: the entry would outlive the cluster and a new cluster of the same name would inherit
 * it. deleteCluster deletes `config` first and lists the history again after; so either the config
 * is still there now (and that second listing finds the entry), or it is gone and the entry is
 * removed here.
 */
async function clusterDeletedMeanwhile(vfs: Vfs, cluster: string, ref: EntryRef): Promise<boolean> {
  const exists = await vfs.stat(layout.config(cluster)).then(
    () => true,
    (err: unknown) => (isStateStoreError(err, 'NotFound') ? false : Promise.reject(err)),
  );
  if (exists) return false;
  await vfs.delete(entryKey(ref)).catch((err: unknown) => {
    if (!isStateStoreError(err, 'NotFound')) throw err;
  });
  return true;
}

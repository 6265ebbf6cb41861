/**
 * Recording: called by the store's writes of a `config` or instance group AFTER their conditional
 * write succeeded, so the replaced document and both versions are known exactly and a lost race
 * leaves no entry. A crash between the two writes leaves a missing entry, never a wrong one.
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { renderEntry, type WriteRecord } from './entry-file.js';
import { documentOfKey, entryKey, newStamp, type DocumentRef, type EntryRef } from './keys.js';
import { pruneDocument } from './retention.js';
import type { HistorySettings } from './types.js';

/** Settings in force for a Vfs, and that store's write counter (for `pruneEvery`). */
interface Recorder {
  settings: HistorySettings;
  writes: number;
}

/**
 * The history settings of each store, by its Vfs: the write paths (cluster-writes.ts,
 * merge-document.ts) get only the Vfs, and the store registers its settings here when it is
 * made (`createStoreHistory`). A Vfs no store registered records with the defaults.
 */
const recorders = new WeakMap<Vfs, Recorder>();

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
  recorders.set(vfs, { settings, writes: 0 });
}

function recorderOf(vfs: Vfs): Recorder {
  let recorder = recorders.get(vfs);
  if (recorder === undefined) {
    recorder = { settings: {}, writes: 0 };
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
export async function recordWrite(vfs: Vfs, key: string, write: WriteRecord): Promise<EntryRef | undefined> {
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

async function recordDocumentWrite(
  vfs: Vfs,
  recorder: Recorder,
  cluster: string,
  doc: DocumentRef,
  write: WriteRecord,
): Promise<EntryRef> {
  const time = new Date();
  const ref: EntryRef = { cluster, ...doc, stamp: newStamp(time) };
  // Create-if-absent: concurrent writers never overwrite each other's entries. The caller's
  // signal is not passed: the document write happened, its entry should not be cut short.
  const text = renderEntry(ref, time, write);
  await vfs.write(entryKey(ref), text, { ifNoneMatch: '*', contentType: 'application/json' }).catch(async (err) => {
    // A create retried after a lost answer (a connection cut after the service stored it) finds its
    // own first attempt: the stamp's random part makes any other writer's entry a different key.
    if (!isStateStoreError(err, 'AlreadyExists')) throw err;
    const stored = await vfs.read(entryKey(ref));
    if (Buffer.from(stored.body).toString('utf8') !== text) throw err;
  });
  const { settings } = recorder;
  if (recorder.writes++ % (settings.pruneEvery ?? 10) === 0)
    await pruneDocument(vfs, cluster, doc, { keep: settings.keep ?? 100, maxAgeMs: settings.maxAgeMs, now: time });
  return ref;
}

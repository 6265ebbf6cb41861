/**
 * A document's revisions (docs/history.md): each recorded entry is the revision it wrote; where
 * the document was changed by someone else (kops's unconditional writes) an `external` revision
 * is derived from the bytes statestore found, and revisions are numbered helm-style.
 */
import { isStateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { layout } from '../layout.js';
import type { StoredEntry } from './entry-file.js';
import { entryId, externalStamp, type DocumentRef, type EntryRef } from './keys.js';
import { listEntryRefs, readEntries, type LoadedEntry } from './read-entry.js';
import type { HistoryEntry } from './types.js';
import { inWriteOrder } from './write-order.js';

/** A revision with its content. */
export interface Revision {
  entry: HistoryEntry;
  /** The content the revision wrote; undefined when it deleted the document. */
  text?: string;
  /** The content before it; undefined when there was no document. */
  previous?: string;
  /** Where it is stored; undefined for an external change (derived, never stored). */
  ref?: EntryRef;
}

/** The document as stored now (undefined when it does not exist). */
export interface CurrentDocument {
  text: string;
  version: string;
  lastModified: Date;
}

/** A document's history as read: its revisions (newest first), the document now, unreadable files. */
export interface DocumentHistory {
  doc: DocumentRef;
  revisions: Revision[];
  current?: CurrentDocument;
  /** Files of the folder that are not readable entries, with why. */
  invalid: Map<string, Error>;
}

/** The store key of a document. */
export function documentKey(cluster: string, doc: DocumentRef): string {
  return doc.kind === 'config' ? layout.config(cluster) : layout.instanceGroup(cluster, doc.name!);
}

/** Reads a document as stored now, or undefined when it does not exist. */
export async function readCurrent(vfs: Vfs, key: string, signal?: AbortSignal): Promise<CurrentDocument | undefined> {
  return vfs.read(key, { signal }).then(
    (read) => ({
      text: Buffer.from(read.body).toString('utf8'),
      version: read.info.version,
      lastModified: read.info.lastModified,
    }),
    (err: unknown) => (isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err)),
  );
}

/** Reads a document's whole history (its folder is bounded by retention) and the document now. */
export async function readDocumentHistory(
  vfs: Vfs,
  cluster: string,
  doc: DocumentRef,
  options: { signal?: AbortSignal; onInvalid?: (key: string, error: Error) => void } = {},
): Promise<DocumentHistory> {
  const invalid = new Map<string, Error>();
  const onInvalid = (key: string, error: Error) => {
    invalid.set(key, error);
    options.onInvalid?.(key, error);
  };
  const [current, loaded] = await Promise.all([
    readCurrent(vfs, documentKey(cluster, doc), options.signal),
    listEntryRefs(vfs, cluster, doc, { signal: options.signal, onInvalid }).then((refs) =>
      readEntries(vfs, refs, { signal: options.signal, onInvalid }),
    ),
  ]);
  return { doc, revisions: buildRevisions(cluster, doc, loaded, current), current, invalid };
}

type Draft = Omit<Revision, 'entry'> & { entry: StoredEntry };

/** An external change of `doc`: `text` found where `previous` was expected (undefined text: deleted). */
function external(
  cluster: string,
  doc: DocumentRef,
  seed: string,
  time: Date,
  found: { text?: string; version?: string },
  previous: string | undefined,
): Draft {
  const ref: EntryRef = { cluster, ...doc, stamp: externalStamp(seed) };
  const entry: StoredEntry = {
    id: entryId(ref),
    cluster,
    kind: doc.kind,
    ...(doc.name === undefined ? {} : { name: doc.name }),
    time,
    operation: 'external',
    ...(found.version === undefined ? {} : { version: found.version }),
  };
  return { entry, ...(found.text === undefined ? {} : { text: found.text }), previous };
}

/**
 * The external change just before `loaded`, if one: the recorder said someone else wrote the
 * version it replaced (older entries do not say: then, when no entry wrote that version), and no
 * write before it in write order made that version. A racing writer's entry may land after this
 * one's recorder looked (its write came first, so this recorder left a number free for an
 * external change that was not one): the chain of versions puts that writer first all the same
 * (write-order.ts). Without the recorder's word, the version replaced is of a revision pruned by
 * retention, and not shown.
 */
function externalBefore(
  cluster: string,
  doc: DocumentRef,
  loaded: LoadedEntry,
  last: Draft | undefined,
  written: ReadonlySet<string | undefined>,
): Draft | undefined {
  const { entry, before } = loaded;
  if (!(loaded.afterExternal ?? entry.revision === undefined)) return undefined;
  const replaced = entry.replacedVersion;
  // Identical bytes under another version (a copy, a move) are no change.
  if (replaced !== undefined && before !== undefined && !written.has(replaced) && before !== last?.text)
    return external(cluster, doc, replaced, entry.time, { text: before, version: replaced }, last?.text);
  // Created while the newest revision had written the group: someone else deleted it in between.
  if (replaced === undefined && last?.text !== undefined && last.entry.version !== undefined)
    return external(cluster, doc, `deleted ${last.entry.version}`, entry.time, {}, last.text);
  return undefined;
}

/**
 * The revisions of one document, newest first in the order of their writes (write-order.ts),
 * each keeping its stored number. A recorded entry whose replaced version no entry
 * wrote was preceded by a write statestore did not make: an external revision holding the bytes
 * that entry replaced. The document now, when no entry wrote its version, is an external revision
 * too (its current bytes); a group gone while its newest revision wrote it was deleted externally.
 */
export function buildRevisions(
  cluster: string,
  doc: DocumentRef,
  loaded: readonly LoadedEntry[],
  current: CurrentDocument | undefined | null,
): Revision[] {
  // A document without entries has no history: nothing to compare what is stored with.
  if (loaded.length === 0) return [];
  // Versions written by the revisions so far (earlier writes): an entry whose replaced version is
  // among them follows a statestore write, even if its recorder found that entry not yet there (a race).
  const written = new Set<string | undefined>();
  const drafts: Draft[] = [];
  for (const loadedEntry of inWriteOrder(loaded)) {
    const gap = externalBefore(cluster, doc, loadedEntry, drafts[drafts.length - 1], written);
    if (gap !== undefined) drafts.push(gap);
    const { entry, before, after, ref } = loadedEntry;
    drafts.push({ entry, text: after, previous: before, ref });
    written.add(entry.version);
  }
  const last = drafts[drafts.length - 1];
  // null: the document was not read (record-time numbering); nothing to compare.
  if (current !== null) {
    if (current !== undefined && !written.has(current.version) && current.text !== last?.text)
      drafts.push(external(cluster, doc, current.version, current.lastModified, current, last?.text));
    else if (current === undefined && last?.text !== undefined && last.entry.version !== undefined)
      drafts.push(external(cluster, doc, `deleted ${last.entry.version}`, new Date(), {}, last.text));
  }
  const numbers = numberDrafts(drafts.map((d) => d.entry.revision));
  return drafts
    .map((draft, i) => ({ ...draft, entry: { ...draft.entry, revision: numbers[i]! } }))
    .reverse()
    .map(withoutUndefinedFields);
}

function withoutUndefinedFields(revision: Revision): Revision {
  const out: Revision = { entry: revision.entry };
  if (revision.text !== undefined) out.text = revision.text;
  if (revision.previous !== undefined) out.previous = revision.previous;
  if (revision.ref !== undefined) out.ref = revision.ref;
  return out;
}

/**
 * Numbers, in write order (oldest first): stored numbers stay, whatever their order (a racing
 * writer's entry recorded first took the lower one). A revision without one takes one less than
 * the next revision's (older-format entries, and an external change just before a recorded one,
 * for which record.ts left that number free) when no other revision has it; else one more than
 * the highest number yet (external changes after the newest entry). With no stored number at
 * all, positions from 1.
 */
export function numberDrafts(stored: ReadonlyArray<number | undefined>): number[] {
  if (stored.every((n) => n === undefined)) return stored.map((_, i) => i + 1);
  const numbers = [...stored];
  const taken = new Set(stored);
  for (let i = numbers.length - 2; i >= 0; i--) {
    const free = numbers[i + 1] === undefined ? undefined : numbers[i + 1]! - 1;
    if (numbers[i] === undefined && free !== undefined && free >= 1 && !taken.has(free)) {
      numbers[i] = free;
      taken.add(free);
    }
  }
  let highest = 0;
  for (const n of numbers) if (n !== undefined && n > highest) highest = n;
  for (let i = 0; i < numbers.length; i++) if (numbers[i] === undefined) numbers[i] = ++highest;
  return numbers as number[];
}

/**
 * Finding revisions (by entry, id, number, or the one before the current) and reading them:
 * `getVersion` and `diffVersions`.
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { unifiedDiff } from '../../config/diff/unified.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { validateClusterName, validateInstanceGroupName } from '../names.js';
import { entryId, entryKey, isExternalRef, parseEntryId, providerVersionOf, type DocumentRef } from './keys.js';
import { providerRevision } from './provider-versions.js';
import { documentKey, readDocumentHistory, type DocumentHistory, type Revision } from './revisions.js';
import type { HistoryEntry, HistoryVersion, RevisionOptions, RevisionRef } from './types.js';

/** What a document is called in messages. */
export function documentName(doc: DocumentRef): string {
  return doc.kind === 'config' ? 'the config' : `instance group "${doc.name}"`;
}

/** The document a revision reference is of; InvalidArgument (before any I/O) for a bad one. */
export function documentOfRevision(
  cluster: string,
  revision: RevisionRef | undefined,
  options: RevisionOptions,
): DocumentRef {
  validateClusterName(cluster);
  if (typeof revision === 'object' && revision !== null && revision.cluster !== cluster)
    throw new StateStoreError(
      'InvalidArgument',
      `history entry ${revision.id} is of cluster "${revision.cluster}", not of "${cluster}"`,
    );
  if (revision === undefined || typeof revision === 'number') {
    if (revision !== undefined && !(Number.isSafeInteger(revision) && revision > 0))
      throw new StateStoreError('InvalidArgument', `a revision number is a positive integer (got ${revision})`);
    if (options.instanceGroup === undefined) return { kind: 'config' };
    validateInstanceGroupName(options.instanceGroup);
    return { kind: 'instancegroup', name: options.instanceGroup };
  }
  const id = typeof revision === 'object' && revision !== null ? revision.id : revision;
  if (typeof id === 'string' && /^\d{1,9}$/.test(id)) return documentOfRevision(cluster, Number(id), options);
  const ref = parseEntryId(cluster, id);
  return ref.kind === 'config' ? { kind: 'config' } : { kind: 'instancegroup', name: ref.name! };
}

/** The numbers kept, as `lowest-highest` (listed in write order, they need not be in number order). */
function keptRange(revisions: readonly Revision[]): string {
  if (revisions.length === 0) return 'none';
  let lowest = Infinity;
  let highest = 0;
  for (const { entry } of revisions) {
    lowest = Math.min(lowest, entry.revision);
    highest = Math.max(highest, entry.revision);
  }
  return `${lowest}-${highest}`;
}

/**
 * Finds a revision in its document's history. NotFound when there is none such (never recorded,
 * or pruned); IntegrityError when the id names a file that is no readable entry; InvalidArgument
 * for a number two revisions carry (concurrent writers, docs/history.md).
 */
export function findRevision(cluster: string, history: DocumentHistory, revision: RevisionRef | undefined): Revision {
  const { revisions, doc } = history;
  const what = documentName(doc);
  if (revision === undefined) {
    // Back one: the revision written before the current one (write order, not number order).
    const previous = revisions[1];
    if (previous === undefined)
      throw new StateStoreError('NotFound', `${what} of cluster "${cluster}" has no revision before the current one`);
    return previous;
  }
  const id = typeof revision === 'object' ? revision.id : revision;
  if (typeof id === 'number' || /^\d{1,9}$/.test(id)) {
    const number = Number(id);
    const found = revisions.filter((r) => r.entry.revision === number);
    if (found.length > 1)
      throw new StateStoreError(
        'InvalidArgument',
        `revision ${number} of ${what} is ambiguous (written concurrently): name it by id: ${found.map((r) => r.entry.id).join(', ')}`,
      );
    if (found[0] !== undefined) return found[0];
    const range = keptRange(revisions);
    throw new StateStoreError('NotFound', `${what} of cluster "${cluster}" has no revision ${number} (kept: ${range})`);
  }
  const ref = parseEntryId(cluster, id);
  const full = entryId(ref);
  const found = revisions.find((r) => r.entry.id === full);
  if (found !== undefined) return found;
  const damaged = isExternalRef(ref) ? undefined : history.invalid.get(entryKey(ref));
  // A typed refusal (an entry over the read cap: InvalidArgument) keeps its code; anything else is damage.
  if (damaged !== undefined)
    throw isStateStoreError(damaged)
      ? damaged
      : new StateStoreError('IntegrityError', damaged.message, { key: entryKey(ref), cause: damaged });
  throw new StateStoreError('NotFound', `history entry ${full} not found (never recorded, or pruned)`);
}

/** Reads the history of the document `revision` is of and finds it there. */
export async function resolveRevision(
  vfs: Vfs,
  cluster: string,
  revision: RevisionRef | undefined,
  options: RevisionOptions,
): Promise<{ history: DocumentHistory; revision: Revision }> {
  const doc = documentOfRevision(cluster, revision, options);
  const history = await readDocumentHistory(vfs, cluster, doc, { signal: options.signal });
  const id = typeof revision === 'object' ? revision.id : revision;
  const versionId =
    typeof id === 'string' && !/^\d+$/.test(id) ? providerVersionOf(parseEntryId(cluster, id)) : undefined;
  if (versionId !== undefined)
    return { history, revision: await providerRevision(vfs, cluster, history, versionId, options.signal) };
  return { history, revision: findRevision(cluster, history, revision) };
}

/** See `StoreHistory.getVersion`. */
export async function getVersion(
  vfs: Vfs,
  cluster: string,
  revision: RevisionRef,
  options: RevisionOptions = {},
): Promise<HistoryVersion> {
  const { revision: found } = await resolveRevision(vfs, cluster, revision, options);
  return versionOf(found);
}

/** A revision's content, parsed. NotFound for a deletion (there is no text). */
export function versionOf(revision: Revision): HistoryVersion {
  const { entry, text } = revision;
  if (text === undefined)
    throw new StateStoreError(
      'NotFound',
      `revision ${entry.revision} (${entry.id}) deleted instance group "${entry.name}": it has no text`,
    );
  const documents = parseYamlDocuments(text);
  if (documents.length !== 1)
    throw new StateStoreError(
      'IntegrityError',
      `history entry ${entry.id}: the recorded text is not one YAML document`,
    );
  return { entry, text, version: entry.version ?? '', value: documents[0]!.value };
}

/** A diff label: the revision's number and id. */
function label(entry: HistoryEntry): string {
  return `revision ${entry.revision} (${entry.id})`;
}

/** See `StoreHistory.diffVersions`. */
export async function diffVersions(
  vfs: Vfs,
  cluster: string,
  from: RevisionRef,
  to: RevisionRef | 'current' | undefined,
  options: RevisionOptions = {},
): Promise<string> {
  const { history, revision: a } = await resolveRevision(vfs, cluster, from, options);
  if (to === undefined)
    return unifiedDiff(a.previous ?? '', a.text ?? '', { from: `before ${label(a.entry)}`, to: label(a.entry) });
  if (to === 'current') {
    const key = documentKey(cluster, history.doc);
    return unifiedDiff(a.text ?? '', history.current?.text ?? '', { from: label(a.entry), to: `${key} (current)` });
  }
  const doc = documentOfRevision(cluster, to, options);
  if (documentKey(cluster, doc) !== documentKey(cluster, history.doc))
    throw new StateStoreError(
      'InvalidArgument',
      `revisions ${a.entry.id} and ${String(typeof to === 'object' ? to.id : to)} are of different documents`,
    );
  const b = findRevision(cluster, history, to);
  return unifiedDiff(a.text ?? '', b.text ?? '', { from: label(a.entry), to: label(b.entry) });
}

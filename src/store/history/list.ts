/**
 * `store.history()`: a cluster's revisions, newest first, one timeline across its config and
 * instance groups. Each document's history is read whole (its folder is bounded by retention,
 * keep + pruneEvery entries) so that its revisions can be numbered and external changes found;
 * the documents' revisions are then merged by time, each document's kept in the order of its
 * writes (write-order.ts: by the chain of versions, which a number need not follow).
 */
import { StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { isDns1123Subdomain, validateClusterName, validateInstanceGroupName } from '../names.js';
import { providerEntries } from './provider-versions.js';
import { historyPrefix, type DocumentRef } from './keys.js';
import { readDocumentHistory, type Revision } from './revisions.js';
import type { HistoryEntry, HistoryOptions } from './types.js';

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

/** The instance groups stored now (their provider versions exist though statestore never wrote them). */
async function storedGroups(vfs: Vfs, cluster: string, signal?: AbortSignal): Promise<string[]> {
  const prefix = `${cluster}/instancegroup/`;
  const names: string[] = [];
  for await (const info of vfs.listAll({ prefix, signal })) names.push(info.key.slice(prefix.length));
  return names;
}

/** Adds a group to the documents listed, once, when the options select it. */
function addGroup(docs: DocumentRef[], name: string, options: HistoryOptions): void {
  if (options.kind === 'config' || (options.name !== undefined && options.name !== name)) return;
  if (!isDns1123Subdomain(name) || docs.some((doc) => doc.name === name)) return;
  docs.push({ kind: 'instancegroup', name });
}

/** Merges documents' revision lists (each newest first, in write order) by time, keeping each list's order. */
export function mergeTimelines(lists: Revision[][]): HistoryEntry[] {
  const heads = lists.map(() => 0);
  const out: HistoryEntry[] = [];
  for (;;) {
    let best = -1;
    for (const [i, list] of lists.entries()) {
      const head = list[heads[i]!];
      if (head !== undefined && (best < 0 || head.entry.time > lists[best]![heads[best]!]!.entry.time)) best = i;
    }
    if (best < 0) return out;
    out.push(lists[best]![heads[best]!++]!.entry);
  }
}

/** See `StoreHistory.history`. */
export async function* listHistory(
  vfs: Vfs,
  cluster: string,
  options: HistoryOptions = {},
): AsyncGenerator<HistoryEntry> {
  validateClusterName(cluster);
  const docs = await documentsOf(vfs, cluster, options);
  const versions = options.source === 'versions';
  if (versions) for (const name of await storedGroups(vfs, cluster, options.signal)) addGroup(docs, name, options);
  const lists: Revision[][] = [];
  for (const doc of docs) {
    const history = await readDocumentHistory(vfs, cluster, doc, {
      signal: options.signal,
      onInvalid: options.onInvalid,
    });
    if (!versions) lists.push(history.revisions);
    else lists.push((await providerEntries(vfs, cluster, history, options.signal)).map((entry) => ({ entry })));
  }
  yield* mergeTimelines(lists);
}

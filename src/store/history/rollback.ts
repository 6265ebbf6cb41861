/**
 * `store.rollback()`: writes a revision's content back as a new revision (helm's rollback,
 * kubectl's rollout undo), validated first, as a compare-and-swap against the document read just
 * before, then records the rollback itself (operation `rollback`).
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { unifiedDiff } from '../../config/diff/unified.js';
import { assertSafeValue, isPlainObject, jsonEqual } from '../../config/guard.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { withoutUndefined } from '../../config/yaml/stringify.js';
import { updateYamlText } from '../../config/yaml/update.js';
import { assertValidClusterChange, assertValidInstanceGroupChange } from '../../config/validate/kops.js';
import { keepStoreLocation } from './store-location.js';
import { assertFenced } from '../lease/fence.js';
import { checkInstanceGroupDeletion, readClusterIfValid } from '../deletion-check.js';
import { assertStoredGroupsStillValid } from '../cluster-cross-check.js';
import type { ClusterConfig } from '../../config/schema/types.generated.js';
import { compareAndSwap } from '../versioned-write.js';
import { entryId, type DocumentRef } from './keys.js';
import { recordWrite, type RecordedRef } from './record.js';
import { documentKey, type CurrentDocument, type DocumentHistory, type Revision } from './revisions.js';
import { documentName, resolveRevision } from './versions.js';
import type { HistoryEntry, RevisionRef, RollbackOptions, RollbackResult } from './types.js';
import type { SkippedRule } from '../../config/validate/kops-validation/source.js';
import { withSkippedRules } from '../skipped-rules.js';

function generationOf(value: unknown): number | undefined {
  const metadata = isPlainObject(value) && isPlainObject(value.metadata) ? value.metadata : undefined;
  return typeof metadata?.generation === 'number' ? metadata.generation : undefined;
}

/**
 * The recorded text with `metadata.generation` as kops's Update would write it (the stored
 * generation + 1 when the spec changes, else the stored one: vfsclientset/cluster.go,
 * instancegroup.go). Generations must not go back: kops on OpenStack compares the generations it
 * put on instances with the current ones to find instances to roll (openstack/server_group.go).
 */
export function withKopsGeneration(text: string, current: string | undefined): { text: string; kept: string[] } {
  if (current === undefined) return { text, kept: [] };
  const recorded = parseYamlDocuments(text)[0]?.value;
  const stored = parseYamlDocuments(current)[0]?.value;
  if (!isPlainObject(recorded) || !isPlainObject(stored)) return { text, kept: [] };
  const same = jsonEqual(withoutUndefined(recorded.spec ?? null), withoutUndefined(stored.spec ?? null));
  const wanted = same ? generationOf(stored) : (generationOf(stored) ?? 0) + 1;
  if (wanted === undefined || wanted === generationOf(recorded)) return { text, kept: [] };
  const metadata = isPlainObject(recorded.metadata) ? recorded.metadata : {};
  return {
    text: updateYamlText(text, { ...recorded, metadata: { ...metadata, generation: wanted } }),
    kept: ['/metadata/generation'],
  };
}

/**
 * Checks a revision's content before it is written back: entries are files anyone with write
 * access to the bucket can edit, so the text must be one YAML mapping of this document's kind
 * and name (the config of this cluster, or this instance group of it), within the input limits
 * and valid by kops's schema. IntegrityError for a text that is not this document, ValidationError
 * for one that fails the schema; nothing is written either way. kops's rules not run for lack of
 * a cloud fact are added to `skipped`, when given. Returns the document checked.
 */
export function checkRevisionContent(
  cluster: string,
  doc: DocumentRef,
  text: string,
  id: string,
  current?: string,
  clusterConfig?: unknown,
  skipped?: SkippedRule[],
): Record<string, unknown> {
  const fail = (why: string) =>
    new StateStoreError(
      'IntegrityError',
      `revision ${id} does not hold ${documentName(doc)} of cluster "${cluster}": ${why}; nothing written`,
    );
  let documents;
  try {
    documents = parseYamlDocuments(text);
  } catch (err) {
    throw fail(`it is not readable YAML (${err instanceof Error ? err.message : String(err)})`);
  }
  if (documents.length !== 1) throw fail(`it holds ${documents.length} YAML documents`);
  const value = documents[0]!.value;
  if (!isPlainObject(value))
    throw fail(`it holds a ${value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value}, not a mapping`);
  assertSafeValue(value);
  const kind = doc.kind === 'config' ? 'Cluster' : 'InstanceGroup';
  if (value.kind !== kind) throw fail(`its kind is ${JSON.stringify(value.kind)}, not ${kind}`);
  const metadata = isPlainObject(value.metadata) ? value.metadata : {};
  const name = doc.kind === 'config' ? cluster : doc.name;
  if (metadata.name !== name) throw fail(`its metadata.name is ${JSON.stringify(metadata.name)}`);
  const labels = isPlainObject(metadata.labels) ? metadata.labels : {};
  const owner = labels['kops.k8s.io/cluster'];
  if (doc.kind === 'instancegroup' && owner !== undefined && owner !== cluster)
    throw fail(`it is labelled for cluster ${JSON.stringify(owner)}`);
  // The schema always; kops's rules (kops-validation/) only for what the rollback adds to the
  // current version: a violation the current version already has may stay, as on any write.
  const before = currentValue(current);
  if (doc.kind === 'config') assertValidClusterChange(before, value, { skipped });
  else assertValidInstanceGroupChange(before, value, { cluster: clusterConfig, skipped });
  return value;
}

/** The current document's value, or undefined when there is none or it is no readable YAML. */
function currentValue(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return parseYamlDocuments(text)[0]?.value;
  } catch {
    return undefined;
  }
}

/** The text a rollback writes: the revision's content, with the current store location and generation rules. */
function textToWrite(
  cluster: string,
  doc: DocumentRef,
  content: string,
  current: string | undefined,
  options: RollbackOptions,
): { text: string; kept: string[] } {
  const located = doc.kind === 'config' ? keepStoreLocation(cluster, content, current) : { text: content, kept: [] };
  const generated = options.restoreGeneration
    ? { text: located.text, kept: [] }
    : withKopsGeneration(located.text, current);
  return { text: generated.text, kept: [...located.kept, ...generated.kept] };
}

/** The entry a rollback recorded, as listings show it. */
function recordedEntry(
  ref: RecordedRef,
  replaced: string | undefined,
  written: string | undefined,
  target: HistoryEntry,
  options: RollbackOptions,
): HistoryEntry {
  return {
    id: entryId(ref),
    revision: ref.revision,
    cluster: ref.cluster,
    kind: ref.kind,
    ...(ref.name === undefined ? {} : { name: ref.name }),
    time: new Date(),
    operation: 'rollback',
    ...(replaced === undefined ? {} : { replacedVersion: replaced }),
    ...(written === undefined ? {} : { version: written }),
    rolledBackTo: target.id,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(options.author === undefined ? {} : { author: options.author }),
  };
}

/**
 * What a rollback to `target` (whose content is `content`) writes, checked, and its result before
 * any write: the content as recorded is checked first (a tampered entry fails here, before any
 * parse of ours trips on it), then the text to write, which keeps the current location and
 * generation; the kops rules skipped are those of the text written. An instance group is checked
 * with the cluster's config too (kops's CrossValidateInstanceGroup), and a config with the stored
 * groups, as putConfig does (kops's DeepValidate on `edit cluster`; cluster-cross-check.ts).
 */
async function plannedRollback(
  vfs: Vfs,
  cluster: string,
  { doc, current }: DocumentHistory,
  target: HistoryEntry,
  content: string,
  options: RollbackOptions,
): Promise<Omit<RollbackResult, 'changed'>> {
  const config = doc.kind === 'instancegroup' ? await readClusterIfValid(vfs, cluster, options.signal) : undefined;
  checkRevisionContent(cluster, doc, content, target.id, current?.text, config);
  const { text, kept } = textToWrite(cluster, doc, content, current?.text, options);
  const skipped: SkippedRule[] = [];
  const written = checkRevisionContent(cluster, doc, text, target.id, current?.text, config, skipped);
  // Only the violations the rollback adds to the groups under the current config are refused.
  if (doc.kind === 'config')
    await assertStoredGroupsStillValid(
      vfs,
      cluster,
      currentValue(current?.text),
      written as ClusterConfig,
      options.signal,
    );
  const key = documentKey(cluster, doc);
  const diff = unifiedDiff(current?.text ?? '', text, {
    from: `${key} (current)`,
    to: `${key} (revision ${target.revision})`,
  });
  return withSkippedRules({ version: current?.version ?? '', target, diff, text, keptFields: kept }, skipped);
}

/** See `StoreHistory.rollback`. */
export async function rollback(
  vfs: Vfs,
  cluster: string,
  target: RevisionRef | undefined,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const { history, revision } = await resolveRevision(vfs, cluster, target, options);
  const { doc, current } = history;
  const key = documentKey(cluster, doc);
  if (current === undefined && doc.kind === 'config')
    throw new StateStoreError('NotFound', `cluster "${cluster}" not found`, { key });
  if (options.ifMatch !== undefined && current?.version !== options.ifMatch)
    throw new StateStoreError('PreconditionFailed', `${key} changed since version ${options.ifMatch}`, { key });
  if (revision.text === undefined) {
    // A deletion again: refused where kops refuses the cluster it leaves (deletion-check.ts).
    if (current !== undefined) await checkInstanceGroupDeletion(vfs, cluster, doc.name!, options.signal);
    return rollbackToDeletion(vfs, key, revision, current, options);
  }
  const unchanged = await plannedRollback(vfs, cluster, history, revision.entry, revision.text, options);
  const { text } = unchanged;
  if (current?.text === text) return { ...unchanged, changed: false };
  if (options.dryRun) return { ...unchanged, changed: true };
  await assertFenced(options);
  // The compare-and-swap: against the version just read, or create-if-absent for a deleted group
  // (checked against the bucket's object versions where the server enforces neither: RGW, versioned).
  const written = await compareAndSwap(vfs, key, text, current?.version, {
    contentType: 'application/yaml',
    signal: options.signal,
  }).catch((err: unknown) => {
    // A group re-created since it was read: the document changed meanwhile, as for any other write.
    if (!isStateStoreError(err, 'AlreadyExists')) throw err;
    throw new StateStoreError('PreconditionFailed', `${key} was created since it was read; nothing written`, {
      key,
      cause: err,
    });
  });
  const before = current === undefined ? undefined : { text: current.text, version: current.version };
  const ref = await recordWrite(vfs, key, {
    operation: 'rollback',
    before,
    after: { text, version: written.version },
    rolledBackTo: revision.entry.id,
    reason: options.reason,
    author: options.author,
  });
  const entry = ref && recordedEntry(ref, current?.version, written.version, revision.entry, options);
  return { ...unchanged, version: written.version, changed: true, entry };
}

/** A rollback to a revision that deleted its instance group: deletes it again (conditionally). */
async function rollbackToDeletion(
  vfs: Vfs,
  key: string,
  revision: Revision,
  current: CurrentDocument | undefined,
  options: RollbackOptions,
): Promise<RollbackResult> {
  const diff = unifiedDiff(current?.text ?? '', '', {
    from: `${key} (current)`,
    to: `${key} (revision ${revision.entry.revision}: deleted)`,
  });
  const result = { version: current?.version ?? '', target: revision.entry, diff, text: '', keptFields: [] };
  if (current === undefined) return { ...result, changed: false };
  if (options.dryRun) return { ...result, changed: true };
  await assertFenced(options);
  const { deleteIfMatch } = await vfs.loadCapabilities({ signal: options.signal });
  const ifMatch = deleteIfMatch ? current.version : undefined;
  await vfs.delete(key, { signal: options.signal, ...(ifMatch === undefined ? {} : { ifMatch }) });
  const ref = await recordWrite(vfs, key, {
    operation: 'rollback',
    before: { text: current.text, version: current.version },
    rolledBackTo: revision.entry.id,
    reason: options.reason,
    author: options.author,
  });
  const entry = ref && recordedEntry(ref, current.version, undefined, revision.entry, options);
  return { ...result, version: '', changed: true, entry };
}

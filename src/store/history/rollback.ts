/**
 * `store.rollback()`: writes a recorded version back as a compare-and-swap against the document
 * read just before, then records the rollback itself (operation `rollback`).
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import { unifiedDiff } from '../../config/diff/unified.js';
import { assertSafeValue, isPlainObject, jsonEqual } from '../../config/guard.js';
import { parseYamlDocuments } from '../../config/yaml/parse.js';
import { withoutUndefined } from '../../config/yaml/stringify.js';
import { updateYamlText } from '../../config/yaml/update.js';
import { kopsIssuesAdded, throwIfErrors } from '../../config/validate/kops.js';
import { keepStoreLocation } from './store-location.js';
import { assertFenced } from '../lease/fence.js';
import { entryId } from './keys.js';
import { recordWrite } from './record.js';
import { documentKey, loadEntry, versionOf } from './versions.js';
import type { HistoryEntry, RollbackOptions, RollbackResult } from './types.js';

/** The document as stored now, or undefined when it does not exist (a deleted instance group). */
async function readCurrent(vfs: Vfs, key: string, signal?: AbortSignal) {
  return vfs.read(key, { signal }).then(
    (read) => ({ text: Buffer.from(read.body).toString('utf8'), version: read.info.version }),
    (err: unknown) => (isStateStoreError(err, 'NotFound') ? undefined : Promise.reject(err)),
  );
}

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

/** Parses the text to write back: one YAML document, within the input limits. */
function checkWritable(text: string, id: string): void {
  const documents = parseYamlDocuments(text);
  if (documents.length !== 1)
    throw new StateStoreError('IntegrityError', `history entry ${id}: the recorded text is not one YAML document`);
  assertSafeValue(documents[0]!.value);
}

/** See `StoreHistory.rollback`. */
export async function rollback(
  vfs: Vfs,
  cluster: string,
  target: HistoryEntry | string,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const loaded = await loadEntry(vfs, cluster, target, options.signal);
  const version = versionOf(loaded);
  const key = documentKey(loaded.ref);
  const current = await readCurrent(vfs, key, options.signal);
  if (current === undefined && loaded.ref.kind === 'config')
    throw new StateStoreError('NotFound', `cluster "${cluster}" not found`, { key });
  if (options.ifMatch !== undefined && current?.version !== options.ifMatch)
    throw new StateStoreError('PreconditionFailed', `${key} changed since version ${options.ifMatch}`, { key });
  const located =
    loaded.ref.kind === 'config'
      ? keepStoreLocation(cluster, version.text, current?.text)
      : { text: version.text, kept: [] };
  const generated = options.restoreGeneration
    ? { text: located.text, kept: [] }
    : withKopsGeneration(located.text, current?.text);
  const text = generated.text;
  const kept = [...located.kept, ...generated.kept];
  checkWritable(text, version.entry.id);
  // kops's rules: the rollback may keep a violation the current version has, not add one.
  const kind = loaded.ref.kind === 'config' ? 'Cluster' : 'InstanceGroup';
  const valueOf = (yaml: string | undefined) => (yaml === undefined ? undefined : parseYamlDocuments(yaml)[0]?.value);
  throwIfErrors(kopsIssuesAdded(kind, valueOf(current?.text), valueOf(text)), kind);
  const diff = unifiedDiff(current?.text ?? '', text, { from: `${key} (current)`, to: `${key} (${version.entry.id})` });
  if (options.dryRun) return { version: current?.version ?? '', diff, text, keptFields: kept };
  await assertFenced(options);
  // The compare-and-swap: against the version just read, or create-if-absent for a deleted group.
  const condition = current === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: current.version };
  const written = await vfs.write(key, text, { ...condition, contentType: 'application/yaml', signal: options.signal });
  const ref = await recordWrite(vfs, key, {
    operation: 'rollback',
    before: current,
    after: { text, version: written.version },
    rolledBackTo: version.entry.id,
    reason: options.reason,
    author: options.author,
  });
  const entry: HistoryEntry | undefined =
    ref === undefined
      ? undefined
      : {
          id: entryId(ref),
          cluster,
          kind: ref.kind,
          ...(ref.name === undefined ? {} : { name: ref.name }),
          time: new Date(),
          operation: 'rollback',
          ...(current === undefined ? {} : { replacedVersion: current.version }),
          version: written.version,
          rolledBackTo: version.entry.id,
          ...(options.reason === undefined ? {} : { reason: options.reason }),
          ...(options.author === undefined ? {} : { author: options.author }),
        };
  return { version: written.version, entry, diff, text, keptFields: kept };
}

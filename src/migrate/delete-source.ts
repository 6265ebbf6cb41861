import { isStateStoreError, StateStoreError } from '../errors.js';
import type { ObjectInfo, Vfs } from '../vfs/types.js';
import { isLeaseKey } from '../store/lease/document.js';

/** What changed at the source between the move's listing and its deletion, key by key. */
export type SourceChange = { key: string; change: 'added' | 'changed' | 'removed' };

/**
 * The typed error of a source that changed while it was moved (a `mergeConfig`, a new history
 * entry, a deleted file): `PreconditionFailed`, naming every change, with the config (when it
 * changed) as `key`. Nothing written by someone else after the listing is ever deleted.
 */
export function sourceChanged(cluster: string, changes: readonly SourceChange[], deleted: boolean): StateStoreError {
  const configKey = `${cluster}/config`;
  // The config first: the change that matters most (a merge), then the rest in key order.
  const ordered = [...changes].sort((a, b) => Number(b.key === configKey) - Number(a.key === configKey));
  const shown = ordered.slice(0, 10).map(({ key, change }) => `${key} (${change})`);
  if (changes.length > shown.length) shown.push(`and ${changes.length - shown.length} more`);
  const kept = deleted
    ? 'files copied at their listed version were deleted; the changed ones and the config were kept'
    : 'nothing was deleted at the source';
  return new StateStoreError(
    'PreconditionFailed',
    `cluster "${cluster}" changed at the source during the move: ${shown.join(', ')}; ${kept}. ` +
      'Run the move again with overwrite to carry the changes over before deleting the source.',
    { key: ordered[0]?.key },
  );
}

/**
 * Compares the cluster's source files now with those the move listed (and so copied): a file
 * added, changed or removed since is a change someone else made during the move.
 */
export async function changesSince(
  from: Vfs,
  cluster: string,
  listed: readonly ObjectInfo[],
  signal: AbortSignal | undefined,
): Promise<SourceChange[]> {
  const before = new Map(listed.map((info) => [info.key, info.version]));
  const changes: SourceChange[] = [];
  for await (const info of from.listAll({ prefix: `${cluster}/`, signal })) {
    if (isLeaseKey(info.key)) continue;
    const version = before.get(info.key);
    if (version === undefined) changes.push({ key: info.key, change: 'added' });
    else if (version !== info.version) changes.push({ key: info.key, change: 'changed' });
    before.delete(info.key);
  }
  for (const key of before.keys()) changes.push({ key, change: 'removed' });
  return changes;
}

/**
 * Deletes `info` only at the version the move listed and copied: one conditional delete where
 * the backend enforces `ifMatch` on delete; elsewhere (swift) a stat right before an
 * unconditional delete, which leaves a write landing between the two racy (said in
 * docs/reliability.md). Returns the change found instead of deleting, or undefined once deleted
 * (or already gone: nothing is lost).
 */
export async function deleteAtVersion(
  from: Vfs,
  info: ObjectInfo,
  signal: AbortSignal | undefined,
): Promise<SourceChange | undefined> {
  const { deleteIfMatch } = await from.loadCapabilities({ signal });
  if (deleteIfMatch) {
    try {
      await from.delete(info.key, { ifMatch: info.version, signal });
      return undefined;
    } catch (err) {
      if (!isStateStoreError(err, 'PreconditionFailed')) throw err;
    }
  }
  const now = await from.stat(info.key, { signal }).catch((err: unknown) => {
    if (isStateStoreError(err, 'NotFound')) return undefined;
    throw err;
  });
  if (now === undefined) return undefined;
  // With deleteIfMatch the conditional delete failed: the object is not the one listed.
  if (now.version !== info.version || deleteIfMatch) return { key: info.key, change: 'changed' };
  await from.delete(info.key, { signal });
  return undefined;
}

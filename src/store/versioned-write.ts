/**
 * Compare-and-swap checked against the bucket's object versions, for a store whose server enforces
 * no write condition but keeps every version: Ceph RGW 16.2 with versioning on refuses `If-Match`
 * (quoted or not, current or not) and ignores `If-None-Match: *` (overwrites), so neither a
 * compare-and-swap nor the merge lease (merge-lease.ts: create-if-absent) can be had there.
 *
 * The write itself is unconditional; the check is made around it, from the provider's version
 * list: right before, the newest version must be the one read; right after, the version directly
 * under the new one must be that same version. When another write landed in between (kops's
 * unconditional PUT, or anyone's), this write's version is deleted for good, which makes the other
 * write the current document again, and the call fails with PreconditionFailed as a refused
 * compare-and-swap does. Every version stays listed, so nothing anyone wrote is lost.
 *
 * What it does not give (docs/history.md): the write is visible for the two requests between it
 * and its undo, so a reader (kops) may see it meanwhile, and a writer that read it then may carry
 * its content forward. Identical bytes are one version on S3 (the ETag): a racing write of exactly
 * these bytes is not told from this one, which is harmless to the content.
 */
import { StateStoreError } from '../errors.js';
import type { ObjectInfo, ObjectVersion, Vfs } from '../vfs/types.js';
import { sameEtag } from '../backends/common/etag.js';

/** Whether each Vfs keeps versions (asked once: `describeStore`, S3 GetBucketVersioning). */
const versioned = new WeakMap<Vfs, Promise<boolean>>();

/**
 * Whether writes to `vfs` can be checked against its object versions: it lists and deletes
 * versions and says its versioning is enabled (a suspended or unknown versioning does not do: an
 * overwritten version could be gone, and the undo would delete the only copy).
 */
export function swapsByVersions(vfs: Vfs): Promise<boolean> {
  const { listObjectVersions, deleteObjectVersion, describeStore } = vfs;
  if (listObjectVersions === undefined || deleteObjectVersion === undefined || describeStore === undefined)
    return Promise.resolve(false);
  let known = versioned.get(vfs);
  if (known === undefined) {
    known = describeStore.call(vfs).then(
      (facts) => facts.versioning === 'enabled',
      () => false,
    );
    versioned.set(vfs, known);
  }
  return known;
}

/**
 * Writes `body` to `key` if it is still at version `expected` (undefined: if it does not exist):
 * with the store's own condition when it enforces it, else checked against the object versions
 * where {@link swapsByVersions} (see the file's comment), else the store's condition all the same
 * (which the portable layer refuses with Unsupported, naming why).
 */
export async function compareAndSwap(
  vfs: Vfs,
  key: string,
  body: string,
  expected: string | undefined,
  options: { contentType: string; signal?: AbortSignal },
): Promise<ObjectInfo> {
  const capabilities = await vfs.loadCapabilities({ signal: options.signal });
  const enforced = expected === undefined ? capabilities.ifNoneMatch : capabilities.ifMatch;
  if (enforced || !(await swapsByVersions(vfs))) {
    const condition = expected === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: expected };
    return vfs.write(key, body, { ...condition, ...options });
  }
  // Checked against the object versions (see the file's comment).
  const changed = (why: string) =>
    new StateStoreError('PreconditionFailed', `${key} ${why}`, { key, backend: vfs.backend });
  const [base] = await vfs.listObjectVersions!(key, { signal: options.signal });
  const holds =
    expected === undefined
      ? base === undefined || base.deleted
      : base !== undefined && !base.deleted && sameEtag(base.version, expected);
  if (!holds) throw changed(`changed since version ${expected ?? '(none)'} was read; nothing written`);
  const written = await vfs.write(key, body, options);
  // No signal from here on: the write happened, its check (and its undo) must not be cut short.
  const after = await vfs.listObjectVersions!(key);
  const at = base === undefined ? after.length : after.findIndex((v) => v.versionId === base.versionId);
  const newer = at < 0 ? after : after.slice(0, at);
  const isThisWrite = (v: ObjectVersion | undefined) =>
    v !== undefined && !v.deleted && sameEtag(v.version, written.version);
  if (at >= 0 && isThisWrite(newer[newer.length - 1])) return written;
  // Another write landed between the version read and this one: this one goes, theirs stays.
  const mine = newer.find((v) => isThisWrite(v) && v.versionId !== 'null');
  if (mine === undefined)
    throw changed(
      `changed while it was written, and the version this write made is not listed to be undone: it may be the current document; read the history`,
    );
  await vfs.deleteObjectVersion!(key, mine.versionId);
  throw changed(
    `changed while it was written (another write, kops's perhaps, landed between the version read and this one); ` +
      `this write was undone (its version ${mine.versionId} deleted), nothing written`,
  );
}

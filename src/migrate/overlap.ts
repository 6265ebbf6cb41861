import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateStoreError } from '../errors.js';
import type { Vfs } from '../vfs/types.js';
import { parseStoreUrl } from '../vfs/url.js';

/**
 * Where a store's objects really live: a namespace (one folder tree, one memfs name, one bucket
 * at one endpoint) and the root inside it, as segments. Two stores overlap when they share the
 * namespace and one root is a prefix of the other: a move between them would copy a store into
 * itself, and `deleteSource` would then delete what it just wrote (issue #14.5).
 */
export interface ResolvedLocation {
  namespace: string;
  root: string[];
}

/** S3-compatible schemes: one service, told apart by endpoint (which the Vfs URL does not show). */
const S3_FAMILY = new Set(['s3', 'do', 'scw', 'hos', 'linode']);

/** Resolves a store's location: real paths for file://, bucket + prefix (+ endpoint) for clouds, name + prefix for memfs. */
export async function resolveLocation(vfs: Vfs): Promise<ResolvedLocation> {
  const url = vfs.url;
  if (vfs.backend === 'file' || url.startsWith('file:')) {
    const real = await realLocation(url.startsWith('file:') ? fileURLToPath(url) : url);
    return { namespace: 'file', root: real.split(path.sep).filter((s) => s !== '') };
  }
  const parsed = parseStoreUrl(url);
  const root = parsed.path === '' ? [] : parsed.path.split('/');
  if (S3_FAMILY.has(parsed.scheme)) {
    // The identity is `endpoint|credentials`: only the endpoint says which service holds the bucket.
    const endpoint = vfs.serverSideLocation?.('probe')?.identity.split('|')[0] ?? parsed.scheme;
    return { namespace: `s3|${endpoint}|${parsed.host}`, root };
  }
  return { namespace: `${parsed.scheme}|${parsed.host}`, root };
}

/**
 * Refuses a move between overlapping stores (the same store under another name, the destination
 * inside the source, or the source inside the destination), before anything is written.
 */
export async function assertDisjoint(from: Vfs, to: Vfs): Promise<void> {
  const [a, b] = await Promise.all([resolveLocation(from), resolveLocation(to)]);
  if (a.namespace !== b.namespace) return;
  const shorter = Math.min(a.root.length, b.root.length);
  for (let i = 0; i < shorter; i++) if (a.root[i] !== b.root[i]) return;
  const how =
    a.root.length === b.root.length
      ? 'are the same store'
      : a.root.length < b.root.length
        ? 'overlap: the destination is inside the source'
        : 'overlap: the source is inside the destination';
  throw new StateStoreError(
    'InvalidArgument',
    `moveStateStore: from (${from.url}) and to (${to.url}) ${how}; a move needs two separate stores`,
  );
}

/**
 * The real path of `target`, symlinks resolved: of its deepest existing ancestor, with the rest
 * appended (a destination that does not exist yet is still compared where it would be created).
 */
async function realLocation(target: string): Promise<string> {
  const rest: string[] = [];
  let probe = path.resolve(target);
  for (;;) {
    try {
      return path.join(await realpath(probe), ...rest.reverse());
    } catch {
      const parent = path.dirname(probe);
      if (parent === probe) return path.resolve(target);
      rest.push(path.basename(probe));
      probe = parent;
    }
  }
}

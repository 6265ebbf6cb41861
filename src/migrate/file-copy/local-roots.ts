import { localRootOf, type LocalRoot } from '../../backends/file/local-root.js';
import { driverOf } from '../../vfs/driver-of.js';
import type { Vfs } from '../../vfs/types.js';

/**
 * The folders of two stores that are both the file backend's own (not wrapped), else undefined:
 * where a move copies through the workers (FileCopies.open). Kept out of copies.ts so that a move
 * can ask before it loads the workers' code (move.ts).
 */
export function localRoots(from: Vfs, to: Vfs): { from: LocalRoot; to: LocalRoot } | undefined {
  const fromDriver = driverOf(from);
  const toDriver = driverOf(to);
  const fromRoot = fromDriver === undefined ? undefined : localRootOf(fromDriver);
  const toRoot = toDriver === undefined ? undefined : localRootOf(toDriver);
  return fromRoot === undefined || toRoot === undefined ? undefined : { from: fromRoot, to: toRoot };
}

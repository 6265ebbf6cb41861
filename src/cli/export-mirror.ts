/**
 * `export` as a mirror of the store (issue #28.3): a manifest of the files an export wrote,
 * `{DIR}/{cluster}/.statestore-export.json`, so that the next export removes exactly those the
 * store no longer has and never a file it did not put there (`.git/`, a README). Files whose
 * bytes are already there are not rewritten, so an unchanged store leaves the folder untouched.
 * The file backend hides `.statestore-` names, so the folder still opens as a file:// store.
 */
import { chmod, lstat, mkdir, readFile, realpath, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The manifest's name in the cluster's exported folder. */
export const MANIFEST = '.statestore-export.json';

/** The file of a store key (`{cluster}/...`) in the export, refused when it would leave the cluster's folder. */
export function fileOf(root: string, cluster: string, key: string): string {
  const target = path.resolve(root, ...key.split('/'));
  // Keys are validated by the library (no '..' segments); this keeps that promise visible here.
  if (!target.startsWith(path.join(root, cluster) + path.sep))
    throw new Error(`refusing a path outside ${cluster}/: ${key}`);
  return target;
}

/** The keys the previous export of `cluster` wrote (none without a readable manifest). */
export async function previousExport(root: string, cluster: string): Promise<string[]> {
  const text = await readFile(path.join(root, cluster, MANIFEST), 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  try {
    const files = (JSON.parse(text) as { files?: unknown }).files;
    return Array.isArray(files) ? files.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return []; // an unreadable manifest removes nothing
  }
}

/**
 * Writes a file 0600 in folders made 0700, as the file backend does (an export may hold whatever
 * the store holds), unless it already holds these bytes; either way it ends 0600 and its folders
 * up to `{DIR}/{cluster}` 0700 (folders above are the caller's). Resolves to whether it wrote.
 */
export async function mirrorFile(root: string, cluster: string, target: string, body: Uint8Array): Promise<boolean> {
  const folder = path.dirname(target);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const top = path.join(root, cluster);
  for (let current = folder; current.startsWith(top); current = path.dirname(current)) await chmod(current, 0o700);
  const existing = await readFile(target).catch(() => undefined);
  const same = existing !== undefined && Buffer.compare(existing, body) === 0;
  if (!same) await writeFile(target, body, { mode: 0o600 });
  await chmod(target, 0o600);
  return !same;
}

/**
 * Removes the files of the previous export that this one did not write, and the folders that
 * leaves empty (up to the cluster's folder); only regular files, only really below
 * `{DIR}/{cluster}/` (a symlink is never followed out of it).
 */
export async function removeStale(
  root: string,
  cluster: string,
  previous: readonly string[],
  current: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  const top = path.join(root, cluster);
  const realTop = await realpath(top).catch(() => top);
  for (const key of previous) {
    if (current.has(key) || !key.startsWith(`${cluster}/`)) continue;
    const target = path.resolve(root, ...key.split('/'));
    // A manifest is a file in the user's folder: an entry leading outside the cluster's folder,
    // directly or through a symlinked folder, is not ours to remove.
    if (!target.startsWith(top + path.sep)) continue;
    const realFolder = await realpath(path.dirname(target)).catch(() => undefined);
    if (realFolder === undefined || !(realFolder + path.sep).startsWith(realTop + path.sep)) continue;
    const info = await lstat(target).catch(() => undefined);
    if (info?.isFile() !== true) continue;
    await unlink(target);
    removed.push(key);
    await removeEmptyFolders(path.dirname(target), top);
  }
  return removed;
}

/** Removes `folder` and its parents up to (not including) `top` while they are empty. */
async function removeEmptyFolders(folder: string, top: string): Promise<void> {
  for (let current = folder; current !== top && current.startsWith(top + path.sep); current = path.dirname(current)) {
    const emptied = await rmdir(current).then(
      () => true,
      () => false, // not empty: a file still lives there
    );
    if (!emptied) return;
  }
}

/** Records the export's files (sorted: the manifest's bytes depend only on the set). */
export async function writeManifest(root: string, cluster: string, keys: readonly string[]): Promise<void> {
  const files = [...keys].sort();
  const text = `${JSON.stringify({ cluster, note: 'files written by statestore export', files }, null, 2)}\n`;
  await mirrorFile(root, cluster, path.join(root, cluster, MANIFEST), Buffer.from(text));
}

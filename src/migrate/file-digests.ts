import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileStamp, stampChangeTimeNs } from '../backends/file/stamp.js';
import type { ObjectInfo, Vfs } from '../vfs/types.js';

/** What a file's stat says about its content: any write changes it. */
export interface FileIdentity {
  /** The file backend's change stamp (inode, size, mtime, and the ctime no user call can set back). */
  stamp: string;
  /** The change time the stamp holds (ns). */
  ctimeNs: bigint;
  /** No later than the stat the stamp comes from was taken (wall clock, ns). */
  statAtNs: bigint;
}

/**
 * The identities of many files (absolute paths) at once, each by a stat taken now (undefined when
 * gone): a move's copy workers (FileCopies.statMany) instead of a promise-based stat each.
 */
export type StatMany = (files: string[]) => Promise<Array<FileIdentity | undefined>>;

interface Entry extends FileIdentity {
  md5: string;
}

/** The digest file's layout; a file of another layout is ignored (every file is read once). */
const FORMAT = 2;

/**
 * Timestamps come from a coarse kernel clock (a jiffy, 1-10 ms): a write in the same tick as the
 * stat we recorded would keep its ctime. An entry is trusted only when its stat was taken at
 * least this long after the file's ctime, so any later write shows a later ctime.
 */
const SETTLED_NS = 50_000_000n;

/**
 * Unsettled files at a save beyond which it waits for them to settle rather than drop them: the
 * next run reads a dropped file again (~0.1-1 ms for a small one), the wait costs this run up to
 * 50 ms. A move's copies usually settle during the flush before their cluster's config, which
 * then stays the only one.
 */
const WORTH_WAITING = 8;

/**
 * MD5s of a file:// store's files, kept between moves next to the identity (inode, size, mtime,
 * ctime) each was computed for. A rerun then compares files without reading them: a digest is
 * reused only when the file's identity is exactly the recorded one, and since every write moves
 * the ctime (which no user call can set back), a changed file is always read again. The file
 * backend lists no MD5 (`capabilities.md5` is false), so without this a rerun hashes every file
 * on both sides, where rclone only compares sizes and mtimes. The identity of a listed or read
 * file comes with its info (`ObjectInfo.changeStamp`): no stat of its own (issue #17).
 */
export class FileDigests {
  private dirty = false;

  private constructor(
    private readonly root: string,
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** The digests of a file:// store (undefined for other backends, or when `folder` is false). */
  static async open(vfs: Vfs, folder: string | false | undefined): Promise<FileDigests | undefined> {
    if (folder === undefined || folder === false || vfs.backend !== 'file' || !vfs.url.startsWith('file:'))
      return undefined;
    const root = fileURLToPath(vfs.url);
    const name = createHash('sha256').update(root).digest('hex').slice(0, 32);
    const file = path.join(folder, `${name}.json`);
    return new FileDigests(root, file, await load(file, root));
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** The file's identity now, by a stat of its own (undefined when it is gone). */
  async identify(key: string): Promise<FileIdentity | undefined> {
    // Before the stat: the settled rule needs a time no later than the stat.
    const statAtNs = nowNs();
    const info = await stat(this.pathOf(key), { bigint: true }).catch(() => undefined);
    if (info === undefined || !info.isFile()) return undefined;
    return { stamp: fileStamp(info), ctimeNs: info.ctimeNs, statAtNs };
  }

  /**
   * The identity an info carries (its `changeStamp`), if any; `statAtNs` must be no later than
   * the stat it came from (a time taken before the call that returned the info).
   */
  identityOf(info: ObjectInfo, statAtNs = 0n): FileIdentity | undefined {
    const ctimeNs = info.changeStamp === undefined ? undefined : stampChangeTimeNs(info.changeStamp);
    return ctimeNs === undefined ? undefined : { stamp: info.changeStamp!, ctimeNs, statAtNs };
  }

  /**
   * The recorded MD5, if the file's identity now (a stamp, or a {@link FileIdentity}) is exactly
   * the one it was computed for, and that was settled.
   */
  lookup(key: string, identity: FileIdentity | string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || !settled(entry)) return undefined;
    return entry.stamp === (typeof identity === 'string' ? identity : identity.stamp) ? entry.md5 : undefined;
  }

  /** Records the MD5 of bytes read *after* `identity` was taken (so a write during the read shows). */
  record(key: string, identity: FileIdentity, md5: string): void {
    this.entries.set(key, { ...identity, md5 });
    this.dirty = true;
  }

  /**
   * Writes the digests (temp file + rename). A file recorded right after it was written is not
   * settled yet: it is stat-ed again now and kept only if unchanged and settled by now. A few
   * written in the last instants (the config a move writes last) are dropped rather than waited
   * for; more than {@link WORTH_WAITING} (copies that had no flush to settle during) are waited for.
   */
  async save(statMany?: StatMany): Promise<void> {
    if (!this.dirty) return;
    let unsettled = await this.restat(statMany);
    if (unsettled.length > WORTH_WAITING) {
      let newest = 0n;
      for (const [, entry] of unsettled) if (entry.ctimeNs > newest) newest = entry.ctimeNs;
      const wait = Number(newest + SETTLED_NS - nowNs()) / 1e6;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait + 1, 60)));
      unsettled = await this.restat(statMany);
    }
    for (const [key] of unsettled) this.entries.delete(key);
    // Only settled entries are left: a row is the stamp and the MD5.
    const rows: Record<string, [string, string]> = {};
    for (const [key, entry] of this.entries) rows[key] = [entry.stamp, entry.md5];
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify({ format: FORMAT, root: this.root, entries: rows }));
    await rename(temp, this.file);
    this.dirty = false;
  }

  /**
   * Stats the unsettled entries' files again: an unchanged one is settled by this stat (once its
   * change is far enough behind), a changed or gone one is dropped; returns those still unsettled.
   */
  private async restat(statMany: StatMany | undefined): Promise<Array<[string, Entry]>> {
    const unsettled = [...this.entries].filter(([, entry]) => !settled(entry));
    if (unsettled.length === 0) return unsettled;
    const identities =
      statMany === undefined
        ? await Promise.all(unsettled.map(([key]) => this.identify(key)))
        : await statMany(unsettled.map(([key]) => this.pathOf(key)));
    const left: Array<[string, Entry]> = [];
    for (const [index, [key, entry]] of unsettled.entries()) {
      const now = identities[index];
      if (now === undefined || now.stamp !== entry.stamp) this.entries.delete(key);
      else if (settled(now)) entry.statAtNs = now.statAtNs;
      else left.push([key, entry]);
    }
    return left;
  }
}

/** True when the identity's stat came late enough after the file's last change (see SETTLED_NS). */
function settled(identity: FileIdentity): boolean {
  return identity.statAtNs - identity.ctimeNs >= SETTLED_NS;
}

async function load(file: string, root: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as {
      format?: unknown;
      root?: unknown;
      entries?: Record<string, unknown>;
    };
    if (
      parsed.format !== FORMAT ||
      parsed.root !== root ||
      typeof parsed.entries !== 'object' ||
      parsed.entries === null
    )
      return entries;
    for (const [key, row] of Object.entries(parsed.entries)) {
      if (!Array.isArray(row) || row.length !== 2 || typeof row[0] !== 'string' || typeof row[1] !== 'string') continue;
      if (!/^[0-9a-f]{32}$/.test(row[1])) continue;
      // Saved rows were settled when saved; the stamp's ctime is only read again if re-recorded.
      entries.set(key, { stamp: row[0], md5: row[1], ctimeNs: 0n, statAtNs: SETTLED_NS });
    }
  } catch {
    // No digests yet, or an unreadable file: every file is read, as without digests.
  }
  return entries;
}

/**
 * The wall clock (ns) as the settled rule reads it: taken before a call, it is no later than any
 * stat that call makes (pass it to {@link FileDigests.identityOf}).
 */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

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
 * The identities of many files (keys of the store under `root`) at once, each by a stat taken now
 * (undefined when gone or when its stat failed: either drops the file's digest): a move's copy
 * workers (FileCopies.statMany) instead of a promise-based stat each. A rejection drops every
 * digest asked about, not the save.
 */
export type StatMany = (root: string, keys: string[]) => Promise<Array<FileIdentity | undefined>>;

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
  /** Recorded by this run (settled or not), ahead of the saved rows. */
  private readonly entries = new Map<string, Entry>();
  /** Saved rows superseded by a record of this run that was then dropped (changed, or not settled). */
  private readonly dropped = new Set<string>();

  private constructor(
    private readonly root: string,
    private readonly file: string,
    /** The rows of the digest file as parsed (each checked when looked up: a rerun looks each up once). */
    private readonly saved: Readonly<Record<string, unknown>>,
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

  /** The file's identity now, by a stat of its own (undefined when it is gone or cannot be stat-ed). */
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
    const stamp = typeof identity === 'string' ? identity : identity.stamp;
    const entry = this.entries.get(key);
    if (entry !== undefined) return settled(entry) && entry.stamp === stamp ? entry.md5 : undefined;
    // Saved rows were settled when saved.
    const row = this.dropped.has(key) ? undefined : savedRow(this.saved, key);
    return row !== undefined && row[0] === stamp ? row[1] : undefined;
  }

  /** Records the MD5 of bytes read *after* `identity` was taken (so a write during the read shows). */
  record(key: string, identity: FileIdentity, md5: string): void {
    this.entries.set(key, { ...identity, md5 });
    this.dirty = true;
  }

  /**
   * Writes the digests (temp file + rename). A file recorded right after it was written is not
   * settled yet: it is stat-ed again now and kept only if unchanged and settled by now, once the
   * margin is waited out (up to 50 ms). Files for which `notWaitedFor` is true are not waited for:
   * unsettled, they are dropped (the configs a move writes last: the next run reads each again,
   * ~0.3 ms, where waiting for it costs this run up to 50 ms).
   */
  async save(statMany?: StatMany, notWaitedFor: (key: string) => boolean = () => false): Promise<void> {
    if (!this.dirty) return;
    let unsettled = await this.restat(statMany);
    let newest = 0n;
    for (const [key, entry] of unsettled) if (!notWaitedFor(key) && entry.ctimeNs > newest) newest = entry.ctimeNs;
    if (newest > 0n) {
      // Stat-ed again even when the margin is already behind us: the first re-stat may have come
      // just short of it (its clock is whole ms) and a stat now settles what is unchanged.
      await sleepUntil(newest + SETTLED_NS + 1_000_000n);
      unsettled = await this.restat(statMany);
    }
    for (const [key] of unsettled) this.drop(key);
    // Only settled entries are left: a row is the stamp and the MD5.
    const rows: Record<string, [string, string]> = {};
    for (const key of Object.keys(this.saved)) {
      const row = this.dropped.has(key) ? undefined : savedRow(this.saved, key);
      if (row !== undefined) rows[key] = row;
    }
    for (const [key, entry] of this.entries) rows[key] = [entry.stamp, entry.md5];
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify({ format: FORMAT, root: this.root, entries: rows }));
    await rename(temp, this.file);
    this.dirty = false;
  }

  private drop(key: string): void {
    this.entries.delete(key);
    this.dropped.add(key);
  }

  /**
   * Stats the unsettled entries' files again: an unchanged one is settled by this stat (once its
   * change is far enough behind), a changed or gone one is dropped; returns those still unsettled.
   */
  private async restat(statMany: StatMany | undefined): Promise<Array<[string, Entry]>> {
    const unsettled = [...this.entries].filter(([, entry]) => !settled(entry));
    if (unsettled.length === 0) return unsettled;
    const identities = await this.identifyAll(
      unsettled.map(([key]) => key),
      statMany,
    );
    const left: Array<[string, Entry]> = [];
    for (const [index, [key, entry]] of unsettled.entries()) {
      const now = identities[index];
      if (now === undefined || now.stamp !== entry.stamp) this.drop(key);
      else if (settled(now)) entry.statAtNs = now.statAtNs;
      else left.push([key, entry]);
    }
    return left;
  }

  /**
   * The identities of `keys` now, or none where a stat failed: a stat job that failed (a worker's
   * answer lost, EIO, EACCES) is no evidence the file is unchanged, so its entries are dropped
   * like those of a changed file, and the other digests are still saved.
   */
  private async identifyAll(keys: string[], statMany: StatMany | undefined): Promise<Array<FileIdentity | undefined>> {
    try {
      if (statMany === undefined) return await Promise.all(keys.map((key) => this.identify(key)));
      return await statMany(this.root, keys);
    } catch {
      return [];
    }
  }
}

/** True when the identity's stat came late enough after the file's last change (see SETTLED_NS). */
function settled(identity: FileIdentity): boolean {
  return identity.statAtNs - identity.ctimeNs >= SETTLED_NS;
}

/** The saved rows of the digest file (none when missing, unreadable, or of another layout or root). */
async function load(file: string, root: string): Promise<Record<string, unknown>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown; root?: unknown; entries?: unknown };
    const { format, entries } = parsed;
    if (format === FORMAT && parsed.root === root && typeof entries === 'object' && entries !== null)
      return entries as Record<string, unknown>;
  } catch {
    // No digests yet, or an unreadable file: every file is read, as without digests.
  }
  return {};
}

/** A saved row of `key`, [stamp, MD5], if it is one. */
function savedRow(saved: Readonly<Record<string, unknown>>, key: string): [string, string] | undefined {
  if (!Object.hasOwn(saved, key)) return undefined;
  const row = saved[key];
  if (!Array.isArray(row) || row.length !== 2 || typeof row[0] !== 'string' || typeof row[1] !== 'string')
    return undefined;
  return MD5_HEX.test(row[1]) ? [row[0], row[1]] : undefined;
}

const MD5_HEX = /^[0-9a-f]{32}$/;

/**
 * Waits until the clock has passed `deadlineNs` (at most ~60 ms from now): a timer alone may fire
 * early by the time its event-loop turn had already spent, as libuv counts from the turn's start,
 * and a re-stat before the margin would drop digests the next run then reads again.
 */
async function sleepUntil(deadlineNs: bigint): Promise<void> {
  const limit = nowNs() + 60_000_000n;
  const until = deadlineNs < limit ? deadlineNs : limit;
  for (let left = until - nowNs(); left > 0n; left = until - nowNs())
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(Number(left) / 1e6)));
}

/**
 * The wall clock (ns) as the settled rule reads it: taken before a call, it is no later than any
 * stat that call makes (pass it to {@link FileDigests.identityOf}).
 */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

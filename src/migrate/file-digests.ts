import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vfs } from '../vfs/types.js';

/** What a file's stat says about its content: any write changes one of these. */
export interface FileIdentity {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  /** The change time: set by the kernel on every write or utimes, so a restored mtime still shows. */
  ctimeNs: bigint;
  /** When this stat was taken (wall clock, ns). */
  statAtNs: bigint;
}

interface Entry extends FileIdentity {
  md5: string;
}

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
 * on both sides, where rclone only compares sizes and mtimes.
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

  /** The file's identity now (undefined when it is gone). */
  async identify(key: string): Promise<FileIdentity | undefined> {
    const info = await stat(path.join(this.root, ...key.split('/')), { bigint: true }).catch(() => undefined);
    if (info === undefined || !info.isFile()) return undefined;
    return { ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, ctimeNs: info.ctimeNs, statAtNs: nowNs() };
  }

  /** The recorded MD5, if `identity` is exactly the one it was computed for (and that was settled). */
  lookup(key: string, identity: FileIdentity): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.statAtNs - entry.ctimeNs < SETTLED_NS) return undefined;
    const same =
      entry.ino === identity.ino &&
      entry.size === identity.size &&
      entry.mtimeNs === identity.mtimeNs &&
      entry.ctimeNs === identity.ctimeNs;
    return same ? entry.md5 : undefined;
  }

  /** Records the MD5 of bytes read *after* `identity` was taken (so a write during the read shows). */
  record(key: string, identity: FileIdentity, md5: string): void {
    this.entries.set(key, { ...identity, md5 });
    this.dirty = true;
  }

  /**
   * Writes the digests (temp file + rename). A file recorded right after it was written is not
   * settled yet: it is stat-ed again now and kept only if unchanged and settled by now.
   */
  async save(): Promise<void> {
    if (!this.dirty) return;
    // Files written in the last instants of a move: wait out the margin once (at most 50 ms) so
    // that the re-stat below can keep them and the next run need not read them.
    let newest = 0n;
    for (const entry of this.entries.values())
      if (entry.statAtNs - entry.ctimeNs < SETTLED_NS && entry.ctimeNs > newest) newest = entry.ctimeNs;
    const wait = Number(newest + SETTLED_NS - nowNs()) / 1e6;
    if (newest > 0n && wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait + 1, 60)));
    const unsettled = [...this.entries].filter(([, entry]) => entry.statAtNs - entry.ctimeNs < SETTLED_NS);
    await Promise.all(
      unsettled.map(async ([key, entry]) => {
        const now = await this.identify(key);
        const same =
          now !== undefined &&
          now.ino === entry.ino &&
          now.size === entry.size &&
          now.mtimeNs === entry.mtimeNs &&
          now.ctimeNs === entry.ctimeNs;
        if (same && now.statAtNs - now.ctimeNs >= SETTLED_NS) entry.statAtNs = now.statAtNs;
        else this.entries.delete(key);
      }),
    );
    const rows: Record<string, string[]> = {};
    for (const [key, e] of this.entries)
      rows[key] = [e.ino, e.size, e.mtimeNs, e.ctimeNs, e.statAtNs].map(String).concat(e.md5);
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify({ root: this.root, entries: rows }));
    await rename(temp, this.file);
    this.dirty = false;
  }
}

async function load(file: string, root: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { root?: unknown; entries?: Record<string, unknown> };
    if (parsed.root !== root || typeof parsed.entries !== 'object' || parsed.entries === null) return entries;
    for (const [key, row] of Object.entries(parsed.entries)) {
      if (
        !Array.isArray(row) ||
        row.length !== 6 ||
        !row.every((v) => typeof v === 'string') ||
        !/^[0-9a-f]{32}$/.test(row[5] as string)
      )
        continue;
      const [ino, size, mtimeNs, ctimeNs, statAtNs] = (row as string[]).slice(0, 5).map((v) => BigInt(v)) as [
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
      ];
      entries.set(key, { ino, size, mtimeNs, ctimeNs, statAtNs, md5: row[5] as string });
    }
  } catch {
    // No digests yet, or an unreadable file: every file is read, as without digests.
  }
  return entries;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

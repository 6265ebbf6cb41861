/**
 * Where the file -> file shape runs (`--file-root`, one or more folders), and how each round there
 * starts from the same state of the filesystem.
 *
 * Why: this machine's root filesystem is ext4 without a journal (`/proc/fs/ext4/vda/options`:
 * `nojournal_checksum`, no `/proc/fs/jbd2`). There `__ext4_new_inode` -> `find_inode_bit` skips
 * every free inode of the group whose `i_dtime` is less than 60 s old, or 360 s while its inode
 * table block is dirty in the buffer cache (`recently_deleted()`, fs/ext4/ialloc.c, RECENTCY_MIN
 * 60 and RECENTCY_DIRTY 300; checked only without a journal), looking each one up in the buffer
 * cache, from the start of the group's bitmap at every create: after a mass delete in the same
 * block group (anyone's: every test on this machine uses os.tmpdir()), each create walks past the
 * thousands just freed, and `cp -r` of 2,000 files takes 10-30 times its settled CPU
 * (bench/README.md, "Fair rounds", has the perf profile). A tool run right after a delete pays
 * that, the others do not. So the bench deletes nothing while it runs: each round's tools write
 * into fresh folders, all deleted at the end (a delete after each round would have to be followed
 * by a 60 s wait); each round starts with the filesystem written back (`sync -f`, syncfs(2): no
 * dirty page of the last round left for this round's first tool, and others' deleted inodes
 * clean, so theirs are "recent" for 60 s instead of 360), and a probe of what a create costs at
 * that moment is printed as a row. tmpfs (`/dev/shm`) has no such path: `--file-root
 * /tmp,/dev/shm` prints both.
 */
import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Measure } from './report.js';

/** A folder the file shape runs in. */
export interface FileRoot {
  /** The folder asked for (`--file-root`). */
  dir: string;
  /** The bench's own folder inside it: the seeded source, the destinations, the digests. */
  work: string;
  /** The rows' shape name: `file` on the default root (os.tmpdir()), `file@DIR` elsewhere. */
  label: string;
  /** The filesystem under it, from /proc/mounts: type and options. */
  mount: string;
}

/** The mount holding `dir` (the longest mount point that is a prefix of it), as `type options`. */
async function mountOf(dir: string): Promise<string> {
  const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length >= 4);
  let best: string[] | undefined;
  for (const fields of mounts) {
    const point = fields[1]!;
    const inside = dir === point || dir.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (inside && (best === undefined || point.length > best[1]!.length)) best = fields;
  }
  return best === undefined ? 'unknown' : `${best[2]} ${best[1]} (${best[3]})`;
}

/** Makes the bench's folder in each root. */
export async function openFileRoots(dirs: string[]): Promise<FileRoot[]> {
  const roots: FileRoot[] = [];
  for (const dir of dirs.map((d) => path.resolve(d))) {
    await mkdir(dir, { recursive: true });
    const work = await mkdtemp(path.join(dir, 'bench-move-file-'));
    const label = dir === path.resolve(tmpdir()) ? 'file' : `file@${dir}`;
    roots.push({ dir, work, label, mount: await mountOf(dir) });
  }
  return roots;
}

/** Writes the filesystem of `dir` back (syncfs(2) through coreutils' `sync -f`). */
export async function syncFilesystem(dir: string): Promise<void> {
  await promisify(execFile)('sync', ['-f', dir]);
}

/** Before a round: the filesystem written back (see the top of this file). */
export async function settle(root: FileRoot): Promise<void> {
  await syncFilesystem(root.work);
}

/**
 * What creating a file costs right now: `count` empty files created in a fresh folder by this
 * process (wall, and its CPU: the kernel's create is system time). Printed before each round's
 * tools, so a round that met a costly filesystem shows it. Deleted with the rest at the end.
 */
export function createProbe(folder: string, count = 500): Promise<Measure> {
  return mkdir(folder, { recursive: true }).then(() => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < count; i++)
      closeSync(openSync(path.join(folder, `p${i}`), constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644));
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
  });
}

/** Deletes the bench's folders of every root and writes them back (the next run starts settled). */
export async function closeFileRoots(roots: FileRoot[]): Promise<void> {
  for (const root of roots) {
    await rm(root.work, { recursive: true, force: true });
    await syncFilesystem(root.dir).catch(() => undefined);
  }
}

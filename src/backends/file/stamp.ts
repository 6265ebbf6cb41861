import type { BigIntStats } from 'node:fs';

/** The version token of a file: its inode, modification time (ns) and size. */
export function fileVersion(ino: bigint, mtimeNs: bigint, size: number | bigint): string {
  return `${ino.toString(36)}.${mtimeNs.toString(36)}.${size.toString(36)}`;
}

/**
 * A file's `ObjectInfo.changeStamp`: its version and its change time (ns). The kernel sets the
 * change time on every write, utimes, link or rename, and no user call can set it back, so a
 * same-size rewrite with its mtime restored still shows (issue #17, kept digests).
 */
export function fileStamp(stats: BigIntStats): string {
  return `${fileVersion(stats.ino, stats.mtimeNs, stats.size)}.${stats.ctimeNs.toString(36)}`;
}

/** The change time (ns) a {@link fileStamp} holds; undefined for anything else. */
export function stampChangeTimeNs(stamp: string): bigint | undefined {
  const parts = stamp.split('.');
  const last = parts[3];
  if (parts.length !== 4 || last === undefined || !/^[0-9a-z]+$/.test(last)) return undefined;
  let value = 0n;
  for (const digit of last) value = value * 36n + BigInt(parseInt(digit, 36));
  return value;
}

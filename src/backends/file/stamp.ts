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
export function fileStamp(stats: Pick<BigIntStats, 'ino' | 'mtimeNs' | 'size' | 'ctimeNs'>): string {
  // fileVersion's text spelled out: the move's copy workers run this function from its source
  // text (src/migrate/file-copy/worker-code.ts), where it can call nothing from outside.
  const { ino, mtimeNs, size, ctimeNs } = stats;
  return `${ino.toString(36)}.${mtimeNs.toString(36)}.${size.toString(36)}.${ctimeNs.toString(36)}`;
}

/** The change time (ns) a {@link fileStamp} holds (its last dot-separated part); undefined if that is no base-36 number. */
export function stampChangeTimeNs(stamp: string): bigint | undefined {
  const dot = stamp.lastIndexOf('.');
  const digits = stamp.slice(dot + 1);
  if (dot === -1 || !/^[0-9a-z]{1,24}$/.test(digits)) return undefined;
  // In chunks of 8 base-36 digits, each exact as a double (36^8 < 2^53).
  let value = 0n;
  for (let at = 0; at < digits.length; at += 8) {
    const chunk = digits.slice(at, at + 8);
    value = value * 36n ** BigInt(chunk.length) + BigInt(parseInt(chunk, 36));
  }
  return value;
}

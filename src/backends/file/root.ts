import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { StateStoreError } from '../../errors.js';
import { errnoOf, fsError } from './errors.js';
import { RESERVED_PREFIX } from './lock.js';

/**
 * The longest file or folder name most filesystems take (NAME_MAX: ext4, xfs, btrfs, APFS, NTFS),
 * in bytes. Checked up front so an over-long segment is InvalidArgument on every call, not an
 * errno that some calls surface as Unknown (issue #14.8).
 */
export const MAX_SEGMENT_BYTES = 255;

/**
 * The folder a file store lives in, and the one rule that matters most: nothing a key names may
 * resolve outside it, symlinks included. Keys were already checked for `..` by the portable layer;
 * this catches symlinks inside the root that point out of it.
 */
export class FileRoot {
  private realRoot: string | undefined;

  constructor(readonly dir: string) {}

  /** The absolute path of `key` after checking that it stays inside the root. */
  async resolve(key: string): Promise<string> {
    const full = this.pathOf(key);
    await this.assertInside(full, key);
    return full;
  }

  /**
   * {@link resolve} and {@link prepareParent} in one, with the same checks at a third of the cost
   * (issue #17: three realpaths and a mkdir per written file were the file backend's largest
   * cost in a move). The key itself is only `lstat`-ed: a name that is not a symlink resolves
   * wherever its folder does, so one realpath of the folder decides; a symlink is resolved and
   * checked as before. The folders are made only when missing, and checked again once made.
   */
  async resolveForWrite(key: string, checkKey = true): Promise<string> {
    const full = this.pathOf(key);
    if (checkKey) await this.assertKeyInside(full, key);
    if (!(await this.assertInside(path.dirname(full), key))) await this.prepareParent(full, key);
    return full;
  }

  /**
   * For a write that skipped the key's own check (`resolveForWrite(key, false)`: a create-only
   * write, whose `link()` never follows a symlink and fails on any existing name): the check,
   * once the name was found taken, so that a symlink out of the root is refused as ever.
   */
  async assertKeyInside(full: string, key: string): Promise<void> {
    const entry = await lstat(full).catch((err: unknown) => {
      const errno = errnoOf(err);
      if (errno === 'ENOENT' || errno === 'ENOTDIR') return undefined;
      throw fsError(err, key);
    });
    if (entry?.isSymbolicLink()) await this.assertInside(full, key);
  }

  /** The absolute path of `key` (InvalidArgument for a reserved name or an over-long segment); no I/O. */
  pathOf(key: string): string {
    const segments = key.split('/');
    if (segments.some((segment) => segment.startsWith(RESERVED_PREFIX))) {
      throw new StateStoreError(
        'InvalidArgument',
        `file: key ${JSON.stringify(key)} uses the reserved name prefix "${RESERVED_PREFIX}"`,
        { key, backend: 'file' },
      );
    }
    const long = segments.find((segment) => Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES);
    if (long !== undefined) {
      throw new StateStoreError(
        'InvalidArgument',
        `file: key ${JSON.stringify(key)} has a path segment longer than ${MAX_SEGMENT_BYTES} bytes, the longest file name a filesystem takes`,
        { key, backend: 'file' },
      );
    }
    return path.join(this.dir, ...segments);
  }

  /** Creates the parent folders of `full` (mode 0700) and checks again that they stay inside. */
  async prepareParent(full: string, key: string): Promise<void> {
    await mkdir(path.dirname(full), { recursive: true, mode: 0o700 });
    await this.assertInside(path.dirname(full), key);
  }

  private async root(): Promise<string> {
    if (this.realRoot === undefined) {
      try {
        this.realRoot = await realpath(this.dir);
      } catch (err) {
        if (errnoOf(err) !== 'ENOENT') throw err;
        return path.resolve(this.dir); // not created yet: nothing below it can be a symlink either
      }
    }
    return this.realRoot;
  }

  /**
   * Resolves the deepest existing ancestor of `full` (following symlinks) and checks containment.
   * True when `full` itself exists.
   */
  private async assertInside(full: string, key: string): Promise<boolean> {
    const root = await this.root();
    let probe = full;
    let real: string | undefined;
    while (real === undefined) {
      try {
        real = await realpath(probe);
      } catch (err) {
        if (errnoOf(err) !== 'ENOENT' && errnoOf(err) !== 'ENOTDIR') throw fsError(err, key);
        const parent = path.dirname(probe);
        if (parent === probe || probe === path.resolve(this.dir)) return false;
        probe = parent;
      }
    }
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new StateStoreError(
        'InvalidArgument',
        `file: key ${JSON.stringify(key)} resolves outside the store's root (symlink)`,
        { key, backend: 'file' },
      );
    }
    return probe === full;
  }
}

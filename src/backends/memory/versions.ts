/**
 * A memory store's object versions, when it keeps them (`memory: { versioning: true }`): every
 * write and delete of a key appended, as a bucket with S3 object versioning keeps them.
 */
import { StateStoreError } from '../../errors.js';
import type { ObjectVersion } from '../../vfs/types.js';
import type { Entry } from './entry.js';

interface Kept {
  versionId: string;
  /** Undefined for a deletion. */
  entry?: Entry;
  lastModified: Date;
}

export class ObjectVersions {
  private readonly byKey = new Map<string, Kept[]>();
  private counter = 0;

  /** Keeps a new version of `key` (undefined: it was deleted). */
  add(key: string, entry: Entry | undefined): void {
    const kept = this.byKey.get(key) ?? [];
    kept.push({ versionId: `v${++this.counter}`, ...(entry === undefined ? {} : { entry }), lastModified: new Date() });
    this.byKey.set(key, kept);
  }

  /** The versions of `key`, newest first. */
  list(key: string): ObjectVersion[] {
    const kept = this.byKey.get(key) ?? [];
    return kept
      .map((version, i) => ({
        versionId: version.versionId,
        ...(version.entry === undefined ? {} : { version: version.entry.info.version }),
        lastModified: version.lastModified,
        size: version.entry?.body.byteLength ?? 0,
        isLatest: i === kept.length - 1,
        deleted: version.entry === undefined,
      }))
      .reverse();
  }

  /**
   * Deletes one version for good; returns what `key` is now when it was the newest (its new newest
   * version's object, or null when that is a deletion or none is left), else undefined.
   */
  remove(key: string, versionId: string): Entry | null | undefined {
    const kept = this.byKey.get(key) ?? [];
    const index = kept.findIndex((version) => version.versionId === versionId);
    if (index < 0) return undefined;
    kept.splice(index, 1);
    if (index < kept.length) return undefined;
    return kept[kept.length - 1]?.entry ?? null;
  }

  /** One version's object; NotFound for an unknown version or a deletion. */
  read(key: string, versionId: string): Entry {
    const entry = this.byKey.get(key)?.find((version) => version.versionId === versionId)?.entry;
    if (entry === undefined)
      throw new StateStoreError('NotFound', `no version ${JSON.stringify(versionId)} of ${JSON.stringify(key)}`, {
        key,
        backend: 'memory',
      });
    return entry;
  }
}

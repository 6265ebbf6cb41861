/** Options of the `file://` backend. */
export interface FileBackendOptions {
  /**
   * How long a compare-and-swap waits for another writer's lock before failing with Conflict.
   * Default 10,000 ms.
   */
  lockTimeoutMs?: number;
  /** A lock older than this is taken to be left by a crashed writer and is broken. Default 30,000 ms. */
  staleLockMs?: number;
  /**
   * A temp file (`.statestore-tmp-*`) nothing has written to for this long was left by a writer
   * that died (killed mid-write); a listing that passes its folder removes it. Default 86,400,000
   * (a day); `Infinity` keeps them.
   */
  tempMaxAgeMs?: number;
  /** Calls fsync on files and folders after writing (durability across power loss). Default true. */
  fsync?: boolean;
}

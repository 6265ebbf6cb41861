/** Options of the `file://` backend. */
export interface FileBackendOptions {
  /**
   * How long a compare-and-swap waits for another writer's lock before failing with Conflict.
   * Default 10,000 ms.
   */
  lockTimeoutMs?: number;
  /** A lock older than this is taken to be left by a crashed writer and is broken. Default 30,000 ms. */
  staleLockMs?: number;
  /** Calls fsync on files and folders after writing (durability across power loss). Default true. */
  fsync?: boolean;
}

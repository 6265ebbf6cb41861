/** What a move's file copy workers need of a file store (src/migrate/file-copy/). */
export interface LocalRoot {
  /** The store's folder (absolute). */
  readonly dir: string;
  /** Whether the store fsyncs its writes (FileBackendOptions.fsync). */
  readonly fsync: boolean;
  /** The name prefix of the store's temp files (their writers' or abandoned: hidden from listings). */
  readonly tempPrefix: string;
  /** Names starting with this are not keys (temp and lock files): listings skip them. */
  readonly reservedPrefix: string;
  /** A temp file not written for this long was left by a dead writer: a listing removes it. */
  readonly tempMaxAgeMs: number;
  /** The absolute path of `key`, or undefined for a key the store refuses (its errors are the driver's). */
  pathOf(key: string): string | undefined;
}

const roots = new WeakMap<object, LocalRoot>();

/** Records the root of a file driver (FileDriver's constructor). */
export function registerLocalRoot(driver: object, root: LocalRoot): void {
  roots.set(driver, root);
}

/**
 * The root of a built-in file driver, undefined for any other driver. Kept out of FileDriver's
 * own module so that asking does not load the file backend.
 */
export function localRootOf(driver: object): LocalRoot | undefined {
  return roots.get(driver);
}

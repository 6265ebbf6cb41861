import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectInfo } from '../vfs/types.js';

/**
 * The rewrite rules' version: bumped whenever the rewritten config of a given source config could
 * change (rewrite.ts, storeBaseOf), so that no entry computed by other rules is ever reused.
 */
const RULES = 1;

/** What rewriting one source config gave: enough to skip it on a rerun without reading it. */
export interface RewrittenConfig {
  /** Size and MD5 of the source config the rewrite read (its bytes, not its listing). */
  readonly sourceSize: number;
  readonly sourceMd5: string;
  /** Size and MD5 of the rewritten config written (or found identical) at the destination. */
  readonly size: number;
  readonly md5: string;
  /** The store URL the source config named (generated files are scanned for it). */
  readonly oldBase: string;
  /** The fields rewritten, as JSON pointers (the cluster's result reports them). */
  readonly rewritten: string[];
}

/**
 * The rewritten config of each cluster of one move (from, to), kept between runs in the move's
 * `digestFolder`, so that a rerun need not read every source config: the rewrite is a pure
 * function of the source config's bytes, the cluster and the two store URLs (the file name and
 * the key), and {@link RULES}. An entry is used only when the listings show the source config
 * with the recorded size and MD5 (the same bytes the rewrite read) and the destination config
 * with the recorded size and MD5 (the bytes that rewrite gives): the destination then holds
 * exactly what writing the config would write, which is when the move skips it anyway. Any
 * change on either side, a missing MD5 in a listing, or a missing entry: the config is read.
 */
export class ConfigMemo {
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, RewrittenConfig>,
    /**
     * Generated files scanned for the old store's URL, by `<MD5 of the bytes scanned>\n<old store
     * URL>`: whether it was found. A pure function of those bytes, that URL and the destination's
     * (the file's name), so a rerun that lists the same MD5 knows the answer without a read.
     */
    private readonly scans: Map<string, boolean>,
  ) {}

  /** The memo of a move from `from` to `to` (undefined without a folder). */
  static async open(from: string, to: string, folder: string | false | undefined): Promise<ConfigMemo | undefined> {
    if (folder === undefined || folder === false) return undefined;
    const name = createHash('sha256').update(`${RULES}\n${from}\n${to}`).digest('hex').slice(0, 32);
    const file = path.join(folder, `move-configs-${name}.json`);
    const { entries, scans } = await load(file);
    return new ConfigMemo(file, entries, scans);
  }

  /** Whether bytes of this MD5 named `oldBase` when scanned (undefined: never scanned). */
  scanned(md5: string, oldBase: string): boolean | undefined {
    return this.scans.get(`${md5}\n${oldBase}`);
  }

  /** Records the scan of bytes of this MD5 for `oldBase`. */
  recordScan(md5: string, oldBase: string, found: boolean): void {
    const key = `${md5}\n${oldBase}`;
    if (this.scans.get(key) === found) return;
    this.scans.set(key, found);
    this.dirty = true;
  }

  /** The recorded rewrite of `cluster`, if the listings prove both configs are the recorded bytes. */
  lookup(cluster: string, source: ObjectInfo, destination: ObjectInfo | null): RewrittenConfig | undefined {
    const entry = this.entries.get(cluster);
    if (entry === undefined || destination === null || source.md5 === undefined || destination.md5 === undefined)
      return undefined;
    const same =
      source.size === entry.sourceSize &&
      source.md5 === entry.sourceMd5 &&
      destination.size === entry.size &&
      destination.md5 === entry.md5;
    return same ? entry : undefined;
  }

  /** Records the rewrite of `cluster` once the destination holds it. */
  record(cluster: string, entry: RewrittenConfig): void {
    this.entries.set(cluster, entry);
    this.dirty = true;
  }

  /** Writes the memo (atomically: a temporary file renamed over it), if anything was recorded. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const memo = { rules: RULES, clusters: Object.fromEntries(this.entries), scans: Object.fromEntries(this.scans) };
    await writeFile(temporary, JSON.stringify(memo));
    await rename(temporary, this.file);
    this.dirty = false;
  }
}

/** The recorded entries and scans; a missing, unreadable or foreign file counts as empty (configs are read). */
async function load(file: string): Promise<{ entries: Map<string, RewrittenConfig>; scans: Map<string, boolean> }> {
  const empty = { entries: new Map<string, RewrittenConfig>(), scans: new Map<string, boolean>() };
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { rules?: unknown; clusters?: unknown; scans?: unknown };
    if (parsed.rules !== RULES || typeof parsed.clusters !== 'object' || parsed.clusters === null) return empty;
    const scans = typeof parsed.scans === 'object' && parsed.scans !== null ? Object.entries(parsed.scans) : [];
    return {
      entries: new Map(Object.entries(parsed.clusters as Record<string, unknown>).filter(isEntry)),
      scans: new Map(scans.filter((pair): pair is [string, boolean] => typeof pair[1] === 'boolean')),
    };
  } catch {
    return empty;
  }
}

function isEntry(pair: [string, unknown]): pair is [string, RewrittenConfig] {
  const entry = pair[1] as Partial<RewrittenConfig> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.sourceSize === 'number' &&
    typeof entry.sourceMd5 === 'string' &&
    typeof entry.size === 'number' &&
    typeof entry.md5 === 'string' &&
    typeof entry.oldBase === 'string' &&
    Array.isArray(entry.rewritten) &&
    entry.rewritten.every((pointer) => typeof pointer === 'string')
  );
}

/**
 * What FileCopies (copies.ts) exchanges with the move and the workers besides the jobs: a batch's
 * items and owners, and the workers' stats and listings as the move takes them.
 */
import type { LocalRoot } from '../../backends/file/local-root.js';
import { fileStamp } from '../../backends/file/stamp.js';
import type { ObjectInfo } from '../../vfs/types.js';
import type { FileIdentity } from '../file-digests.js';
import type { ListedFile } from '../listing.js';
import type { TransferContext } from '../transfer.js';
import type { Listing, ListJob, StatIdentity } from './protocol.js';

/**
 * What the workers did with a file: copied it, found it identical, or left it to the move's own
 * path (`main`: the file driver through the Vfs, which decides and reports as for every store;
 * `main-after-link`: the same, for a file a worker had already linked under its name).
 */
export type FastCopy = 'copied' | 'skipped' | 'main' | 'main-after-link';

/** A cluster's side of a batch (ClusterRun): its copy context, and the answer for each of its files. */
export interface BatchOwner {
  readonly cluster: string;
  readonly context: TransferContext;
  /** `fast`: what the workers did with the file; undefined when the batch failed (its error fails the move). */
  batched(file: ListedFile, fast: FastCopy | undefined): void;
}

/** A file listed absent at the destination, for a batch (FileCopies.copyBatch). */
export interface BatchItem {
  readonly file: ListedFile;
  readonly owner: BatchOwner;
}

/** A worker's stat as FileDigests keeps it. */
export function identityOf(stat: StatIdentity): FileIdentity {
  return { stamp: fileStamp(stat), ctimeNs: stat.ctimeNs, statAtNs: stat.statAtNs };
}

export function listJob(root: LocalRoot, prefix: string): ListJob {
  const { dir, reservedPrefix, tempPrefix, tempMaxAgeMs } = root;
  return { kind: 'list', root: dir, prefix, reservedPrefix, tempPrefix, tempMaxAgeMs };
}

/** A worker's listed file (Listing: its stats from `at`) as the file driver's listing gives it (version, change stamp). */
export function listedInfo(key: string, stats: Listing['stats'], at: number, stamp: string): ObjectInfo {
  return {
    key,
    size: Number(stats[at]!),
    // fileVersion: the stamp without its last part (the ctime).
    version: stamp.slice(0, stamp.lastIndexOf('.')),
    lastModified: new Date(Number(stats[at + 2]! / 1_000_000n)),
    changeStamp: stamp,
  };
}

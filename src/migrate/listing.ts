import type { ObjectInfo, Vfs } from '../vfs/types.js';
import { validateClusterName } from '../store/names.js';
import { isLeaseKey } from '../store/lease/document.js';
import type { TaskGroup } from './tasks.js';

/** Where a cluster move gets its file lists from: one listing per cluster, or one per store. */
export interface Listings {
  /** The cluster's source files, as they are listed. */
  source(cluster: string): AsyncIterable<ObjectInfo>;
  /** The cluster's files already at the destination. */
  destination(cluster: string): Promise<ObjectInfo[]>;
}

/** A listing of each cluster's prefix: copies start with its first page. */
export function perCluster(from: Vfs, to: Vfs, signal: AbortSignal | undefined): Listings {
  return {
    source: (cluster) => withoutLeases(from.listAll({ prefix: `${cluster}/`, signal })),
    destination: async (cluster) => {
      const files: ObjectInfo[] = [];
      for await (const info of to.listAll({ prefix: `${cluster}/`, signal })) files.push(info);
      return files;
    },
  };
}

/**
 * One listing of each whole store, grouped by cluster, for a move of every cluster: a store of
 * many small clusters then costs two listings (a page per 1,000 keys on S3) instead of two per
 * cluster plus a HEAD of each config. The clusters are the top-level folders holding a `config`
 * (as StateStore.listClusters finds them), in key order.
 */
export async function perStore(
  from: Vfs,
  to: Vfs,
  signal: AbortSignal | undefined,
): Promise<{ clusters: string[]; listings: Listings }> {
  const [source, destination] = await Promise.all([grouped(from, signal), grouped(to, signal)]);
  const clusters = [...source.keys()]
    .filter((cluster) => source.get(cluster)!.some((info) => info.key === `${cluster}/config`) && validName(cluster))
    .sort();
  return {
    clusters,
    listings: {
      source: async function* (cluster) {
        yield* source.get(cluster) ?? [];
      },
      destination: async (cluster) => destination.get(cluster) ?? [],
    },
  };
}

async function grouped(vfs: Vfs, signal: AbortSignal | undefined): Promise<Map<string, ObjectInfo[]>> {
  const byCluster = new Map<string, ObjectInfo[]>();
  for await (const info of vfs.listAll({ signal })) {
    const slash = info.key.indexOf('/');
    if (slash <= 0) continue; // a file at the store's root belongs to no cluster
    if (isLeaseKey(info.key)) continue; // the source store's lock, not the cluster's data
    const cluster = info.key.slice(0, slash);
    const files = byCluster.get(cluster);
    if (files === undefined) byCluster.set(cluster, [info]);
    else files.push(info);
  }
  return byCluster;
}

/** A cluster's lease is the source store's lock (held by the move itself): never copied. */
async function* withoutLeases(files: AsyncIterable<ObjectInfo>): AsyncIterable<ObjectInfo> {
  for await (const info of files) if (!isLeaseKey(info.key)) yield info;
}

function validName(cluster: string): boolean {
  try {
    validateClusterName(cluster);
    return true;
  } catch {
    return false;
  }
}

/**
 * A cluster's source listing, read in the background: the files listed so far, and a hand-over
 * of the rest to whoever calls `forEach`. Stops at the copies' first failure and records its own.
 */
export class SourceListing {
  readonly files: ObjectInfo[] = [];
  /** Settles when the listing ends; never rejects (a failure goes to the copies' TaskGroup). */
  readonly done: Promise<void>;
  private onListed: ((info: ObjectInfo) => void) | undefined;

  constructor(pages: AsyncIterable<ObjectInfo>, copies: TaskGroup) {
    this.done = (async () => {
      for await (const info of pages) {
        if (copies.failed) return;
        this.files.push(info);
        this.onListed?.(info);
      }
    })().catch((err: unknown) => copies.fail(err));
  }

  /** Calls `fn` on every file listed so far, then on each one as it is listed. */
  forEach(fn: (info: ObjectInfo) => void): void {
    // Synchronously: no page can arrive between the catch-up and the hand-over.
    this.files.forEach(fn);
    this.onListed = fn;
  }
}

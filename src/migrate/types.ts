import type { OpenVfsOptions } from '../backends/options.js';
import type { RetryPolicy } from '../vfs/retry.js';
import type { Vfs } from '../vfs/types.js';

/** A store given as a URL, an open Vfs, or anything that carries one (a StateStore). */
export type StoreRef =
  | string
  | Vfs
  | {
      /** The store's storage (a StateStore has one). */
      readonly vfs: Vfs;
    };

/** Options of {@link moveStateStore}. */
export interface MoveOptions {
  /** The store to move from: a URL, an open Vfs, or a StateStore (an open one is not closed). */
  from: StoreRef;
  /** The store to move to (same forms as `from`); it must not overlap `from`. */
  to: StoreRef;
  /** Options used to open `from` / `to` when they are URLs. */
  openOptions?: OpenVfsOptions;
  /** Clusters to move. Default: every cluster of `from`. */
  clusters?: readonly string[];
  /**
   * Files in flight at once. Default 64. Of these, at most 4 files over 1 MiB stream through
   * this process at a time (each holds an upload buffer), which bounds a move's memory; copies
   * inside one service (S3 to S3 on one endpoint) use the full concurrency.
   */
  concurrency?: number;
  /** Plan only: list what would be copied, write nothing. */
  dryRun?: boolean;
  /** Replace destination files that differ from the source. Default false: such a file is an error. */
  overwrite?: boolean;
  /**
   * How a file the destination does not hold is kept from replacing one another writer creates
   * there during the move. Either way, a file the destination's listing holds is never replaced
   * without `overwrite` (AlreadyExists), and each cluster's config is written create-only (or
   * compare-and-swap) where the store enforces it.
   * - `per-file` (default): each copy is create-only: the store refuses it if the key was taken
   *   since the listing. Where the server cannot refuse a server-side copy (Ceph RGW 16.2 ignores
   *   `If-None-Match` on CopyObject), the file's bytes go through this process instead, a read
   *   and a create-only write: two requests per file instead of one.
   * - `listing`: the destination's listing is the create-only check. A file it did not hold is
   *   copied inside the service even where the server cannot refuse that copy (one CopyObject on
   *   RGW); where it can (AWS S3), the copy is still create-only. What this gives up: a file
   *   someone else creates at the destination between the listing and its copy may be replaced
   *   (`rclone copy` and `aws s3 sync` never check at all). For a destination nobody else writes
   *   during the move. Only server-side copies change; streamed files stay create-only.
   */
  createOnly?: 'per-file' | 'listing';
  /** Re-check every copied file's size and checksum at the destination. Default true. */
  verify?: boolean;
  /** Delete each cluster's source files after it was copied and verified. Default false. */
  deleteSource?: boolean;
  /** Also rewrite the old store URL inside generated files (cluster-completed.spec, igconfig/...). */
  rewriteGenerated?: boolean;
  /**
   * Attempts per file when its transfer fails with a retryable error, such as a stream cut off
   * mid-way (nothing partial is ever visible, so the file is sent again whole). On top of each
   * request's own retries (the stores' `retry` option). Default: 3 attempts, 50 ms doubling.
   */
  retry?: RetryPolicy;
  /**
   * Where MD5s of file:// stores' files are kept between moves, so that a rerun compares files
   * by their identity (inode, size, mtime, ctime) instead of reading them; a digest is reused
   * only for the exact identity it was computed for. Default: none kept (every compared file is
   * read), since a library should not write outside the stores it is given; the `statestore`
   * command uses `$XDG_CACHE_HOME/statestore/digests` (or `~/.cache/statestore/digests`).
   * Also kept there, for any backend: each cluster's rewritten config (the size and MD5 of the
   * source config it came from and of the config written), so that a rerun whose listings show
   * both configs unchanged does not read the source config again.
   */
  digestFolder?: string | false;
  /** Aborts the move: no new file starts, and the call rejects with Aborted. Rerun to resume. */
  signal?: AbortSignal;
  /** Called with the plan of each cluster, each file copied or skipped, and each cluster's result. */
  onProgress?: (event: MoveProgress) => void;
}

/** One progress event. */
export type MoveProgress =
  | {
      /** The cluster's source files are all listed. */
      type: 'plan';
      /** The cluster. */
      cluster: string;
      /** How many files the cluster has in the source store. */
      files: number;
      /** Their total size, in bytes. */
      bytes: number;
    }
  | {
      /** One file is done. */
      type: 'file';
      /** The cluster. */
      cluster: string;
      /** The file's key from the store's root (`{cluster}/...`). */
      key: string;
      /** The file's size, in bytes. */
      bytes: number;
      /** `copied`; `skipped` (already identical at the destination); `rewritten` (a generated file copied with the old store's URL replaced: `rewriteGenerated`). */
      action: 'copied' | 'skipped' | 'rewritten';
    }
  | {
      /** The cluster is done. */
      type: 'cluster';
      /** The cluster. */
      cluster: string;
      /** What happened to it. */
      result: ClusterMoveResult;
    };

/** What happened to one cluster. */
export interface ClusterMoveResult {
  /** The cluster's name (its folder in both stores). */
  cluster: string;
  /** Files of the cluster in the source store. */
  files: number;
  /** Files written to the destination. */
  copied: number;
  /** Files already identical at the destination, left as they are (what makes a rerun cheap). */
  skipped: number;
  /** Total size of the cluster's source files, in bytes. */
  bytes: number;
  /** Bytes actually transferred (copied files only). */
  bytesCopied: number;
  /** Fields rewritten in the destination `config`, as JSON pointers. */
  rewritten: string[];
  /** Generated files that still name the old store (refreshed by `kops update cluster --yes`). */
  staleReferences: string[];
  /** Whether the cluster's source files were deleted (`deleteSource`, after a verified copy). */
  sourceDeleted: boolean;
}

/** The result of {@link moveStateStore}. */
export interface MoveResult {
  /** The source store's URL, without credentials. */
  from: string;
  /** The destination store's URL, without credentials. */
  to: string;
  /** Whether this was a plan only (`dryRun`): nothing was written. */
  dryRun: boolean;
  /** One result per cluster, in the order of `clusters` (default: the source's clusters, in key order). */
  clusters: ClusterMoveResult[];
}

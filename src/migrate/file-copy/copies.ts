import type { LocalRoot } from '../../backends/file/local-root.js';
import { syncAll } from '../../backends/file/pending-syncs.js';
import { syncfsAvailable, syncFilesystems } from '../../backends/file/sync-fs.js';
import { abortedError, StateStoreError } from '../../errors.js';
import type { ObjectInfo, Vfs } from '../../vfs/types.js';
import type { FileDigests, FileIdentity } from '../file-digests.js';
import { listPages, type ListedFile } from '../listing.js';
import type { TransferContext } from '../transfer.js';
import { Batcher, type WorkQueue } from '../tasks.js';
import { identityOf, listedInfo, listJob, type BatchItem, type FastCopy } from './batch-items.js';
import { localRoots } from './local-roots.js';
import { FileCopyPool, MAX_BATCH, poolSize } from './pool.js';
import { CopyOutcome, type Copies, type JobFailed, type JobResult, type ReadDigest } from './protocol.js';

/**
 * A file:// -> file:// move's copies through worker threads (issue #29.3): a file the listing
 * found absent at the destination is copied create-only, verified and (where its cluster's config
 * is written after it) left for one batch sync before that config; a file found at the
 * destination with the source's size is compared by MD5 (kept digests first, then read in a
 * worker). Everything else (a different file, a rewritten one, a failure other than an abort or
 * a corrupt copy) goes the move's own way, so that its rules and errors stay those of the Vfs.
 */
export type { BatchItem, BatchOwner, FastCopy } from './batch-items.js';

export class FileCopies {
  /** Clusters with files copied under deferred durability not yet flushed ({@link syncCluster}). */
  private readonly unsynced = new Set<string>();
  /**
   * Deferred copies are synced by one syncfs of their filesystems at the flush (syncFilesystems),
   * not each in a worker (`later`); false once that failed (the next flushes then fsync file by file).
   */
  private batchSync = syncfsAvailable();
  /** The keys of files copied under deferred durability with nothing synced yet (batchSync). */
  private batched: string[] = [];
  /** Whether any copy was left to a worker's own deferred fsyncs (`later`). */
  private laterSent = false;
  /** The batch sync in flight: a flush waits for it, then syncs what was copied meanwhile. */
  private syncing: Promise<void> | undefined;
  /** Once a sync failed, which files are durable is unknown: no flush succeeds again. */
  private syncFailure: string | undefined;
  /** Files listed by the workers in each store (listed). */
  private readonly counts = new Map<Vfs, number>();

  private constructor(
    private readonly pool: FileCopyPool,
    private readonly fromVfs: Vfs,
    private readonly toVfs: Vfs,
    private readonly stores: ReadonlyMap<Vfs, LocalRoot>,
    private readonly from: LocalRoot,
    private readonly to: LocalRoot,
    private readonly digests: TransferContext['digests'],
  ) {}

  /** Copies through workers when both stores are the file backend's own (not wrapped, not a dry run). */
  static open(from: Vfs, to: Vfs, digests: TransferContext['digests'], signal?: AbortSignal): FileCopies | undefined {
    const roots = localRoots(from, to);
    if (roots === undefined) return undefined;
    const { from: fromRoot, to: toRoot } = roots;
    const setup = { sourceRoot: fromRoot.dir, targetRoot: toRoot.dir, tempPrefix: toRoot.tempPrefix };
    const stores = new Map([
      [from, fromRoot],
      [to, toRoot],
    ]);
    return new FileCopies(new FileCopyPool(setup, poolSize(), signal), from, to, stores, fromRoot, toRoot, digests);
  }

  /** Gathers the files listed absent, of every cluster, into batches for the workers (copyBatch). */
  batcher(queue: WorkQueue): Batcher<BatchItem> {
    // A partial batch leaves while a worker has none, else it fills while the workers copy.
    return new Batcher(queue, FileCopies.batchSize(queue.concurrency), (items) => this.copyBatch(items), poolSize());
  }

  /**
   * Files in flight for the workers to batch, when the caller leaves the concurrency to the move:
   * two full batches per worker (batchSize). Smaller batches cost more messages, and more
   * syncfs runs where many small clusters finish one batch at a time (200 clusters of 10 files:
   * 36 runs with batches of 64 against 18 with 128).
   */
  static get concurrency(): number {
    return 2 * poolSize() * MAX_BATCH;
  }

  /**
   * Files of a batch (a CopiesJob) for `inFlight` files in flight: two batches per worker (one
   * copied, the next waiting in its port), at most MAX_BATCH files each, so that the move's
   * concurrency still bounds the files in flight.
   */
  static batchSize(inFlight: number): number {
    return Math.max(1, Math.min(MAX_BATCH, Math.floor(inFlight / (2 * poolSize()))));
  }

  /** Copies or compares one listed file in a worker (see {@link FastCopy}); `cluster` owns its sync. */
  async copy(file: ListedFile, ctx: TransferContext, cluster: string): Promise<FastCopy> {
    if (file.listed !== null) return this.compare(file.source, file.listed, ctx.signal);
    return (await this.copyMany([file], ctx, [cluster]))[0]!;
  }

  /**
   * Copies files listed absent at the destination, in one job (see {@link FastCopy}, in order):
   * one message each way and flat results, where a job per file cost the calling thread a
   * promise, a result object and its BigInts each. An abort or a corrupt copy throws once the
   * batch's other copies are recorded; `clusters` own their sync.
   */
  async copyMany(files: readonly ListedFile[], ctx: TransferContext, clusters: Iterable<string>): Promise<FastCopy[]> {
    const outcomes = new Array<FastCopy>(files.length).fill('main');
    // Keys the file backend lists (so none it refuses): the workers make their paths.
    const sent = files.filter(({ source }) => !source.key.includes(this.to.reservedPrefix));
    if (sent.length === 0) return outcomes;
    const deferred = this.to.fsync && ctx.durability === 'deferred';
    const batch = deferred && this.batchSync;
    const durability = !this.to.fsync || batch ? 'none' : deferred ? 'later' : 'now';
    // Before the job: a flush for the cluster must not miss a file in flight.
    if (deferred) for (const cluster of clusters) this.unsynced.add(cluster);
    if (durability === 'later') this.laterSent = true;
    const keys = sent.map(({ source }) => source.key).join('\0');
    const result = await this.pool.run({ kind: 'copies', keys, count: sent.length, durability, verify: ctx.verify });
    if (!result.ok || result.copies === undefined) return outcomes;
    const failure = this.takeCopies(result.copies, files, sent, outcomes, batch);
    if (failure !== undefined) this.rethrow(failure.result, failure.key, ctx.signal);
    return outcomes;
  }

  /**
   * Copies the files listed absent of any clusters (a listing run's: BatchItem), in one job per
   * durability (most often one): each told to its cluster once the job is back, a failed job's
   * too (without an outcome), whose error then fails the move.
   */
  async copyBatch(items: readonly BatchItem[]): Promise<void> {
    const groups = new Map<boolean, BatchItem[]>();
    for (const item of items) {
      const deferred = item.owner.context.durability === 'deferred';
      const group = groups.get(deferred);
      if (group === undefined) groups.set(deferred, [item]);
      else group.push(item);
    }
    const copyGroup = async (group: BatchItem[]) => {
      let outcomes: FastCopy[] | undefined;
      try {
        const clusters = new Set(group.map((item) => item.owner.cluster));
        outcomes = await this.copyMany(
          group.map((item) => item.file),
          group[0]!.owner.context,
          clusters,
        );
      } finally {
        for (const [index, { file, owner }] of group.entries()) owner.batched(file, outcomes?.[index]);
      }
    };
    await Promise.all([...groups.values()].map(copyGroup));
  }

  /**
   * Reads a CopiesJob's results into `outcomes` (files[sent[i]] is its i-th file): digests
   * recorded, files to sync noted (`synced`: the targets, under batchSync); returns its first
   * abort or integrity failure.
   */
  private takeCopies(
    copies: Copies,
    files: readonly ListedFile[],
    sent: readonly ListedFile[],
    outcomes: FastCopy[],
    batch: boolean,
  ): { result: JobFailed; key: string } | undefined {
    const { outcomes: codes, md5s, times } = copies;
    const stamps = copies.stamps.split('\0');
    let failure: { result: JobFailed; key: string } | undefined;
    let index = -1;
    for (const [at, file] of sent.entries()) {
      index = files.indexOf(file, index + 1);
      const code = codes[at]!;
      const key = file.source.key;
      // A file linked is synced even if a later step failed: the move may still find it whole and keep it.
      if (batch && code !== CopyOutcome.failed && code !== CopyOutcome.aborted) this.batched.push(key);
      if (code === CopyOutcome.copied) {
        outcomes[index] = 'copied';
        const md5 = (n: number) => md5s.slice((at * 2 + n) * 32, (at * 2 + n + 1) * 32);
        const identity = (n: number) => ({
          stamp: stamps[at * 2 + n]!,
          ctimeNs: times[at * 4 + n * 2]!,
          statAtNs: times[at * 4 + n * 2 + 1]!,
        });
        this.digests?.from?.record(key, identity(0), md5(0));
        if (stamps[at * 2 + 1] !== '') this.digests?.to?.record(key, identity(1), md5(1));
      } else if (code === CopyOutcome.aborted || code === CopyOutcome.abortedLinked || code === CopyOutcome.integrity) {
        const aborted = code !== CopyOutcome.integrity;
        const result = { ok: false, message: '', aborted, integrity: !aborted } as const;
        failure ??= { result, key };
      } else {
        outcomes[index] = code === CopyOutcome.failedLinked ? 'main-after-link' : 'main';
      }
    }
    return failure;
  }

  /**
   * True when the MD5s kept for both listed identities (FileDigests) are the same, with the same
   * size: the compare {@link copy} makes first, without a job (a rerun's common case).
   */
  keptIdentical(source: ObjectInfo, listed: ObjectInfo): boolean {
    if (listed.size !== source.size) return false;
    const md5 = this.kept(this.digests?.from, source);
    return md5 !== undefined && md5 === this.kept(this.digests?.to, listed);
  }

  /**
   * Makes the cluster's deferred copies durable (files, then their folders), before its config:
   * one syncfs of what every cluster copied so far (a flush under way is waited for, then one
   * more covers the files copied meanwhile), or the fsyncs the workers do in their idle time.
   */
  async syncCluster(cluster: string): Promise<void> {
    if (!this.unsynced.delete(cluster)) return;
    try {
      await this.syncBatch();
      const failed = this.laterSent ? (await this.pool.flush()).find((result) => !result.ok) : undefined;
      if (failed !== undefined && !failed.ok) throw new Error(failed.message);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new StateStoreError(
        'Unknown',
        `file: cluster "${cluster}": a copied file could not be made durable: ${message}`,
        {
          backend: 'file',
        },
      );
    }
  }

  /** Syncs the batched copies: by syncfs, or file by file where that fails (from then on: batchSync off). */
  private async syncBatch(): Promise<void> {
    while (this.syncing !== undefined) await this.syncing.catch(() => undefined);
    if (this.syncFailure !== undefined) throw new Error(this.syncFailure);
    if (this.batched.length === 0) return;
    const keys = this.batched;
    this.batched = [];
    const pathsOf = (list: Iterable<string>) => [...list].flatMap((key) => this.to.pathOf(key) ?? []);
    const sync = async () => {
      if (await syncFilesystems(pathsOf(new Set(keys.map((key) => key.slice(0, key.lastIndexOf('/'))))))) return;
      this.batchSync = false;
      await syncAll(pathsOf(keys));
    };
    this.syncing = sync()
      .catch((err: unknown) => {
        this.syncFailure ??= err instanceof Error ? err.message : String(err);
        throw err;
      })
      .finally(() => (this.syncing = undefined));
    await this.syncing;
  }

  /**
   * The listing of one of the move's two stores, walked in a worker in one job (synchronous
   * readdir and stat: here, each file's stat would be a promise of its own); the same keys, order
   * and infos as the file backend's listing, in one page. A failure lists through the Vfs instead
   * (its pages), which then reports it as the store does.
   */
  async *listPages(
    vfs: Vfs,
    options: { prefix?: string; signal?: AbortSignal | undefined },
  ): AsyncGenerator<readonly ObjectInfo[]> {
    const root = this.stores.get(vfs);
    const job = root === undefined ? undefined : listJob(root, options.prefix ?? '');
    const listed = job === undefined ? undefined : await this.pool.run(job).catch(() => undefined);
    if (listed === undefined || !listed.ok || listed.listing === undefined) {
      yield* listPages(vfs, options);
      return;
    }
    const { keys, stats } = listed.listing;
    this.listed(vfs, stats.length / 4);
    if (keys === '') return;
    const stamps = listed.listing.stamps.split('\0');
    yield keys.split('\0').map((key, index) => listedInfo(key, stats, index * 4, stamps[index]!));
  }

  /**
   * Once both stores are listed: with many more files at the source than at the destination,
   * the other workers start now, while the config is read (each takes ~25 ms to boot), rather
   * than when the first batch comes. A rerun's listings (the same counts) start none.
   */
  private listed(vfs: Vfs, count: number): void {
    this.counts.set(vfs, count);
    const [source, destination] = [this.counts.get(this.fromVfs), this.counts.get(this.toVfs)];
    if (source !== undefined && destination !== undefined && source - destination >= MAX_BATCH) this.pool.warm();
  }

  /**
   * The identities of files written in this move, by stats in the workers (FileDigests.save): one
   * job per worker, each with its share of the keys (under `root`) (a job per file cost the calling thread a
   * promise and a closure each, ~15 µs per file).
   */
  async statMany(root: string, keys: string[]): Promise<Array<FileIdentity | undefined>> {
    const share = Math.ceil(keys.length / poolSize());
    const jobs: Array<Promise<JobResult | undefined>> = [];
    for (let at = 0; at < keys.length; at += share) {
      const job = { kind: 'stat', root, keys: keys.slice(at, at + share).join('\0') } as const;
      jobs.push(this.pool.run(job).catch(() => undefined));
    }
    const identities: Array<FileIdentity | undefined> = [];
    for (const [index, result] of (await Promise.all(jobs)).entries()) {
      const stats = result?.ok === true ? result.stats : undefined;
      const stamps = stats?.stamps.split('\0');
      const count = Math.min(share, keys.length - index * share);
      for (let i = 0; i < count; i++) {
        const stamp = stamps?.[i];
        const [ctimeNs, statAtNs] = [stats?.times[i * 2], stats?.times[i * 2 + 1]];
        const found = stamp !== undefined && stamp !== '' && ctimeNs !== undefined && statAtNs !== undefined;
        identities.push(found ? { stamp, ctimeNs, statAtNs } : undefined);
      }
    }
    return identities;
  }

  /**
   * Makes durable what no config write did (a failed or aborted move; as the file driver's
   * close() does for its deferred writes), then ends the workers.
   */
  async close(): Promise<void> {
    try {
      if (this.unsynced.size > 0) {
        await this.syncBatch().catch(() => undefined);
        if (this.laterSent) await this.pool.flush().catch(() => undefined);
      }
    } finally {
      await this.pool.close();
    }
  }

  /**
   * A file listed on both sides: identical by the kept digests of both listed identities (no I/O,
   * no path: a rerun's common case), else by MD5s read in a worker.
   */
  private async compare(source: ObjectInfo, listed: ObjectInfo, signal: AbortSignal | undefined): Promise<FastCopy> {
    if (listed.size !== source.size) return 'main';
    let sourceMd5 = this.kept(this.digests?.from, source);
    let targetMd5 = this.kept(this.digests?.to, listed);
    if (sourceMd5 === undefined || targetMd5 === undefined) {
      const [sourcePath, targetPath] = [this.from.pathOf(source.key), this.to.pathOf(source.key)];
      if (sourcePath === undefined || targetPath === undefined) return 'main';
      const result = await this.pool.run({
        kind: 'compare',
        ...(sourceMd5 === undefined ? { source: sourcePath } : {}),
        ...(targetMd5 === undefined ? { target: targetPath } : {}),
      });
      if (!result.ok) {
        this.rethrow(result, source.key, signal);
        return 'main';
      }
      this.record(this.digests?.from, source.key, result.source);
      this.record(this.digests?.to, source.key, result.target);
      sourceMd5 ??= result.source?.bytes === source.size ? result.source.md5 : undefined;
      targetMd5 ??= result.target?.bytes === source.size ? result.target.md5 : undefined;
    }
    // Different (or changed since listed): the move's own path refuses it, or overwrites it if asked.
    return sourceMd5 !== undefined && sourceMd5 === targetMd5 ? 'skipped' : 'main';
  }

  /** The MD5 kept for the listed file's exact identity (FileDigests), without any I/O. */
  private kept(digests: FileDigests | undefined, info: ObjectInfo): string | undefined {
    return digests === undefined || info.changeStamp === undefined
      ? undefined
      : digests.lookup(info.key, info.changeStamp);
  }

  private record(digests: FileDigests | undefined, key: string, read: ReadDigest | undefined): void {
    if (digests === undefined || read === undefined) return;
    digests.record(key, identityOf(read.stat), read.md5);
  }

  /** An abort, or a copy that read back other bytes than were sent, ends here as the move's error. */
  private rethrow(result: JobFailed, key: string, signal: AbortSignal | undefined): void {
    if (result.aborted === true) throw abortedError(signal, key, 'file');
    if (result.integrity === true) {
      throw new StateStoreError('IntegrityError', `${key}: the copy at the destination does not match the source`, {
        key,
        backend: 'file',
      });
    }
  }
}

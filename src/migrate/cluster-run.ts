import { md5Hex } from '../backends/common/bytes.js';
import type pLimit from 'p-limit';
import { isStateStoreError, StateStoreError } from '../errors.js';
import { withRetry } from '../vfs/retry.js';
import type { ObjectInfo, Vfs } from '../vfs/types.js';
import type { ConfigMemo, RewrittenConfig } from './config-memo.js';
import { readSourceConfig, rewriteConfig, type SourceConfigText } from './config-rewrite.js';
import type { BatchItem, BatchOwner, FastCopy, FileCopies } from './file-copy/copies.js';
import { rewriteText } from './rewrite.js';
import type { ListedFile } from './listing.js';
import type { Batcher, WorkQueue } from './tasks.js';
import { transferFile, type TransferContext } from './transfer.js';
import { changesSince, deleteAtVersion, sourceChanged, type SourceChange } from './delete-source.js';
import { isLeaseKey } from '../store/lease/document.js';
import type { ClusterMoveResult, MoveOptions } from './types.js';
import { readCapped } from '../store/capped-read.js';

/** Generated files that may name the store (kops rewrites them on `kops update cluster --yes`). */
const GENERATED = /^(cluster-completed\.spec|igconfig\/.*|manifests\/.*|addons\/bootstrap-channel\.yaml)$/;
const MAX_SCANNED_BYTES = 4 * 1024 * 1024;

/** What every cluster of one move shares. */
export interface MoveRun {
  readonly from: Vfs;
  readonly to: Vfs;
  readonly options: MoveOptions;
  /** Every request of the move (config reads and writes, copies, deletions), at `concurrency`. */
  readonly queue: WorkQueue;
  /** Large files streaming through this process at once. */
  readonly streams: ReturnType<typeof pLimit>;
  readonly digests: TransferContext['digests'];
  /** Rewritten configs of earlier runs (with a `digestFolder`): a rerun skips reading those unchanged. */
  readonly memo: ConfigMemo | undefined;
  /** file:// -> file://: copies and comparisons in worker threads (FileCopies). */
  readonly fileCopies?: FileCopies | undefined;
  /** file:// -> file://: the files listed absent, of every cluster, gathered for the workers (FileCopies.copyBatch). */
  readonly batches?: Batcher<BatchItem> | undefined;
}

/** The source's config: read and parsed once, or known from an earlier run's rewrite of the same bytes. */
type SourceConfig =
  | SourceConfigText
  | {
      /** The store URL the config names (its configBase's store), rewritten to the destination's. */
      readonly oldBase: string;
      readonly memo: RewrittenConfig;
    };

/** The error of a cluster that has no config (a named cluster, or one whose config vanished). */
export function clusterNotFound(cluster: string, from: Vfs): StateStoreError {
  return new StateStoreError('NotFound', `cluster "${cluster}" not found in ${from.url}`);
}

/**
 * One cluster's move, driven by the merged listing: its files arrive in key order (`add`) until
 * the listing leaves the cluster (`close`). Once the config is listed it is read (nothing is
 * copied before: no config, no cluster); then every file is copied as a task of the move's queue;
 * once the listing is closed and every copy is done, the rewritten config is written (last, so the
 * destination lists only complete clusters) and, with `deleteSource`, the source deleted.
 */
export class ClusterRun implements BatchOwner {
  readonly result: ClusterMoveResult;
  readonly configKey: string;
  private configEntry: ListedFile | undefined;
  private config: SourceConfig | undefined;
  private ctx: TransferContext | undefined;
  /** Files listed before the config was read. */
  private held: ListedFile[] = [];
  /** The source's files, for `deleteSource` only. */
  private readonly files: ObjectInfo[] = [];
  private outstanding = 0;
  private closed = false;
  private finishing = false;

  constructor(
    private readonly run: MoveRun,
    readonly cluster: string,
  ) {
    this.configKey = `${cluster}/config`;
    this.result = {
      cluster,
      files: 0,
      copied: 0,
      skipped: 0,
      bytes: 0,
      bytesCopied: 0,
      rewritten: [],
      staleReferences: [],
      sourceDeleted: false,
    };
  }

  /** True once the cluster's config was listed: only then is the folder a cluster. */
  get hasConfig(): boolean {
    return this.configEntry !== undefined;
  }

  /** The next file of the cluster, in key order. */
  add(file: ListedFile): void {
    this.result.files += 1;
    this.result.bytes += file.source.size;
    if (this.run.options.deleteSource) this.files.push(file.source);
    if (this.run.options.dryRun) {
      if (file.source.key === this.configKey) this.configEntry = file;
      return;
    }
    if (file.source.key === this.configKey) {
      this.configEntry = file;
      const memo = this.run.memo?.lookup(this.cluster, file.source, file.listed);
      if (memo === undefined) this.run.queue.add(() => this.readConfig(), true);
      else this.useConfig({ oldBase: memo.oldBase, memo });
    } else if (this.config === undefined) {
      this.held.push(file);
    } else {
      this.schedule(file);
    }
  }

  /** The listing has left the cluster: reports its plan (a dry run: its result) if it is one. */
  close(): void {
    this.closed = true;
    if (!this.hasConfig || this.run.queue.failed) return;
    const { options } = this.run;
    options.onProgress?.({ type: 'plan', cluster: this.cluster, files: this.result.files, bytes: this.result.bytes });
    if (options.dryRun) options.onProgress?.({ type: 'cluster', cluster: this.cluster, result: this.result });
    else this.maybeFinish();
  }

  /** Reads and parses the source's config, then lets the held files go. */
  private async readConfig(): Promise<void> {
    const { from, options } = this.run;
    const read = readCapped(from, this.configKey, { what: `cluster "${this.cluster}"`, signal: options.signal });
    const { body } = await read.catch((err: unknown) => {
      throw isStateStoreError(err, 'NotFound') ? clusterNotFound(this.cluster, from) : err;
    });
    this.useConfig(readSourceConfig(body, this.cluster, from.url));
  }

  /** The config is known: the held files go, and those listed from now on go at once. */
  private useConfig(config: SourceConfig): void {
    this.config = config;
    // Deferred durability (one sync of the batch instead of one per file) only where the config
    // is written after the files: that durable write makes them durable first. Where the
    // destination already has the config, it may be found identical and not written at all.
    const deferred = this.configEntry?.listed === null ? { durability: 'deferred' as const } : {};
    this.ctx = { ...this.transferContext(), ...deferred };
    const held = this.held;
    this.held = [];
    for (const file of held) this.schedule(file);
    this.maybeFinish();
  }

  private transferContext(): TransferContext {
    const { from, to, options, streams, digests } = this.run;
    return {
      from,
      to,
      overwrite: options.overwrite ?? false,
      verify: options.verify ?? true,
      streams,
      signal: options.signal,
      digests,
      ifNoneMatchInService: options.createOnly === 'listing' ? 'best-effort' : 'enforce',
    };
  }

  /**
   * file:// -> file://: a file listed absent (and not a generated one, scanned first) is copied in
   * a batch (MoveRun.batches); `known`: what the workers did with it there, leaving it to the move's path.
   */
  private schedule(file: ListedFile, known?: FastCopy): void {
    if (known === undefined && this.listedIdentical(file)) return this.recordFile(file.source, 'skipped', false);
    this.outstanding += 1;
    const { batches, queue } = this.run;
    if (known === undefined && batches !== undefined && file.listed === null && !this.scansGenerated(file.source))
      return batches.add({ file, owner: this });
    queue.add(async () => {
      try {
        await this.copyFile(file, known);
      } finally {
        this.outstanding -= 1;
      }
      this.maybeFinish();
    });
  }

  /** The answer of a batch for one of its files (BatchOwner): counted as copied, or sent the move's own way. */
  batched(file: ListedFile, fast: FastCopy | undefined): void {
    this.outstanding -= 1;
    if (fast === undefined) return; // the batch failed: its error fails the move, no config follows
    if (fast === 'copied') this.recordFile(file.source, fast, false);
    else this.schedule(file, fast);
    this.maybeFinish();
  }

  /** The copy context (set once the config is known: no file is batched before). */
  get context(): TransferContext {
    return this.ctx!;
  }

  /** After the last copy (and the listing's end): the config, ahead of queued copies of other clusters. */
  private maybeFinish(): void {
    if (!this.closed || this.config === undefined || this.outstanding > 0 || this.finishing) return;
    this.finishing = true;
    this.run.queue.add(() => this.finish(), true);
  }

  private async finish(): Promise<void> {
    // The files the workers copied without an fsync become durable before the config that publishes them.
    await this.run.fileCopies?.syncCluster(this.cluster);
    await this.writeRewrittenConfig();
    if (!this.run.options.deleteSource) return this.done();
    // After the copy, before the first deletion: a merge, a new history entry or any other write
    // made during the move refuses the whole deletion, so the source keeps everything.
    const changes = await changesSince(this.run.from, this.cluster, this.files, this.run.options.signal);
    if (changes.length > 0) throw sourceChanged(this.cluster, changes, false);
    this.deleteSource();
  }

  private done(): void {
    this.run.options.onProgress?.({ type: 'cluster', cluster: this.cluster, result: this.result });
  }

  /**
   * True when the listings alone show that the destination holds the source's bytes: the same
   * size and listed MD5 (file://: the MD5s kept for both listed identities, FileDigests), and no
   * generated file to scan. Counted at once (every file of a no-op rerun): a queued task and its
   * promises cost more than the compare.
   */
  private listedIdentical({ source, listed }: ListedFile): boolean {
    const { fileCopies, queue, options } = this.run;
    if (listed?.size !== source.size || queue.failed || options.signal?.aborted || this.scansGenerated(source))
      return false;
    if (fileCopies !== undefined) return fileCopies.keptIdentical(source, listed);
    return source.md5 !== undefined && listed.md5 === source.md5;
  }

  /** Copies one file (a generated file naming the old store rewritten, if asked), with retries. */
  private async copyFile(file: ListedFile, known?: FastCopy): Promise<void> {
    const { source, listed } = file;
    const { options, fileCopies } = this.run;
    // Most files are not scanned: no promise to wait for.
    const scanned = this.scansGenerated(source) ? await this.scanGenerated(source) : undefined;
    const copies = scanned === undefined && known === undefined ? fileCopies : undefined;
    const fast = known ?? (copies === undefined ? 'main' : await copies.copy(file, this.ctx!, this.cluster));
    if (fast === 'copied' || fast === 'skipped') return this.recordFile(source, fast, false);
    const replacement = scanned?.bytes;
    // A stream cut mid-way fails the file whole (nothing partial is visible), so it is safe to
    // send again; a retry asks the destination afresh, as the listing may no longer be true.
    let attempts = 0;
    const action = await withRetry(
      (attempt) => {
        attempts = attempt;
        return transferFile(this.ctx!, source, replacement, attempt === 1 ? listed : undefined);
      },
      { maxAttempts: 3, ...options.retry, ...(options.signal === undefined ? {} : { signal: options.signal }) },
    );
    // Found identical on a retry: an earlier attempt of this move (or a worker) wrote it before failing.
    const wrote = attempts > 1 || fast === 'main-after-link';
    this.recordFile(source, wrote ? 'copied' : action, scanned?.rewritten === true);
  }

  /** Counts a file in the result and reports it to `onProgress`. */
  private recordFile(info: ObjectInfo, action: 'copied' | 'skipped', rewritten: boolean): void {
    const { result } = this;
    if (action === 'copied') {
      result.copied += 1;
      result.bytesCopied += info.size;
    } else {
      result.skipped += 1;
    }
    this.run.options.onProgress?.({
      type: 'file',
      cluster: this.cluster,
      key: info.key,
      bytes: info.size,
      action: rewritten && action === 'copied' ? 'rewritten' : action,
    });
  }

  /** Writes the config with the store URLs it names (configBase, keyStore, ...) moved to the destination. */
  private async writeRewrittenConfig(): Promise<void> {
    const config = this.config!;
    const { source, listed } = this.configEntry!;
    if ('memo' in config) {
      // The destination's listed config is the rewrite of the listed source bytes (ConfigMemo).
      this.result.rewritten = [...config.memo.rewritten];
      return this.recordFile(source, 'skipped', config.memo.rewritten.length > 0);
    }
    const { bytes, rewritten } = rewriteConfig(config, this.run.to.url);
    this.result.rewritten = rewritten;
    const durable = { ...this.ctx!, durability: 'immediate' as const };
    const action = await transferFile(durable, source, bytes, listed);
    this.recordFile(source, action, rewritten.length > 0);
    const rewrite = { sourceSize: config.size, sourceMd5: config.md5, oldBase: config.oldBase, rewritten };
    this.run.memo?.record(this.cluster, { ...rewrite, size: bytes.byteLength, md5: md5(bytes) });
  }

  /**
   * Deletes the cluster at the source, config last: while it exists the source still lists the
   * cluster, so a deletion cut short (abort, crash) is finished by a rerun instead of orphaning
   * secrets and CA keys. Each file only at the version listed and copied (deleteAtVersion); a
   * file changed meanwhile is kept, and so is the config then, with a PreconditionFailed naming it.
   */
  private deleteSource(): void {
    const { from, options, queue } = this.run;
    const { signal } = options;
    const changed: SourceChange[] = [];
    const deleteConfig = async () => {
      if (changed.length > 0) throw sourceChanged(this.cluster, changed, true);
      const change = await deleteAtVersion(from, this.configEntry!.source, signal);
      if (change !== undefined) throw sourceChanged(this.cluster, [change], true);
      await this.sweepLateFiles();
      this.result.sourceDeleted = true;
      this.done();
    };
    const others = this.files.filter((info) => info.key !== this.configKey);
    let left = others.length;
    if (left === 0) queue.add(deleteConfig, true);
    for (const info of others) {
      queue.add(async () => {
        const change = await deleteAtVersion(from, info, signal);
        if (change !== undefined) changed.push(change);
        if (--left === 0) queue.add(deleteConfig, true);
      });
    }
  }

  /**
   * Files that appeared at the source after the last check and before the config's deletion (a
   * history entry of a merge whose config write came before the listing): moved too, each copied
   * (or found identical) at the destination and deleted at that version, so none stays behind
   * in a source folder that no longer lists as a cluster. A different file at the destination
   * fails the copy (AlreadyExists) and the file stays.
   */
  private async sweepLateFiles(): Promise<void> {
    const { from, options } = this.run;
    const ctx = { ...this.ctx!, durability: 'immediate' as const };
    for await (const info of from.listAll({ prefix: `${this.cluster}/`, signal: options.signal })) {
      if (isLeaseKey(info.key)) continue;
      this.recordFile(info, await transferFile(ctx, info), false);
      const change = await deleteAtVersion(from, info, options.signal);
      if (change !== undefined) throw sourceChanged(this.cluster, [change], true);
    }
  }

  /** A generated file, small enough to be scanned for the old store's URL. */
  private scansGenerated(info: ObjectInfo): boolean {
    return GENERATED.test(info.key.slice(this.cluster.length + 1)) && info.size <= MAX_SCANNED_BYTES;
  }

  /**
   * A generated file is read to find the old store's URL in it: rewritten (rewriteGenerated) or
   * noted as a stale reference. The bytes read are then what the copy writes, when they are the
   * listed version (its size and MD5): the copy needs no read of its own (on a server whose
   * create-only copies go as a read and a conditional write, such as RGW, one request fewer).
   * With a `digestFolder`, what the scan found is kept by the bytes' MD5 (ConfigMemo): a rerun
   * reads the file again only if it changed, or to rewrite it.
   */
  private async scanGenerated(info: ObjectInfo): Promise<{ bytes: Uint8Array; rewritten: boolean } | undefined> {
    const { options, from, to, memo } = this.run;
    if (!this.scansGenerated(info)) return undefined;
    const { oldBase } = this.config!;
    // Scanned by an earlier run (the same listed MD5): copied as it is, no read, unless rewritten.
    const known = info.md5 === undefined ? undefined : memo?.scanned(info.md5, oldBase);
    if (known !== undefined && !(known && options.rewriteGenerated)) {
      if (known) this.result.staleReferences.push(info.key);
      return undefined;
    }
    const { body, info: read } = await from.read(info.key, { signal: options.signal });
    const { text: rewritten, count } = rewriteText(Buffer.from(body).toString('utf8'), oldBase, to.url);
    const bodyMd5 = read.md5 ?? md5(body);
    memo?.recordScan(bodyMd5, oldBase, count > 0);
    if (count > 0 && options.rewriteGenerated) return { bytes: Buffer.from(rewritten, 'utf8'), rewritten: true };
    if (count > 0) this.result.staleReferences.push(info.key);
    const listedVersion = body.byteLength === info.size && (info.md5 === undefined || bodyMd5 === info.md5);
    return listedVersion ? { bytes: body, rewritten: false } : undefined;
  }
}

function md5(bytes: Uint8Array): string {
  return md5Hex(bytes);
}

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { abortedError, StateStoreError } from '../../errors.js';
import type { Job, JobResult, WorkerReply, WorkerSetup } from './protocol.js';
import { workerSource } from './worker-code.js';

/**
 * Jobs one worker takes at once. Large enough that a message's cost (~50-100 µs each way) is small
 * beside the batch's work (~50-100 µs per 1 KiB file), small enough that a worker is never long
 * without new work and an abort is not behind a long batch.
 */
export const MAX_BATCH = 128;

/** Jobs waiting per idle worker before one more is started (a CopiesJob weighs its files). */
const MIN_SHARE = 16;

/**
 * CopiesJobs sent to one worker at once: the next waits in the worker's port while it copies, so
 * it never idles while the calling thread takes in one batch's results and sends the next.
 */
const COPIES_IN_FLIGHT = 2;

/** Workers of one move: one per core, at least 2 (the copies wait on the disk too), at most 4. */
export function poolSize(): number {
  return Math.min(4, Math.max(2, availableParallelism()));
}

interface Waiting {
  job: Job;
  resolve: (result: JobResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  /**
   * The batches in flight, by id: one of small jobs (the next waits here, to join a larger batch),
   * or up to {@link COPIES_IN_FLIGHT} of CopiesJobs.
   */
  batches: Map<number, Waiting[]>;
  /** Flushes sent to this worker, answered once its deferred fsyncs are done. */
  flushes: Map<number, Waiting>;
}

/**
 * A few worker threads that run a move's file jobs (worker-code.ts). Jobs wait here until a
 * worker is free, which then takes up to {@link MAX_BATCH} of them in one message: the more files
 * in flight, the larger the batches. Workers start on the first job, keep the process alive only
 * while they have a batch, and end with {@link close}. An abort sets a flag the workers check
 * between files and between chunks of a file. A worker that dies fails its batch and every later
 * job with a StateStoreError (the move then fails; what was copied is whole, and a rerun resumes).
 */
export class FileCopyPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly abortFlag = new Int32Array(new SharedArrayBuffer(4));
  private failure: StateStoreError | undefined;
  private closing = false;
  private scheduled = false;
  private nextId = 0;
  private readonly onAbort = () => this.abort();

  constructor(
    private readonly setup: Omit<WorkerSetup, 'abort'>,
    private readonly size: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Runs one job on a worker; rejects only when the pool cannot (aborted, a worker died, closed). */
  run(job: Job): Promise<JobResult> {
    if (this.signal?.aborted) return Promise.reject(abortedError(this.signal, undefined, 'file'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new StateStoreError('Unknown', 'the file copy pool was closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      // On the next turn: the jobs added meanwhile leave in the same batches.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.dispatch();
        });
      }
    });
  }

  /**
   * Has every worker finish its deferred fsyncs (`later` creates) and their folders': the files
   * copied so far are durable once every answer is ok (a failed one is returned).
   */
  async flush(): Promise<JobResult[]> {
    if (this.failure !== undefined) throw this.failure;
    const answers = this.slots.map(
      (slot) =>
        new Promise<JobResult>((resolve, reject) => {
          const id = this.nextId++;
          const waiting: Waiting = { job: { kind: 'flush' }, resolve, reject };
          slot.flushes.set(id, waiting);
          this.post(slot, id, [waiting]);
        }),
    );
    return Promise.all(answers);
  }

  /** Starts every worker not started yet (work for all of them is coming). */
  warm(): void {
    if (this.failure !== undefined || this.closing) return;
    while (this.slots.length < this.size) this.start();
  }

  /** Ends every worker (the move has settled: no batch is in flight, or it no longer matters). */
  async close(): Promise<void> {
    this.closing = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.failAll(new StateStoreError('Unknown', 'the file copy pool was closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    this.slots.length = 0;
  }

  private dispatch(): void {
    if (this.waiting.length === 0 || this.failure !== undefined || this.closing) return;
    let idle = this.slots.filter((slot) => slot.batches.size === 0).length;
    // Another worker only for enough work to share (a worker costs ~10-30 ms to start).
    const weight = this.waiting.reduce((sum, waiting) => sum + weightOf(waiting.job), 0);
    while (this.slots.length < this.size && idle * MIN_SHARE < weight) {
      this.start();
      idle += 1;
    }
    while (this.waiting.length > 0) {
      const copies = this.waiting[0]!.job.kind === 'copies';
      const slot = this.leastBusy(copies ? COPIES_IN_FLIGHT : 1);
      if (slot === undefined) return;
      if (copies) {
        this.send(slot, this.waiting.splice(0, 1));
        continue;
      }
      // The small jobs up to the next CopiesJob split evenly among the idle workers, up to MAX_BATCH each.
      let small = 1;
      while (small < this.waiting.length && this.waiting[small]!.job.kind !== 'copies') small += 1;
      const idleNow = this.slots.filter((other) => other.batches.size === 0).length;
      this.send(slot, this.waiting.splice(0, Math.min(MAX_BATCH, Math.ceil(small / idleNow))));
    }
  }

  /** The worker with the fewest batches in flight, if below `limit`. */
  private leastBusy(limit: number): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.batches.size < (best?.batches.size ?? limit)) best = slot;
    return best;
  }

  private start(): Slot {
    const worker = new Worker(workerSource(), {
      eval: true,
      workerData: { ...this.setup, abort: this.abortFlag.buffer } satisfies WorkerSetup,
    });
    const slot: Slot = { worker, batches: new Map(), flushes: new Map() };
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.answered(slot, reply));
    worker.on('error', (err) => this.died(slot, err));
    worker.on('exit', (code) => this.died(slot, new Error(`exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private send(slot: Slot, jobs: Waiting[]): void {
    const id = this.nextId++;
    slot.batches.set(id, jobs);
    this.post(slot, id, jobs);
  }

  private post(slot: Slot, id: number, jobs: Waiting[]): void {
    slot.worker.ref(); // a batch in flight keeps the process alive until answered
    slot.worker.postMessage({ id, jobs: jobs.map((waiting) => waiting.job) });
  }

  private answered(slot: Slot, reply: WorkerReply): void {
    const flush = slot.flushes.get(reply.id);
    const jobs = flush !== undefined ? [flush] : (slot.batches.get(reply.id) ?? []);
    slot.flushes.delete(reply.id);
    slot.batches.delete(reply.id);
    if (slot.batches.size === 0 && slot.flushes.size === 0) slot.worker.unref();
    for (const [index, waiting] of jobs.entries()) waiting.resolve(reply.results[index]!);
    this.dispatch();
  }

  /** A worker ended outside close(): its jobs and every later one fail (the files copied stay whole). */
  private died(slot: Slot, cause: unknown): void {
    const at = this.slots.indexOf(slot);
    if (at === -1) return; // already handled ('error' is followed by 'exit')
    this.slots.splice(at, 1);
    const jobs = [...[...slot.batches.values()].flat(), ...slot.flushes.values()];
    slot.batches.clear();
    slot.flushes.clear();
    if (this.closing) return;
    const detail = cause instanceof Error ? cause.message : String(cause);
    this.failure ??= new StateStoreError('Unknown', `a file copy worker stopped: ${detail}`, {
      backend: 'file',
      cause,
    });
    for (const waiting of jobs) waiting.reject(this.failure);
    this.failAll(this.failure);
    void Promise.all(this.slots.map((other) => other.worker.terminate()));
  }

  private abort(): void {
    Atomics.store(this.abortFlag, 0, 1);
    this.failAll(abortedError(this.signal, undefined, 'file'));
  }

  /** Rejects the jobs not yet sent to a worker. */
  private failAll(error: unknown): void {
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
  }
}

/** A job's share of a worker's work: a CopiesJob weighs its files. */
function weightOf(job: Job): number {
  return job.kind === 'copies' ? job.count : 1;
}

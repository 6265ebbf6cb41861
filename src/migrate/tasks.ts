/**
 * Tasks run at a fixed concurrency, in the order they were added, `urgent` ones first. After the
 * first failure no queued task starts, and `settle()` throws that failure only once the tasks in
 * flight have finished, so nothing started by the caller is still writing when it sees the error
 * (and, say, reruns a move). Tasks may add more tasks; `settle()` waits for those too.
 *
 * One queue for a whole move: every cluster's requests (config reads, copies, config writes,
 * deletions) share its slots, so no cluster's tail leaves slots idle while others have work.
 */
export class WorkQueue {
  private failure: { error: unknown } | undefined;
  private readonly urgent: Array<() => Promise<void>> = [];
  private readonly normal: Array<() => Promise<void>> = [];
  /** Index of the next task of `normal` (a moving head instead of `shift()`, which is linear). */
  private head = 0;
  private running = 0;
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;
  private room: { below: number; resolve: () => void } | undefined;

  constructor(private readonly concurrency: number) {}

  /** True once a task (or `fail`) recorded an error: stop adding work. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Tasks added and not yet started. */
  get queued(): number {
    return this.urgent.length + this.normal.length - this.head;
  }

  /** Queues `task`; `urgent` tasks start before every normal one (they unblock or finish a cluster). */
  add(task: () => Promise<void>, urgent = false): void {
    if (this.failure !== undefined) return;
    (urgent ? this.urgent : this.normal).push(task);
    this.next();
  }

  /** Records an error from outside the tasks (a listing that failed while tasks run). */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.urgent.length = 0;
    this.normal.length = 0;
    this.head = 0;
    this.wakeRoom();
    this.checkIdle();
  }

  /** Resolves once fewer than `below` tasks wait (or on failure): a producer's backpressure. */
  async roomFor(below: number): Promise<void> {
    if (this.queued < below || this.failure !== undefined) return;
    await new Promise<void>((resolve) => (this.room = { below, resolve }));
  }

  /** Waits until every task (those added meanwhile included) has finished; throws the first failure. */
  async settle(): Promise<void> {
    if (this.running > 0 || this.queued > 0) {
      this.idle ??= withResolvers();
      await this.idle.promise;
    }
    if (this.failure !== undefined) throw this.failure.error;
  }

  private next(): void {
    while (this.running < this.concurrency && this.failure === undefined) {
      const task = this.urgent.shift() ?? this.takeNormal();
      if (task === undefined) break;
      this.running += 1;
      void this.run(task);
    }
    if (this.room !== undefined && this.queued < this.room.below) this.wakeRoom();
  }

  private takeNormal(): (() => Promise<void>) | undefined {
    if (this.head >= this.normal.length) return undefined;
    const task = this.normal[this.head]!;
    this.normal[this.head] = undefined as unknown as () => Promise<void>; // let it be collected
    this.head += 1;
    if (this.head === this.normal.length) {
      this.normal.length = 0;
      this.head = 0;
    }
    return task;
  }

  private async run(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.fail(error);
    }
    this.running -= 1;
    this.next();
    this.checkIdle();
  }

  private wakeRoom(): void {
    const room = this.room;
    this.room = undefined;
    room?.resolve();
  }

  private checkIdle(): void {
    if (this.running > 0 || this.queued > 0 || this.idle === undefined) return;
    const idle = this.idle;
    this.idle = undefined;
    idle.resolve();
  }
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

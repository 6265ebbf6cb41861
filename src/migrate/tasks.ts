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
  private readonly urgent: Task[] = [];
  private readonly normal: Task[] = [];
  /** Index of the next task of `normal` (a moving head instead of `shift()`, which is linear). */
  private head = 0;
  /** The weight of the tasks running. */
  private running = 0;
  /** The weight of the tasks queued. */
  private waiting = 0;
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;
  private room: { below: number; resolve: () => void } | undefined;

  /** `concurrency`: the weight of the tasks run at once (a task weighs 1 unless added with more). */
  constructor(readonly concurrency: number) {}

  /** True once a task (or `fail`) recorded an error: stop adding work. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** The weight of the tasks added and not yet started. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Queues `task`; `urgent` tasks start before every normal one (they unblock or finish a cluster).
   * `weight`: the slots it takes (a batch of files counts each file); one heavier than the
   * concurrency runs alone.
   */
  add(run: () => Promise<void>, urgent = false, weight = 1): void {
    if (this.failure !== undefined) return;
    (urgent ? this.urgent : this.normal).push({ run, weight });
    this.waiting += weight;
    this.next();
  }

  /** Records an error from outside the tasks (a listing that failed while tasks run). */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.urgent.length = 0;
    this.normal.length = 0;
    this.head = 0;
    this.waiting = 0;
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
    while (this.failure === undefined) {
      const task = this.urgent[0] ?? (this.head < this.normal.length ? this.normal[this.head] : undefined);
      if (task === undefined || (this.running > 0 && this.running + task.weight > this.concurrency)) break;
      if (task === this.urgent[0]) this.urgent.shift();
      else this.takeNormal();
      this.running += task.weight;
      this.waiting -= task.weight;
      void this.run(task);
    }
    if (this.room !== undefined && this.queued < this.room.below) this.wakeRoom();
  }

  /** Moves the head past the next normal task (queue: `next`). */
  private takeNormal(): void {
    this.normal[this.head] = undefined as unknown as Task; // let it be collected
    this.head += 1;
    if (this.head === this.normal.length) {
      this.normal.length = 0;
      this.head = 0;
    }
  }

  private async run(task: Task): Promise<void> {
    try {
      await task.run();
    } catch (error) {
      this.fail(error);
    }
    this.running -= task.weight;
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

/**
 * Gathers items into batches of up to `size`, each run as one task of `queue` weighing as many
 * items. A full batch leaves at once; a partial one once the caller's current synchronous run of
 * `add`s is over (a listing's page), if fewer than `eager` batches are under way, else when one of
 * them ends: so nothing waits while there is room, and items that trickle in (a cluster's files
 * once its config is read, one cluster after another) still gather while the batches run.
 */
export class Batcher<T> {
  private items: T[] = [];
  /** Batches sent and not yet ended. */
  private running = 0;

  constructor(
    private readonly queue: WorkQueue,
    private readonly size: number,
    private readonly run: (items: T[]) => Promise<void>,
    private readonly eager = 1,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.size) this.send();
    else if (this.items.length === 1) queueMicrotask(() => this.sendIfRoom());
  }

  private sendIfRoom(): void {
    if (this.running < this.eager) this.send();
  }

  private send(): void {
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.running += 1;
    const run = async () => {
      try {
        await this.run(items);
      } finally {
        this.running -= 1;
        this.sendIfRoom();
      }
    };
    this.queue.add(run, false, items.length);
  }
}

interface Task {
  run: () => Promise<void>;
  weight: number;
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

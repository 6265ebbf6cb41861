import type pLimit from 'p-limit';

/**
 * Tasks run at a limiter's concurrency as they are added. After the first failure no new task
 * starts, and `settle()` throws that failure only once the tasks in flight have finished, so
 * nothing started by the caller is still writing when it sees the error (and, say, reruns a move).
 */
export class TaskGroup {
  private failure: { error: unknown } | undefined;
  private readonly pending: Array<Promise<void>> = [];

  constructor(private readonly limit: ReturnType<typeof pLimit>) {}

  /** True once a task (or `fail`) recorded an error: stop adding work. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  add(task: () => Promise<void>): void {
    this.pending.push(
      this.limit(async () => {
        if (this.failure !== undefined) return;
        try {
          await task();
        } catch (error) {
          this.failure ??= { error };
        }
      }),
    );
  }

  /** Records an error from outside the tasks (a listing that failed while tasks run). */
  fail(error: unknown): void {
    this.failure ??= { error };
  }

  /** Waits for every task; throws the first failure. */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/** Runs `task` for every item at the limiter's concurrency, with {@link TaskGroup}'s failure rule. */
export async function settleAll<T>(
  items: Iterable<T>,
  limit: ReturnType<typeof pLimit>,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const group = new TaskGroup(limit);
  for (const item of items) group.add(() => task(item));
  await group.settle();
}

/**
 * The move's work queue: a fixed number of tasks in flight, urgent ones first, and the
 * first-failure rule (nothing new starts; the error comes once the tasks in flight finished).
 */
import { Batcher, WorkQueue } from '../../src/migrate/tasks.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  it('runs at most `concurrency` tasks at once, urgent ones before queued normal ones', async () => {
    const queue = new WorkQueue(2);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    const task = (name: string) => async () => {
      started.push(name);
      peak = Math.max(peak, ++running);
      await tick();
      running -= 1;
    };
    for (const name of ['a', 'b', 'c', 'd']) queue.add(task(name));
    queue.add(task('urgent'), true);
    await queue.settle();
    expect(peak).toBe(2);
    expect(started).toEqual(['a', 'b', 'urgent', 'c', 'd']);
  });

  it('waits for tasks added by running tasks', async () => {
    const queue = new WorkQueue(1);
    const done: string[] = [];
    queue.add(async () => {
      await tick();
      queue.add(async () => {
        await tick();
        done.push('follow-up');
      }, true);
      done.push('first');
    });
    await queue.settle();
    expect(done).toEqual(['first', 'follow-up']);
  });

  it('after a failure starts nothing new and throws once the tasks in flight have finished', async () => {
    const queue = new WorkQueue(2);
    const events: string[] = [];
    queue.add(async () => {
      await tick();
      throw new Error('boom');
    });
    queue.add(async () => {
      await tick();
      await tick();
      events.push('in flight finished');
    });
    queue.add(async () => void events.push('queued ran'));
    await expect(queue.settle()).rejects.toThrow('boom');
    expect(events).toEqual(['in flight finished']);
    expect(queue.failed).toBe(true);
    queue.add(async () => void events.push('added after failure'));
    await expect(queue.settle()).rejects.toThrow('boom');
    expect(events).toEqual(['in flight finished']);
  });

  it('roomFor resolves once fewer tasks wait', async () => {
    const queue = new WorkQueue(1);
    for (let i = 0; i < 5; i++) queue.add(tick);
    expect(queue.queued).toBe(4);
    await queue.roomFor(2);
    expect(queue.queued).toBeLessThan(2);
    await queue.settle();
  });

  it('counts a task by its weight: the weights running never exceed the concurrency, a heavier task runs alone', async () => {
    const queue = new WorkQueue(4);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    const task = (name: string, weight: number) => async () => {
      started.push(name);
      running += weight;
      peak = Math.max(peak, running);
      await tick();
      running -= weight;
    };
    for (const [name, weight] of [
      ['a', 3],
      ['b', 3],
      ['c', 1],
      ['huge', 9],
      ['d', 1],
    ] as const)
      queue.add(task(name, weight), false, weight);
    expect(queue.queued).toBe(17 - 3);
    queue.add(task('urgent', 1), true);
    await queue.settle();
    // In order (a task that does not fit waits, and so do those behind it), urgent ones first.
    expect(started).toEqual(['a', 'urgent', 'b', 'c', 'huge', 'd']);
    expect(peak).toBe(9); // the heavier task, alone
  });
});

describe('Batcher', () => {
  it('runs items in batches of its size as tasks weighing their items, the rest once the adding is over', async () => {
    const queue = new WorkQueue(10);
    const batches: number[][] = [];
    const batcher = new Batcher<number>(queue, 4, async (items) => void batches.push(items));
    for (let i = 0; i < 10; i++) batcher.add(i);
    expect(batches.length).toBe(2); // the full ones left at once; the rest after this synchronous run
    await tick();
    await queue.settle();
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    batcher.add(10);
    await tick();
    await queue.settle();
    expect(batches.at(-1)).toEqual([10]);
  });

  it('holds a partial batch while `eager` batches run, and sends it when one ends', async () => {
    const queue = new WorkQueue(100);
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new Batcher<number>(
      queue,
      4,
      async (items) => {
        batches.push(items);
        await gate;
      },
      1,
    );
    batcher.add(0);
    await tick(); // nothing under way: the partial batch leaves
    batcher.add(1);
    batcher.add(2);
    await tick(); // one under way: these wait, and gather
    expect(batches).toEqual([[0]]);
    release();
    await tick();
    await queue.settle();
    expect(batches).toEqual([[0], [1, 2]]);
  });
});

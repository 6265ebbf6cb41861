/**
 * The move's work queue: a fixed number of tasks in flight, urgent ones first, and the
 * first-failure rule (nothing new starts; the error comes once the tasks in flight finished).
 */
import { WorkQueue } from '../../src/migrate/tasks.js';

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
});

import { isStateStoreError, StateStoreError } from '../src/errors.js';
import { withRetry } from '../src/vfs/retry.js';

describe('StateStoreError', () => {
  it('carries code, retryable default, key, backend and cause', () => {
    const cause = new Error('socket hang up');
    const err = new StateStoreError('Unavailable', 'down', { key: 'a', backend: 's3', cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('StateStoreError');
    expect(err.retryable).toBe(true);
    expect(new StateStoreError('NotFound', 'x').retryable).toBe(false);
    expect(new StateStoreError('NotFound', 'x', { retryable: true }).retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err.key).toBe('a');
    expect(err.backend).toBe('s3');
  });

  it('is recognised by code, not by class identity', () => {
    const err = new StateStoreError('Conflict', 'x');
    expect(isStateStoreError(err)).toBe(true);
    expect(isStateStoreError(err, 'Conflict')).toBe(true);
    expect(isStateStoreError(err, 'NotFound')).toBe(false);
    const lookalike = Object.assign(new Error('x'), { code: 'Conflict', name: 'StateStoreError' });
    expect(isStateStoreError(lookalike)).toBe(false);
    // A copy from another bundle of the package carries the same global brand.
    const foreign = Object.assign(new Error('x'), {
      code: 'NotFound',
      [Symbol.for('statestore.StateStoreError')]: true,
    });
    expect(isStateStoreError(foreign, 'NotFound')).toBe(true);
    expect(isStateStoreError(null)).toBe(false);
  });
});

describe('withRetry', () => {
  it('retries retryable errors until success', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new StateStoreError('Unavailable', 'flaky');
        return 'ok';
      },
      { baseDelayMs: 1 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry non-retryable errors, and stops after maxAttempts', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw new StateStoreError('NotFound', 'x');
      }),
    ).rejects.toMatchObject({ code: 'NotFound' });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new StateStoreError('RateLimited', 'x');
        },
        { maxAttempts: 4, baseDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: 'RateLimited' });
    expect(calls).toBe(4);
  });

  it('stops waiting with Aborted when the signal fires', async () => {
    const controller = new AbortController();
    const pending = withRetry(
      async () => {
        throw new StateStoreError('Unavailable', 'x');
      },
      { baseDelayMs: 10_000, maxDelayMs: 10_000, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'Aborted' });
  });
});

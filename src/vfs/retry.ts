import { abortedError, isStateStoreError } from '../errors.js';
import { reportRetry } from './events.js';

/** How often and how patiently to retry a retryable failure. */
export interface RetryPolicy {
  /** Total attempts, the first included. Default 5. */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. Default 50 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay. Default 2,000 ms. */
  maxDelayMs?: number;
}

/** Defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY: Required<RetryPolicy> = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2000 };

/**
 * Calls `fn` until it succeeds, throws a non-retryable error, or the attempts run out.
 * A StateStoreError is retried when `retryable` is true; `shouldRetry` can widen that.
 * Delays use full jitter (a random delay up to the exponential bound), so racing writers spread out.
 */
export function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryPolicy & { signal?: AbortSignal; shouldRetry?: (err: unknown) => boolean } = {},
): Promise<T> {
  // The first attempt is `fn`'s own promise, the policy read only on a failure: a move calls this
  // once per file, and nearly every file's first attempt succeeds.
  let first: Promise<T>;
  try {
    first = fn(1);
  } catch (err) {
    first = Promise.reject(err);
  }
  return first.catch((err: unknown) => retryAfter(err, fn, options));
}

/** The attempts of {@link withRetry} after the first one failed with `failure`. */
async function retryAfter<T>(
  failure: unknown,
  fn: (attempt: number) => Promise<T>,
  options: Parameters<typeof withRetry>[1] & object,
): Promise<T> {
  const policy = { ...DEFAULT_RETRY, ...definedOnly(options) };
  const shouldRetry = options.shouldRetry ?? ((err: unknown) => isStateStoreError(err) && err.retryable);
  let err = failure;
  for (let attempt = 1; ; attempt++) {
    if (attempt >= policy.maxAttempts || !shouldRetry(err)) throw err;
    const delay = backoffDelay(attempt, policy);
    // Inside a Vfs call someone listens to, this is its `onRetry` / `statestore:retry` event.
    reportRetry(attempt + 1, err, delay);
    await sleep(delay, options.signal);
    try {
      return await fn(attempt + 1);
    } catch (next) {
      err = next;
    }
  }
}

/** The full-jitter delay before attempt `attempt + 1`. */
export function backoffDelay(attempt: number, policy: Required<RetryPolicy> = DEFAULT_RETRY): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.random() * bound;
}

/**
 * Resolves after `ms`, or rejects with Aborted when `signal` fires first. The abort listener is
 * removed either way, so one long-lived signal can serve any number of calls.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function definedOnly(policy: RetryPolicy): RetryPolicy {
  const out: RetryPolicy = {};
  if (policy.maxAttempts !== undefined) out.maxAttempts = policy.maxAttempts;
  if (policy.baseDelayMs !== undefined) out.baseDelayMs = policy.baseDelayMs;
  if (policy.maxDelayMs !== undefined) out.maxDelayMs = policy.maxDelayMs;
  return out;
}

import { Readable } from 'node:stream';
import { abortedError, isStateStoreError, StateStoreError, throwIfAborted } from '../errors.js';
import { backoffDelay, DEFAULT_RETRY, sleep, type RetryPolicy } from '../vfs/retry.js';

/** How {@link resumableBody} reads, resumes and reports. */
export interface ResumeOptions {
  /** Bytes the whole body has (from the response or the stat that pinned the version). */
  size: number;
  /** Opens the rest of the body from `offset`, pinned to the version being read; throws StateStoreErrors. */
  reopen: (offset: number) => Promise<Readable>;
  /**
   * Maps a failure of the body stream (or of `reopen`) to a StateStoreError. Only called with
   * errors that are not StateStoreErrors already: those (a cut seen here, an abort, a failure
   * `reopen` decided itself) pass as they are, so each driver need not check again.
   */
  mapError: (err: unknown) => StateStoreError;
  /** Attempts (the first included) and delays, shared by every resumption of one body. */
  retry: RetryPolicy;
  /** A body silent this long while bytes remain is treated as a cut connection. Default: no limit. */
  idleMs?: number;
  signal?: AbortSignal;
  backend: string;
  key: string;
}

const transient = (err: StateStoreError): boolean => err.code === 'Unavailable' || err.code === 'RateLimited';

/**
 * A downloaded body that survives its connection being cut: when `first` fails with a transient
 * error (or falls silent for `idleMs`, or ends short) before `size` bytes arrived, the rest is
 * asked for again from the byte reached, with `reopen` pinning the version so that every byte
 * belongs to one object. Resumptions are bounded and spaced by `retry`, like any other request;
 * once they run out, or on any other failure, the stream fails with a StateStoreError.
 */
export function resumableBody(first: Readable, options: ResumeOptions): Readable {
  const policy = { ...DEFAULT_RETRY, ...definedOnly(options.retry) };
  const cut = (message: string) =>
    new StateStoreError('Unavailable', `${options.backend}: read ${JSON.stringify(options.key)}: ${message}`, {
      key: options.key,
      backend: options.backend,
      retryable: true,
    });
  async function* chunks(): AsyncGenerator<Buffer> {
    let source: Readable | undefined = first;
    let offset = 0;
    // The caller's abort ends the body at once, even while a chunk is awaited (some SDKs' streams
    // do not watch the signal themselves).
    const onAbort = () => source?.destroy(abortedError(options.signal, options.key, options.backend));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          source ??= await options.reopen(offset);
          throwIfAborted(options.signal, options.key, options.backend);
          for await (const chunk of watched(source, options.idleMs, cut)) {
            offset += chunk.byteLength;
            yield chunk;
          }
          if (offset >= options.size) return;
          throw cut(`the connection ended after ${offset} of ${options.size} bytes`);
        } catch (err) {
          source?.destroy();
          source = undefined;
          if (options.signal?.aborted === true) throw abortedError(options.signal, options.key, options.backend);
          const mapped = isStateStoreError(err) ? err : options.mapError(err);
          if (!transient(mapped) || attempt >= policy.maxAttempts) throw mapped;
          await sleep(backoffDelay(attempt, policy), options.signal);
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      source?.destroy();
    }
  }
  // A body destroyed before it is read never starts the generator, so its `finally` never runs:
  // release the first answer on close too (its socket, and the SDK's listener on the caller's signal).
  return Readable.from(chunks(), { objectMode: false }).once('close', () => first.destroy());
}

/** The chunks of `source`, failing with `cut(...)` when none arrives for `idleMs`. */
async function* watched(
  source: Readable,
  idleMs: number | undefined,
  cut: (message: string) => StateStoreError,
): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  for (;;) {
    const next = iterator.next();
    let timer: NodeJS.Timeout | undefined;
    let result: IteratorResult<Buffer | string>;
    if (idleMs === undefined) result = await next;
    else {
      next.catch(() => undefined); // settles after the source is destroyed; already reported
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(cut(`no data for ${idleMs} ms`)), idleMs);
      });
      try {
        result = await Promise.race([next, silent]);
      } finally {
        clearTimeout(timer);
      }
    }
    if (result.done === true) return;
    yield typeof result.value === 'string' ? Buffer.from(result.value) : result.value;
  }
}

function definedOnly(policy: RetryPolicy): RetryPolicy {
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== undefined));
}

import { Transform } from 'node:stream';
import { StateStoreError } from '../../errors.js';

/** What {@link watchStall} gives an upload: a pass-through to put in its pipeline, and a signal. */
export interface StallWatch {
  /** Passes the body through, noting each chunk as progress. */
  meter: Transform;
  /** Aborts, with {@link StallWatch.error} as its reason, once nothing moved for the limit. */
  signal: AbortSignal;
  /** The Unavailable error the signal fired with, if it fired. */
  readonly error: StateStoreError | undefined;
  /** Stops watching (call when the upload settled). */
  stop(): void;
}

/**
 * Watches an upload for a stall. The SDK's resumable uploads go through an HTTP client that never
 * reports an answer cut after its headers, so such an upload would wait forever; here, when no
 * chunk has moved for `limitMs` (the body is held back by an upload that makes no progress, or the
 * final answer never comes), the upload is aborted with a retryable Unavailable error instead.
 */
export function watchStall(limitMs: number, key: string): StallWatch {
  const controller = new AbortController();
  let last = Date.now();
  let error: StateStoreError | undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      last = Date.now();
      callback(null, chunk);
    },
  });
  const timer = setInterval(
    () => {
      if (Date.now() - last <= limitMs) return;
      error = new StateStoreError(
        'Unavailable',
        `gcs: write ${JSON.stringify(key)}: the upload made no progress for ${limitMs} ms`,
        { key, backend: 'gcs', retryable: true },
      );
      clearInterval(timer);
      controller.abort(error);
    },
    Math.max(10, Math.min(1000, limitMs / 4)),
  );
  timer.unref();
  return {
    meter,
    signal: controller.signal,
    get error() {
      return error;
    },
    stop: () => clearInterval(timer),
  };
}

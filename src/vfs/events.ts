import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import { isStateStoreError, type ErrorCode, type StateStoreError } from '../errors.js';
import type { DriverOp } from './driver.js';

/** Name of the `node:diagnostics_channel` TracingChannel of every Vfs call (`tracing:statestore:request:*`). */
export const REQUEST_CHANNEL = 'statestore:request';
/** Name of the `node:diagnostics_channel` channel published before each retry of a request. */
export const RETRY_CHANNEL = 'statestore:retry';

/** Which call an event belongs to. No credentials (the URL is the Vfs's credential-free URL), never a body. */
export interface VfsCallInfo {
  /** The Vfs method: `read`, `write`, `list`, `copy`... */
  operation: DriverOp;
  /** The object key (the destination for copies); absent for `list`. */
  key?: string;
  /** The backend's name: `s3`, `gcs`, `azure`, `file`, `memory`... */
  backend: string;
  /** The store's canonical URL, without credentials, e.g. `s3://bucket/prefix`. */
  url: string;
}

/** One finished Vfs call, as `onRequest` (every call) and `onError` (failed calls) see it. */
export interface VfsRequestEvent extends VfsCallInfo {
  /** Requests made: 1, plus one per retry inside the call. */
  attempts: number;
  /** Milliseconds from the call to its answer (or failure). */
  durationMs: number;
  /** `ok`, or `error` with `errorCode`. */
  status: 'ok' | 'error';
  /** The StateStoreError code of a failed call. */
  errorCode?: ErrorCode;
  /** The HTTP status of the failing answer, when there was one. */
  httpStatus?: number;
  /** The failure itself (a StateStoreError; its message names no credentials). */
  error?: StateStoreError;
}

/** A retry about to happen inside a call. */
export interface VfsRetryEvent extends VfsCallInfo {
  /** The attempt about to start: 2 for the first retry. */
  attempt: number;
  /** Why: the StateStoreError code, or the service's error name when its SDK retries by itself (S3). */
  errorCode?: string;
  /** The HTTP status of the answer that is retried, when there was one. */
  httpStatus?: number;
  /** The wait before the attempt, when statestore decides it (not for S3, whose SDK waits). */
  delayMs?: number;
}

/**
 * Per-store hooks, under `openVfs(url, { events })` or `openStateStore(url, { events })`. They run
 * synchronously in the call; one that throws does not fail the call: its error is rethrown on the
 * next tick (as a `diagnostics_channel` subscriber's is).
 */
export interface VfsEvents {
  /** After every call, successful or not. */
  onRequest?(event: VfsRequestEvent): void;
  /** Before each retry inside a call. */
  onRetry?(event: VfsRetryEvent): void;
  /** After every failed call (also given to `onRequest`). */
  onError?(event: VfsRequestEvent): void;
}

/**
 * The message of the {@link REQUEST_CHANNEL} TracingChannel: the call's fields on `start`, plus
 * `attempts`, `durationMs`, `status` (and `error`, `errorCode`, `httpStatus`) on `asyncEnd`/`error`.
 * The call's result is not put in it, so no body ever reaches a subscriber.
 */
export type VfsRequestMessage = VfsCallInfo & Partial<Omit<VfsRequestEvent, keyof VfsCallInfo>>;

/** A call being run with someone listening: what retries inside it report to. */
interface CallScope {
  info: VfsCallInfo;
  hooks: VfsEvents | undefined;
  attempts: number;
}

const tracing = diagnostics.tracingChannel<unknown, VfsRequestMessage>(REQUEST_CHANNEL);
const retryChannel = diagnostics.channel(RETRY_CHANNEL);
/** Made on first use: nothing is paid for async context until someone listens. */
let scopes: AsyncLocalStorage<CallScope> | undefined;

/** Whether anything listens to this store's calls; when not, calls run with no event machinery at all. */
export function listening(hooks: VfsEvents | undefined): boolean {
  // Each sub-channel asked: TracingChannel's own hasSubscribers is missing before Node 20.13.
  return (
    hooks !== undefined ||
    retryChannel.hasSubscribers ||
    tracing.start.hasSubscribers ||
    tracing.end.hasSubscribers ||
    tracing.asyncStart.hasSubscribers ||
    tracing.asyncEnd.hasSubscribers ||
    tracing.error.hasSubscribers
  );
}

/**
 * Runs one call, publishing it on the TracingChannel and to the hooks, and making its scope known
 * to the retries inside it (see {@link reportRetry}).
 */
export function traceCall<T>(info: VfsCallInfo, hooks: VfsEvents | undefined, fn: () => Promise<T>): Promise<T> {
  scopes ??= new AsyncLocalStorage<CallScope>();
  const scope: CallScope = { info, hooks, attempts: 1 };
  const message: VfsRequestMessage = { ...info };
  const started = performance.now();
  const finish = (error: unknown): void => {
    const event = requestEvent(info, scope.attempts, performance.now() - started, error);
    Object.assign(message, event);
    if (error !== undefined) tracing.error.publish(message);
    tracing.asyncStart.publish(message);
    tracing.asyncEnd.publish(message);
    safely(() => hooks?.onRequest?.(event));
    if (error !== undefined) safely(() => hooks?.onError?.(event));
  };
  let pending: Promise<T>;
  // runStores binds any AsyncLocalStorage a subscriber attached to `start` (an OpenTelemetry span, say).
  tracing.start.runStores(message, () => {
    try {
      pending = scopes!.run(scope, fn);
    } finally {
      tracing.end.publish(message);
    }
  });
  return pending!.then(
    (result) => {
      finish(undefined);
      return result;
    },
    (err: unknown) => {
      finish(err ?? new Error('rejected without a reason'));
      throw err;
    },
  );
}

/**
 * Reports a retry about to happen inside the current call (no-op outside a listened call).
 * `attempt` is the attempt about to start; `err` is the failure being retried.
 */
export function reportRetry(attempt: number, err: unknown, delayMs?: number): void {
  const scope = scopes?.getStore();
  if (scope === undefined) return;
  scope.attempts++;
  const httpStatus = httpStatusOf(err);
  const errorCode = isStateStoreError(err) ? err.code : errorName(err);
  const event: VfsRetryEvent = {
    ...scope.info,
    attempt,
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(httpStatus === undefined ? {} : { httpStatus }),
    ...(delayMs === undefined ? {} : { delayMs: Math.round(delayMs) }),
  };
  if (retryChannel.hasSubscribers) retryChannel.publish(event);
  safely(() => scope.hooks?.onRetry?.(event));
}

/** Whether the current async context is a listened call (drivers add retry probes only then). */
export function inListenedCall(): boolean {
  return scopes?.getStore() !== undefined;
}

function requestEvent(info: VfsCallInfo, attempts: number, durationMs: number, error: unknown): VfsRequestEvent {
  if (error === undefined) return { ...info, attempts, durationMs, status: 'ok' };
  const httpStatus = httpStatusOf(error);
  return {
    ...info,
    attempts,
    durationMs,
    status: 'error',
    ...(isStateStoreError(error) ? { errorCode: error.code, error } : {}),
    ...(httpStatus === undefined ? {} : { httpStatus }),
  };
}

/** The HTTP status an SDK error (or the cause of a StateStoreError) carries, in each SDK's own field. */
function httpStatusOf(err: unknown): number | undefined {
  for (let current = err, depth = 0; typeof current === 'object' && current !== null && depth < 3; depth++) {
    const fields = current as {
      $metadata?: { httpStatusCode?: unknown };
      statusCode?: unknown;
      status?: unknown;
      code?: unknown;
      cause?: unknown;
    };
    for (const value of [fields.$metadata?.httpStatusCode, fields.statusCode, fields.status, fields.code]) {
      if (typeof value === 'number' && value >= 100 && value < 600) return value;
    }
    current = fields.cause;
  }
  return undefined;
}

function errorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, code } = err as { name?: unknown; code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  return typeof name === 'string' && name !== '' && name !== 'Error' ? name : undefined;
}

/** A listener's failure must not become the call's: rethrown on the next tick, like diagnostics_channel does. */
function safely(run: () => void): void {
  try {
    run();
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
  }
}

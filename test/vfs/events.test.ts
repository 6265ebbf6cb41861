/**
 * Request and retry events (issue #19): the per-store hooks (`events: { onRequest, onRetry,
 * onError }`) and the `statestore:request` TracingChannel / `statestore:retry` channel of
 * `node:diagnostics_channel`, counted and checked field by field against real servers (s3rver,
 * Azurite behind the fault proxy). No credential and no body ever appears in them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import diagnostics from 'node:diagnostics_channel';
import { openVfs, registerBackend } from '../../src/backends/registry.js';
import { MemoryDriver } from '../../src/backends/memory/driver.js';
import { openStateStore } from '../../src/store/open.js';
import {
  REQUEST_CHANNEL,
  RETRY_CHANNEL,
  type VfsEvents,
  type VfsRequestEvent,
  type VfsRequestMessage,
  type VfsRetryEvent,
} from '../../src/vfs/events.js';
import { startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { REPO_ROOT } from '../helpers/repo-root.js';

const ACCOUNT = { accessKeyId: 'AKIAEVENTSTESTKEY01', secretAccessKey: 'events-secret-do-not-leak-0123456789' };
const BODY = 'body-content-never-in-events';
/** What a shed-load answer (503 ServerBusy, or a bare 500) maps to. */
const TRANSIENT = ['Unavailable', 'RateLimited'];

let s3: S3rverHandle;
let azurite: AzuriteHandle;
let proxy: FaultProxy;
let counter = 0;

beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3rver({ buckets: ['events'], accounts: [ACCOUNT] }), startAzurite()]);
  const { BlobServiceClient } = await import('@azure/storage-blob');
  await BlobServiceClient.fromConnectionString(azurite.connectionString)
    .getContainerClient('events')
    .createIfNotExists();
  // Every request answered 503 ServerBusy without reaching Azurite: each attempt fails the same way.
  proxy = await startFaultProxy({ target: new URL(azurite.endpoint).origin, errorRate: 1, flavour: 'azure' });
}, 90_000);

afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop(), proxy?.stop()]);
});

/** Hooks that record what they are given. */
function recorder(): {
  events: VfsEvents;
  requests: VfsRequestEvent[];
  retries: VfsRetryEvent[];
  errors: VfsRequestEvent[];
} {
  const requests: VfsRequestEvent[] = [];
  const retries: VfsRetryEvent[] = [];
  const errors: VfsRequestEvent[] = [];
  return {
    requests,
    retries,
    errors,
    events: {
      onRequest: (event) => requests.push(event),
      onRetry: (event) => retries.push(event),
      onError: (event) => errors.push(event),
    },
  };
}

function s3Store(events?: VfsEvents) {
  const url = `s3://events/run-${++counter}`;
  const opened = openVfs(url, {
    env: {},
    s3: { endpoint: s3.endpoint, region: 'us-east-1', credentials: ACCOUNT },
    ...(events === undefined ? {} : { events }),
  });
  return { url, opened };
}

/** Subscribes to both channels for the duration of `run`; returns what was published. */
async function onChannels(run: () => Promise<void>): Promise<{
  starts: VfsRequestMessage[];
  ends: VfsRequestMessage[];
  failures: VfsRequestMessage[];
  retries: VfsRetryEvent[];
}> {
  const seen = {
    starts: [] as VfsRequestMessage[],
    ends: [] as VfsRequestMessage[],
    failures: [] as VfsRequestMessage[],
    retries: [] as VfsRetryEvent[],
  };
  const tracing = diagnostics.tracingChannel<unknown, VfsRequestMessage>(REQUEST_CHANNEL);
  const handlers = {
    start: (message: VfsRequestMessage) => seen.starts.push({ ...message }),
    asyncEnd: (message: VfsRequestMessage) => seen.ends.push({ ...message }),
    error: (message: VfsRequestMessage) => seen.failures.push({ ...message }),
    end: () => undefined,
    asyncStart: () => undefined,
  };
  const onRetry = (message: unknown) => seen.retries.push(message as VfsRetryEvent);
  tracing.subscribe(handlers);
  diagnostics.subscribe(RETRY_CHANNEL, onRetry);
  try {
    await run();
  } finally {
    tracing.unsubscribe(handlers);
    diagnostics.unsubscribe(RETRY_CHANNEL, onRetry);
  }
  return seen;
}

describe('per-store hooks', () => {
  it('one write and one read on s3rver: exactly two request events, with these fields', async () => {
    const rec = recorder();
    const { url, opened } = s3Store(rec.events);
    const vfs = await opened;
    await vfs.write('cluster/config', BODY);
    await vfs.read('cluster/config');
    expect(rec.requests).toEqual([
      {
        operation: 'write',
        key: 'cluster/config',
        backend: 's3',
        url,
        attempts: 1,
        durationMs: expect.any(Number),
        status: 'ok',
      },
      {
        operation: 'read',
        key: 'cluster/config',
        backend: 's3',
        url,
        attempts: 1,
        durationMs: expect.any(Number),
        status: 'ok',
      },
    ]);
    expect(rec.requests.every((e) => e.durationMs >= 0)).toBe(true);
    expect(rec.retries).toEqual([]);
    expect(rec.errors).toEqual([]);
  });

  it('a failed call: onRequest and onError, with the error code and the HTTP status', async () => {
    const rec = recorder();
    const { url, opened } = s3Store(rec.events);
    const vfs = await opened;
    await expect(vfs.read('missing')).rejects.toMatchObject({ code: 'NotFound' });
    expect(rec.requests).toHaveLength(1);
    expect(rec.errors).toEqual(rec.requests);
    expect(rec.errors[0]).toMatchObject({
      operation: 'read',
      key: 'missing',
      backend: 's3',
      url,
      attempts: 1,
      status: 'error',
      errorCode: 'NotFound',
      httpStatus: 404,
    });
  });

  it('a 503 SlowDown the S3 SDK retries: one retry event, and the call counts two attempts', async () => {
    const rec = recorder();
    const { url, opened } = s3Store(rec.events);
    const vfs = await opened;
    const prefix = url.slice('s3://events/'.length);
    await s3.injectFault({ method: 'PUT', key: `${prefix}/flaky`, status: 503, code: 'SlowDown', times: 1 });
    await vfs.write('flaky', BODY);
    expect(rec.retries).toEqual([
      { operation: 'write', key: 'flaky', backend: 's3', url, attempt: 2, errorCode: 'SlowDown', httpStatus: 503 },
    ]);
    expect(rec.requests).toEqual([expect.objectContaining({ operation: 'write', attempts: 2, status: 'ok' })]);
  });

  it("Azure behind the fault proxy: statestore's own retries, each one an event, then one error", async () => {
    const rec = recorder();
    const url = `azureblob://${azurite.accountName}/events/run-${++counter}`;
    const vfs = await openVfs(url, {
      env: {},
      azure: { accountKey: azurite.accountKey, endpoint: `${proxy.endpoint}/${azurite.accountName}` },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      events: rec.events,
    });
    const before = proxy.stats.errors;
    const failure = await vfs.write('k', BODY).catch((err: unknown) => err);
    expect(TRANSIENT).toContain((failure as { code?: string }).code);
    expect(proxy.stats.errors - before).toBe(3);
    // The proxy sheds load as Azure does (503 ServerBusy) or with a bare 500, drawn by its PRNG.
    expect(rec.retries.map(({ delayMs: _d, errorCode: _c, httpStatus: _s, ...rest }) => rest)).toEqual([
      { operation: 'write', key: 'k', backend: 'azure', url, attempt: 2 },
      { operation: 'write', key: 'k', backend: 'azure', url, attempt: 3 },
    ]);
    for (const retry of rec.retries) {
      expect(TRANSIENT).toContain(retry.errorCode);
      expect([500, 503]).toContain(retry.httpStatus);
      expect(retry.delayMs).toBeGreaterThanOrEqual(0);
    }
    expect(rec.requests).toEqual([
      expect.objectContaining({
        operation: 'write',
        key: 'k',
        attempts: 3,
        status: 'error',
        errorCode: (failure as { code: string }).code,
      }),
    ]);
    expect(rec.errors).toHaveLength(1);
  });

  it('reach a state store through openStateStore, and only that store', async () => {
    const rec = recorder();
    const other = recorder();
    const url = `s3://events/run-${++counter}`;
    const s3Options = { endpoint: s3.endpoint, region: 'us-east-1', credentials: ACCOUNT };
    await using store = await openStateStore(url, { env: {}, s3: s3Options, events: rec.events });
    await using unrelated = await openStateStore(`s3://events/run-${++counter}`, {
      env: {},
      s3: s3Options,
      events: other.events,
    });
    expect(await store.listClusters()).toEqual([]);
    expect(rec.requests.length).toBeGreaterThan(0);
    expect(rec.requests.every((e) => e.operation === 'list' && e.url === url && e.key === undefined)).toBe(true);
    expect(other.requests).toEqual([]);
    expect(unrelated.url).not.toBe(url);
  });
});

describe('diagnostics_channel', () => {
  it('publishes start and asyncEnd for every call of every store, without the result', async () => {
    const { url, opened } = s3Store();
    const vfs = await opened;
    const seen = await onChannels(async () => {
      await vfs.write('a', BODY);
      await vfs.read('a');
    });
    expect(seen.starts).toEqual([
      { operation: 'write', key: 'a', backend: 's3', url },
      { operation: 'read', key: 'a', backend: 's3', url },
    ]);
    expect(seen.ends).toEqual([
      { operation: 'write', key: 'a', backend: 's3', url, attempts: 1, durationMs: expect.any(Number), status: 'ok' },
      { operation: 'read', key: 'a', backend: 's3', url, attempts: 1, durationMs: expect.any(Number), status: 'ok' },
    ]);
    expect(seen.failures).toEqual([]);
    // Nothing is published once nobody listens.
    const after = await onChannels(async () => undefined);
    await vfs.read('a');
    expect(after.starts).toEqual([]);
  });

  it('publishes the error and the retries, and binds a store to the call (the OpenTelemetry recipe)', async () => {
    const url = `azureblob://${azurite.accountName}/events/run-${++counter}`;
    const vfs = await openVfs(url, {
      env: {},
      azure: { accountKey: azurite.accountKey, endpoint: `${proxy.endpoint}/${azurite.accountName}` },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const span = new AsyncLocalStorage<string>();
    const tracing = diagnostics.tracingChannel<unknown, VfsRequestMessage>(REQUEST_CHANNEL);
    tracing.start.bindStore(span, (message) => `span:${message.operation}:${message.key}`);
    const spansAtRetry: Array<string | undefined> = [];
    const onRetry = () => spansAtRetry.push(span.getStore());
    diagnostics.subscribe(RETRY_CHANNEL, onRetry);
    let seen;
    try {
      seen = await onChannels(async () => {
        await expect(vfs.stat('k')).rejects.toMatchObject({ retryable: true });
      });
    } finally {
      tracing.start.unbindStore(span);
      diagnostics.unsubscribe(RETRY_CHANNEL, onRetry);
    }
    expect(seen.retries).toEqual([
      expect.objectContaining({
        operation: 'stat',
        key: 'k',
        backend: 'azure',
        url,
        attempt: 2,
        errorCode: 'Unavailable',
      }),
    ]);
    expect(seen.failures).toHaveLength(1);
    expect(seen.failures[0]).toMatchObject({
      operation: 'stat',
      status: 'error',
      errorCode: 'Unavailable',
      attempts: 2,
    });
    expect(seen.failures[0]!.error).toMatchObject({ code: 'Unavailable' });
    expect(spansAtRetry).toEqual(['span:stat:k']);
  });
});

it('no credential and no body in any serialized event', async () => {
  const rec = recorder();
  const { opened } = s3Store(rec.events);
  const vfs = await opened;
  const azure = await openVfs(`azureblob://${azurite.accountName}/events/run-${++counter}`, {
    env: {},
    azure: { accountKey: azurite.accountKey, endpoint: `${proxy.endpoint}/${azurite.accountName}` },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    events: rec.events,
  });
  const seen = await onChannels(async () => {
    await vfs.write('x', BODY);
    await vfs.read('x');
    await vfs.read('missing').catch(() => undefined);
    await vfs.write('x', BODY, { ifNoneMatch: '*' }).catch(() => undefined);
    await azure.write('x', BODY).catch(() => undefined);
  });
  const serialized = JSON.stringify({ rec, seen }, (_key, value: unknown) =>
    value instanceof Error ? { ...value, name: value.name, message: value.message } : value,
  );
  expect(rec.requests).toHaveLength(5);
  expect(rec.retries).toHaveLength(1);
  expect(seen.ends).toHaveLength(5);
  for (const secret of [ACCOUNT.accessKeyId, ACCOUNT.secretAccessKey, azurite.accountKey, BODY]) {
    expect(serialized).not.toContain(secret);
  }
});

it("redacts a third-party driver's URL that carries credentials", async () => {
  const rec = recorder();
  registerBackend({
    schemes: ['leaky'],
    open: async (url) => {
      const inner = new MemoryDriver(`leaky-${process.pid}-${url.host}`);
      // A driver that (wrongly) keeps the user info and a signature in its URL.
      return Object.assign(Object.create(inner) as MemoryDriver, {
        url: 'leaky://user:hunter2-secret@host/p?X-Amz-Signature=sig-secret-value',
      });
    },
  });
  const vfs = await openVfs('leaky://host/p', { events: rec.events });
  await vfs.write('k', BODY);
  expect(rec.requests).toHaveLength(1);
  const serialized = JSON.stringify(rec.requests);
  expect(serialized).not.toContain('hunter2-secret');
  expect(serialized).not.toContain('sig-secret-value');
  expect(rec.requests[0]!.url).toBe('leaky://host/p?X-Amz-Signature=REDACTED');
});

it('a hook that throws does not fail the call: its error is rethrown on the next tick', async () => {
  // In a child process: the rethrown error is an uncaught exception there, as a subscriber's is.
  const script = `
    const { openVfs } = await import(${JSON.stringify(path.join(REPO_ROOT, 'src/index.ts'))});
    const caught = [];
    process.on('uncaughtException', (err) => caught.push(err.message));
    const vfs = await openVfs('memfs://hook-throws', { events: { onRequest: () => { throw new Error('hook broke'); } } });
    const info = await vfs.write('k', 'v');
    await new Promise((resolve) => setTimeout(resolve, 10));
    console.log(JSON.stringify({ version: typeof info.version, caught }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: REPO_ROOT, timeout: 60_000 },
  );
  expect(JSON.parse(stdout)).toEqual({ version: 'string', caught: ['hook broke'] });
});

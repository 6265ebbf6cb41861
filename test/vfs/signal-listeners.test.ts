/**
 * One long-lived AbortSignal (a service's shutdown signal, say) passed to many calls must not
 * collect an abort listener per call: Node warns (MaxListenersExceededWarning) past 10 listeners.
 * Every backend, against its real server, 60 calls with one signal: no listener is left behind (a
 * leak shows from the first dropped stream on; 40 rounds found nothing more than 12 when measured).
 *
 * Jest's `process` is a sandbox copy with its own listeners (and `node:process` resolves to it),
 * so Node's warning never reaches a `process.on('warning')` here: the test counts the signal's
 * listeners itself (`getEventListeners`), which is what the warning is about, and more exact.
 */
import { getEventListeners } from 'node:events';
import { openVfs } from '../../src/backends/registry.js';
import { allTargets, stopAll } from '../backends/targets.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';

afterAll(async () => {
  await stopAll();
});

/** The abort listeners on `signal` right now. */
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

it.each(allTargets.map((target) => [target.name, target] as const))(
  '%s: 60 calls with one signal leave no listener behind',
  async (_name, target) => {
    const { vfs } = await target.fresh();
    const signal = new AbortController().signal;
    let most = 0;
    for (let i = 0; i < 12; i++) {
      const written = await vfs.write(`k${i % 4}`, `v${i}`, { signal });
      await vfs.read(`k${i % 4}`, { signal, ifMatch: written.version });
      const stream = await vfs.readStream(`k${i % 4}`, { signal });
      // Half the streams are read to the end, half dropped unread.
      if (i % 2 === 0) for await (const _chunk of stream.body) void _chunk;
      else stream.body.destroy();
      await vfs.stat(`k${i % 4}`, { signal });
      await vfs.list({ prefix: '', signal });
      most = Math.max(most, listeners(signal));
    }
    // Settled calls hold none; a dropped stream may release its listener once it has closed.
    await new Promise((resolve) => setImmediate(resolve));
    expect({ most, after: listeners(signal) }).toEqual({ most: 0, after: 0 });
    await vfs.close();
  },
);

describe('retries waiting on the signal', () => {
  let azurite: AzuriteHandle;
  let proxy: FaultProxy;
  beforeAll(async () => {
    azurite = await startAzurite();
    proxy = await startFaultProxy({ target: new URL(azurite.endpoint).origin, errorRate: 1, flavour: 'azure' });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([proxy?.stop(), azurite?.stop()]);
  });

  it('200 retry waits with one signal leave no listener behind', async () => {
    const vfs = await openVfs(`azureblob://${azurite.accountName}/signals/run`, {
      env: {},
      azure: { accountKey: azurite.accountKey, endpoint: `${proxy.endpoint}/${azurite.accountName}` },
      retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const signal = new AbortController().signal;
    const before = proxy.stats.errors;
    for (let i = 0; i < 50; i++) {
      await expect(vfs.stat('k', { signal })).rejects.toMatchObject({ retryable: true });
    }
    // 50 calls of 5 attempts: 200 waits between attempts, each listening to the signal.
    expect(proxy.stats.errors - before).toBe(250);
    expect(listeners(signal)).toBe(0);
  });
});

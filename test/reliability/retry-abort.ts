/**
 * An abort during a retry wait, on a backend behind the fault-injecting proxy (every request
 * answered 503 in the provider's words): the call must reject with Aborted at once, with no
 * further attempt, and leave no wait's timer running. The Azure and GCS drivers once ran their
 * retries without the call's signal, so a wait (up to `maxDelayMs`, 2 s by default) ran to its end.
 */
import { openVfs } from '../../src/backends/registry.js';
import { retryWaits } from '../helpers/retry-waits.js';
import { startFaultProxy } from '../servers/fault-proxy.js';
import type { FaultBackend } from './fault-scenarios.js';

export function describeRetryAbort(backend: FaultBackend): void {
  it(`${backend.name}: an abort during a retry wait rejects at once with Aborted, sending no further attempt`, async () => {
    const server = await backend.server();
    const down = await startFaultProxy({ target: server.origin, seed: 1, errorRate: 1, flavour: backend.flavour });
    // Waits of up to a minute (full jitter): only the signal can end one before the test's timeout.
    const vfs = await openVfs(
      server.url('faults', 'run'),
      server.options(down.endpoint, { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }),
    );
    const controller = new AbortController();
    const waits = retryWaits();
    try {
      const pending = vfs.read('retry-abort', { signal: controller.signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      while (waits.now().started === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort();
      expect(await pending).toMatchObject({ code: 'Aborted' });
      // One attempt reached the proxy: the aborted call neither waited out its delay nor tried again.
      expect(down.paths.filter((path) => path.includes('retry-abort'))).toHaveLength(1);
      await new Promise((resolve) => setImmediate(resolve)); // a cleared timer's end is reported a turn later
      expect(waits.now().alive).toBe(0);
    } finally {
      waits.stop();
      await vfs.close();
      await down.stop();
    }
  });
}

/**
 * The fault scenarios (./fault-scenarios.ts) on Google Cloud Storage: the firebase-tools Storage
 * emulator and its GCS compat front behind the fault-injecting proxy, which answers
 * `503 backendError` / 500 in GCS's JSON, drops connections, and cuts responses half-way after the
 * emulator acted. Plus streamed (resumable) uploads: with the client's Host kept, the emulator's
 * session URLs lead back through the proxy, so every request of a session meets the faults.
 */
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/vfs/errors.js';
import { startFaultProxy } from '../servers/fault-proxy.js';
import { describeStoreFaults, describeVfsFaults, gcsFaultBackend } from './fault-scenarios.js';

const backend = gcsFaultBackend();
afterAll(() => backend.stop());

describeVfsFaults(backend);
describeStoreFaults(backend);

describe('GCS resumable uploads through injected faults', () => {
  it('each streamed upload completes, or fails with a typed retryable error; what is stored is whole or absent', async () => {
    const server = await backend.server();
    const proxy = await startFaultProxy({ target: server.origin, seed: 5, errorRate: 0.15, resetRate: 0.05, dropRate: 0.03, flavour: 'gcs', preserveHost: true });
    const options = server.options(proxy.endpoint, { maxAttempts: 10, baseDelayMs: 2, maxDelayMs: 20 });
    const faulty = await openVfs(server.url('faults', 'resumable'), { ...options, gcs: { ...options.gcs, resumableThreshold: 1024 } });
    const direct = await openVfs(server.url('faults', 'resumable'), server.options(server.origin));
    const outcomes = { completed: 0, failed: 0, landedDespiteError: 0 };
    try {
      for (let i = 0; i < 20; i++) {
        const body = Buffer.alloc(64 * 1024 + i, i);
        const error = await faulty.writeStream(`up/${i}`, Readable.from([body])).then(() => undefined, (err: unknown) => err);
        const stored = await direct.read(`up/${i}`).then((read) => Buffer.from(read.body), (err: unknown) => err);
        if (error === undefined) {
          outcomes.completed += 1;
          expect(Buffer.isBuffer(stored) && stored.equals(body)).toBe(true);
          continue;
        }
        outcomes.failed += 1;
        expect(isStateStoreError(error) && error.retryable).toBe(true);
        if (Buffer.isBuffer(stored)) {
          outcomes.landedDespiteError += 1; // the answer to the final request was lost
          expect(stored.equals(body)).toBe(true);
        } else {
          expect(stored).toMatchObject({ code: 'NotFound' });
        }
      }
      expect(proxy.paths.some((path) => path.includes('upload_id='))).toBe(true); // sessions went through the proxy
      expect(proxy.stats.errors + proxy.stats.resets + proxy.stats.drops).toBeGreaterThan(0);
      expect(outcomes.completed).toBeGreaterThan(0);
    } finally {
      await Promise.all([faulty.close(), direct.close(), proxy.stop()]);
    }
  }, 120_000);
});

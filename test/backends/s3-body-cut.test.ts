/**
 * A GET whose body is cut off after its headers arrived (a reset mid-transfer, through the
 * fault proxy) resumes from the byte reached with a ranged GET pinned to the ETag, within the
 * store's retry budget: the SDK's own retries end once the headers are in.
 */
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { startFaultProxy } from '../servers/fault-proxy.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';

let server: S3rverHandle;
let direct: Vfs;
// The dialect given: these cases count requests through the proxy, which a probe at open would add to.
const s3 = { credentials: S3RVER_CREDENTIALS, region: 'us-east-1', dialect: 'aws' };
const body = 'kind: Cluster\n'.repeat(500);

beforeAll(async () => {
  server = await startS3rver({ buckets: ['cut'] });
  direct = await openVfs('s3://cut/store', { env: {}, s3: { ...s3, endpoint: server.endpoint } });
  await direct.write('c/config', body);
});
afterAll(async () => {
  await direct?.close();
  await server?.stop();
});

it('retries a body cut mid-way, and fails Unavailable (retryable) once the budget is spent', async () => {
  const proxy = await startFaultProxy({ target: server.endpoint, seed: 3, resetRate: 1, flavour: 's3' });
  const vfs = await openVfs('s3://cut/store', {
    env: {},
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    s3: { ...s3, endpoint: proxy.endpoint },
  });
  try {
    await expect(vfs.read('c/config')).rejects.toMatchObject({ code: 'Unavailable', retryable: true, key: 'c/config' });
    expect(proxy.stats.resets).toBe(3);
  } finally {
    await vfs.close();
    await proxy.stop();
  }
});

it('reads and streams the whole object when the rest gets through, asking only for the missing bytes', async () => {
  // Half the answers cut: with a budget of 10, every read ends whole.
  const proxy = await startFaultProxy({ target: server.endpoint, seed: 11, resetRate: 0.5, flavour: 's3' });
  const vfs = await openVfs('s3://cut/store', {
    env: {},
    retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 },
    s3: { ...s3, endpoint: proxy.endpoint },
  });
  try {
    await server.clearRequests();
    for (let i = 0; i < 10; i++) {
      expect(Buffer.from((await vfs.read('c/config')).body).toString()).toBe(body);
      const chunks: Buffer[] = [];
      for await (const chunk of (await vfs.readStream('c/config')).body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe(body);
    }
    expect(proxy.stats.resets).toBeGreaterThan(0);
    const ranged = (await server.requests()).filter((r) => r.method === 'GET' && r.headers['range'] !== undefined);
    expect(ranged.length).toBeGreaterThan(0);
    expect(
      ranged.every((r) => /^bytes=[1-9]\d*-$/.test(r.headers['range']!) && r.headers['if-match'] !== undefined),
    ).toBe(true);
  } finally {
    await vfs.close();
    await proxy.stop();
  }
});

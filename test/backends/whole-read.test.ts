/**
 * Whole reads (`Vfs.read`) with `maxBytes`, and the S3 direct path's collected small bodies
 * (s3/whole-read.ts): a body cut while collected resumes from the byte reached with a ranged GET
 * pinned to the ETag, a rotten one is IntegrityError, an abort is Aborted; and an object past the
 * cap is refused with the object's info kept, on memory, file, S3 (s3rver), Azure (Azurite) and
 * GCS (its emulator) alike. The cut and the cap once more on Ceph RGW, the real S3 server here.
 */
import { openVfs } from '../../src/backends/registry.js';
import { oversizedRead } from '../../src/vfs/read-cap.js';
import { readCapped, oversizedInfo } from '../../src/store/capped-read.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { startFaultProxy } from '../servers/fault-proxy.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { azureTarget, fileTarget, gcsTarget, memoryTarget, s3Target, stopAll } from './targets.js';

let server: S3rverHandle;
// The dialect given: no probe at open adds requests to those counted through the proxy.
const s3 = { credentials: S3RVER_CREDENTIALS, region: 'us-east-1', dialect: 'aws' };
const small = Buffer.from('kind: Cluster\n'.repeat(300)); // 4,200 bytes: collected, not streamed
const large = Buffer.alloc(200_000, 'spec: {}\n'); // past the direct path's 64 KiB: streamed

beforeAll(async () => {
  server = await startS3rver({ buckets: ['whole'] });
  const vfs = await openVfs('s3://whole/store', { env: {}, s3: { ...s3, endpoint: server.endpoint } });
  await vfs.write('small', small);
  await vfs.write('large', large);
  await vfs.write('rotten', small);
  await vfs.close();
  await server.corrupt('whole', 'store/rotten');
});
afterAll(async () => {
  await stopAll();
  await server?.stop();
});

async function throughProxy(options: Parameters<typeof startFaultProxy>[0]) {
  const proxy = await startFaultProxy(options);
  const vfs = await openVfs('s3://whole/store', {
    env: {},
    retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 },
    s3: { ...s3, endpoint: proxy.endpoint },
  });
  return { proxy, vfs, close: async () => (await vfs.close(), await proxy.stop()) };
}

it('a small body cut mid-way is resumed from the byte reached, pinned to its ETag, and read whole', async () => {
  const { proxy, vfs, close } = await throughProxy({ target: server.endpoint, seed: 5, resetRate: 0.5, flavour: 's3' });
  try {
    for (let i = 0; i < 8; i++) {
      const { body, info } = await vfs.read('small', { maxBytes: 64 * 1024 });
      expect(Buffer.from(body).equals(small)).toBe(true);
      expect(info.size).toBe(small.length);
    }
    expect(proxy.stats.resets).toBeGreaterThan(0);
    const ranged = proxy.received.filter((r) => r.method === 'GET' && r.headers['range'] !== undefined);
    expect(ranged.length).toBeGreaterThan(0);
    for (const request of ranged) {
      // From the byte reached (never 0: the first answer's bytes are kept), pinned to the version read.
      expect(request.headers['range']).toMatch(/^bytes=[1-9]\d*-$/);
      expect(request.headers['if-match']).toBeDefined();
    }
  } finally {
    await close();
  }
});

it('on Ceph RGW: a small body cut mid-way resumes from the byte reached, pinned to its ETag; past the cap it is refused', async () => {
  const rgw = await sharedRgw();
  await rgw.createBucket('whole-read');
  // The dialect given, so the resumed GET carries If-Match (unprobed, the answer's ETag alone pins it).
  const direct = await openVfs('s3://whole-read/store', { env: {}, s3: { ...rgw.s3, dialect: 'rgw' } });
  await direct.write('small', small);
  await direct.write('large', large);
  const proxy = await startFaultProxy({
    target: rgw.endpoint,
    seed: 7,
    resetRate: 0.5,
    flavour: 's3',
    preserveHost: true,
  });
  const cut = await openVfs('s3://whole-read/store', {
    env: {},
    retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 },
    s3: { ...rgw.s3, dialect: 'rgw', endpoint: proxy.endpoint },
  });
  try {
    for (let i = 0; i < 8; i++) {
      const { body, info } = await cut.read('small', { maxBytes: 64 * 1024 });
      expect(Buffer.from(body).equals(small)).toBe(true);
      expect(info.size).toBe(small.length);
    }
    expect(proxy.stats.resets).toBeGreaterThan(0);
    const ranged = proxy.received.filter((r) => r.method === 'GET' && r.headers['range'] !== undefined);
    expect(ranged.length).toBeGreaterThan(0);
    for (const request of ranged) {
      expect(request.headers['range']).toMatch(/^bytes=[1-9]\d*-$/);
      expect(request.headers['if-match']).toBeDefined();
    }
    const err = await rejection(direct.read('large', { maxBytes: 100_000 }));
    expect(err.code).toBe('InvalidArgument');
    expect(Buffer.from((await direct.read('large', { maxBytes: 300_000 })).body).equals(large)).toBe(true);
  } finally {
    await cut.close();
    await proxy.stop();
    await direct.close();
  }
});

it('a small body whose checksum fails is IntegrityError, and an abort while it is read is Aborted', async () => {
  const direct = await openVfs('s3://whole/store', { env: {}, s3: { ...s3, endpoint: server.endpoint } });
  try {
    expect((await rejection(direct.read('rotten'))).code).toBe('IntegrityError');
  } finally {
    await direct.close();
  }
  const controller = new AbortController();
  const { vfs, close } = await throughProxy({
    target: server.endpoint,
    flavour: 's3',
    // The answer waits here until the reader gave up.
    beforeAnswer: async () => controller.abort(),
  });
  try {
    expect((await rejection(vfs.read('small', { signal: controller.signal }))).code).toBe('Aborted');
  } finally {
    await close();
  }
});

it('a large body is streamed and read whole within the cap, and refused past it', async () => {
  const vfs = await openVfs('s3://whole/store', { env: {}, s3: { ...s3, endpoint: server.endpoint } });
  try {
    expect(Buffer.from((await vfs.read('large', { maxBytes: large.length })).body).equals(large)).toBe(true);
    const err = await rejection(vfs.read('large', { maxBytes: large.length - 1 }));
    expect(err.code).toBe('InvalidArgument');
    expect(oversizedRead(err)?.info).toMatchObject({ key: 'large', size: large.length });
  } finally {
    await vfs.close();
  }
});

describe.each([memoryTarget, fileTarget, s3Target, azureTarget, gcsTarget].map((t) => [t.name, t] as const))(
  'maxBytes on %s',
  (_, target) => {
    let vfs: Vfs;
    beforeAll(async () => {
      ({ vfs } = await target.fresh());
      await vfs.write('c/config', small);
    });

    it('reads an object of exactly maxBytes, refuses one byte more with its info, and refuses a bad maxBytes', async () => {
      expect(Buffer.from((await vfs.read('c/config', { maxBytes: small.length })).body).equals(small)).toBe(true);
      const err = await rejection(vfs.read('c/config', { maxBytes: small.length - 1 }));
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toMatch(/is 4200 bytes, more than the 4199 bytes asked for \(maxBytes\); it was not read$/);
      expect(oversizedRead(err)?.info).toMatchObject({ key: 'c/config', size: small.length });
      expect((await rejection(vfs.read('c/config', { maxBytes: -1 }))).code).toBe('InvalidArgument');
      expect((await rejection(vfs.read('c/absent', { maxBytes: 10 }))).code).toBe('NotFound');
    });

    it('readCapped keeps its own message and the refused file for oversizedInfo', async () => {
      const err = await rejection(readCapped(vfs, 'c/config', { maxBytes: 100, what: 'cluster "c"' }));
      expect(err.message).toBe(
        'cluster "c" is 4200 bytes, more than the 100 bytes statestore reads (maxBytes); it was not read',
      );
      expect(oversizedInfo(err)).toMatchObject({ key: 'c/config', size: small.length });
    });
  },
);

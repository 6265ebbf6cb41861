/**
 * Downloads whose only checksum is CRC32C or CRC64NVME (what Amazon S3 answers for objects
 * uploaded without a CRC32; CRC64NVME is its default since 2025) are validated on both request
 * paths: the direct one (src/backends/s3/direct/crc.ts) and the SDK's (STATESTORE_S3_REQUESTS=sdk).
 * The s3rver compat layer records both checksums at upload with the SDK's own implementations
 * and answers the one asked (test/servers/s3rver-checksums.ts); a flipped stored byte must then
 * fail the read with IntegrityError, and an intact object must read back whole.
 */
import { randomBytes } from 'node:crypto';
import { openVfs } from '../../src/backends/registry.js';
import { REQUESTS_ENV } from '../../src/backends/s3/direct/index.js';
import { isStateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { startS3rver, S3RVER_CREDENTIALS, type ChecksumAnswer, type S3rverHandle } from '../servers/s3rver.js';
import { rejection } from '../helpers/index.js';

let server: S3rverHandle;
let counter = 0;
const open: Vfs[] = [];
const savedMode = process.env[REQUESTS_ENV];

beforeAll(async () => {
  server = await startS3rver({ buckets: ['state'] });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((vfs) => vfs.close()));
  if (savedMode === undefined) delete process.env[REQUESTS_ENV];
  else process.env[REQUESTS_ENV] = savedMode;
});

afterAll(async () => {
  await server?.stop();
});

/** A store on a fresh prefix, its requests sent by `mode` (the env var is read when the store opens). */
async function store(mode: 'direct' | 'sdk'): Promise<{ vfs: Vfs; prefix: string }> {
  if (mode === 'sdk') process.env[REQUESTS_ENV] = 'sdk';
  else delete process.env[REQUESTS_ENV];
  const prefix = `t${++counter}`;
  const vfs = await openVfs(`s3://state/${prefix}`, {
    env: {},
    s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1', dialect: 'aws' },
  });
  open.push(vfs);
  return { vfs, prefix };
}

async function streamFailure(vfs: Vfs, key: string): Promise<unknown> {
  const { body } = await vfs.readStream(key);
  try {
    for await (const chunk of body) void chunk;
  } catch (err) {
    return err;
  }
  return undefined;
}

describe.each(['direct', 'sdk'] as const)('the %s path', (mode) => {
  it.each(['crc32c', 'crc64nvme'] as ChecksumAnswer[])(
    'reads an object whose only checksum is %s, and fails a rotten one with IntegrityError',
    async (answer) => {
      await server.setChecksumAnswer(answer);
      try {
        const { vfs, prefix } = await store(mode);
        // Several chunks on the wire: the running checksum spans them.
        const content = randomBytes(200_000);
        await vfs.write('intact', content);
        await vfs.write('rotten', content);
        await server.corrupt('state', `${prefix}/rotten`);
        await server.clearRequests();

        expect(Buffer.from((await vfs.read('intact')).body).equals(content)).toBe(true);
        expect((await rejection(vfs.read('rotten'))).code).toBe('IntegrityError');
        expect(isStateStoreError(await streamFailure(vfs, 'rotten'), 'IntegrityError')).toBe(true);

        const gets = (await server.requests()).filter((r) => r.method === 'GET');
        expect(gets.length).toBeGreaterThanOrEqual(3);
        for (const get of gets) {
          expect(get.headers['x-amz-checksum-mode']).toBe('ENABLED');
          expect((get.headers['user-agent'] ?? '').includes('aws-sdk-js')).toBe(mode === 'sdk');
        }
      } finally {
        await server.setChecksumAnswer('crc32');
      }
    },
  );
});

/**
 * What the S3 backend sends, observed on the server side (the compat layer's request log), and
 * how it maps the service's answers: conditions and SSE headers, default checksums, multipart
 * uploads and copies, region discovery, two stores in one process, and the error codes for wrong
 * credentials, a missing bucket, an unreachable endpoint, 409 and 503.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { isStateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { startS3rver, S3RVER_CREDENTIALS, type RecordedRequest, type S3rverHandle } from '../servers/s3rver.js';
import { rejection } from '../helpers/index.js';
import { retryWaits } from '../helpers/retry-waits.js';
import { crc32Base64 } from '../helpers/checksums.js';

const SECOND = { accessKeyId: 'SECONDKEY', secretAccessKey: 'second-secret-value-0123456789' };
let server: S3rverHandle;
let counter = 0;
const open: Vfs[] = [];

beforeAll(async () => {
  server = await startS3rver({
    buckets: ['state', 'other', { name: 'paris', region: 'eu-west-3' }],
    accounts: [SECOND],
    listeners: 2,
  });
});

afterEach(async () => {
  await server.clearFaults();
  await Promise.all(open.splice(0).map((vfs) => vfs.close()));
});

afterAll(async () => {
  await server?.stop();
});

/** A store on a fresh prefix of `bucket`; returns it and its prefix. */
async function store(
  s3: OpenVfsOptions['s3'] = {},
  bucket = 'state',
  extra: Partial<OpenVfsOptions> = {},
): Promise<{ vfs: Vfs; prefix: string }> {
  const prefix = `t${++counter}`;
  const vfs = await openVfs(`s3://${bucket}/${prefix}`, {
    env: {},
    ...extra,
    // The dialect given: these cases are about requests, not the probe (s3-dialect.test.ts).
    s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1', dialect: 'aws', ...s3 },
  });
  open.push(vfs);
  return { vfs, prefix };
}

async function requestsFor(key: string): Promise<RecordedRequest[]> {
  return (await server.requests()).filter((request) => request.key === key);
}

describe('conditions and options reach the wire', () => {
  it('sends If-None-Match: * for create-if-absent and If-Match: <etag> for compare-and-swap', async () => {
    const { vfs, prefix } = await store();
    const created = await vfs.write('cluster/config', 'v1', { ifNoneMatch: '*' });
    await vfs.write('cluster/config', 'v2', { ifMatch: created.version });
    const puts = (await requestsFor(`${prefix}/cluster/config`)).filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts[0]!.headers['if-none-match']).toBe('*');
    expect(puts[0]!.headers['if-match']).toBeUndefined();
    expect(puts[1]!.headers['if-match']).toBe(created.version);
    expect(puts[1]!.headers['if-none-match']).toBeUndefined();
  });

  it('puts the conditions of a multipart write on CompleteMultipartUpload, and aws:kms SSE on its creation', async () => {
    const { vfs, prefix } = await store({ serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/kops-state' });
    const body = Buffer.alloc(9 * 1024 * 1024, 7);
    const info = await vfs.writeStream('big', Readable.from([body]), { ifNoneMatch: '*' });
    const requests = await requestsFor(`${prefix}/big`);
    const create = requests.find((r) => r.method === 'POST' && r.query.includes('uploads'))!;
    expect(create.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(create.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/kops-state');
    const parts = requests.filter((r) => r.method === 'PUT' && r.query.includes('uploadId'));
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part.headers['if-none-match']).toBeUndefined();
    const complete = requests.find((r) => r.method === 'POST' && r.query.includes('uploadId'))!;
    expect(complete.headers['if-none-match']).toBe('*');
    // The multipart ETag is not an MD5; the md5 of the write comes from the bytes streamed.
    expect(info.version).toMatch(/-2"$/);
    expect(info.md5).toBe(createHash('md5').update(body).digest('hex'));
    expect((await vfs.stat('big')).md5).toBeUndefined();
  });

  it('sends AES256 SSE and the canned ACL on PutObject and CopyObject', async () => {
    const { vfs, prefix } = await store({ serverSideEncryption: 'AES256', acl: 'bucket-owner-full-control' });
    await vfs.write('a', 'x');
    await vfs.copy('a', 'b', { ifNoneMatch: '*' });
    const put = (await requestsFor(`${prefix}/a`)).find((r) => r.method === 'PUT')!;
    expect(put.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(put.headers['x-amz-acl']).toBe('bucket-owner-full-control');
    const copy = (await requestsFor(`${prefix}/b`)).find((r) => r.method === 'PUT')!;
    expect(copy.headers['x-amz-copy-source']).toBe(`state/${prefix}/a`);
    expect(copy.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(copy.headers['if-none-match']).toBe('*');
    expect(copy.headers['x-amz-copy-source-if-match']).toBeDefined();
  });

  it('sends a CRC32 checksum by default and none with checksum "when_required"', async () => {
    const { vfs, prefix } = await store();
    await vfs.write('sum', 'checksummed');
    const put = (await requestsFor(`${prefix}/sum`)).find((r) => r.method === 'PUT')!;
    expect(put.headers['x-amz-checksum-crc32']).toBe(crc32Base64(Buffer.from('checksummed')));
    const plain = await store({ checksum: 'when_required' });
    await plain.vfs.write('sum', 'checksummed');
    const put2 = (await requestsFor(`${plain.prefix}/sum`)).find((r) => r.method === 'PUT')!;
    expect(put2.headers['x-amz-checksum-crc32']).toBeUndefined();
  });
});

describe('multipart', () => {
  it('copies above the threshold with UploadPartCopy pinned to the source version, conditions on completion', async () => {
    const { vfs, prefix } = await store({ multipartCopyThreshold: 1024 * 1024 });
    const body = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE(i, i);
    const source = await vfs.writeStream('src', Readable.from([body]));
    const copied = await vfs.copy('src', 'dst', { ifNoneMatch: '*' });
    expect(copied.size).toBe(body.length);
    const read = await vfs.read('dst');
    expect(Buffer.from(read.body).equals(body)).toBe(true);
    const requests = await requestsFor(`${prefix}/dst`);
    const partCopies = requests.filter((r) => r.method === 'PUT' && r.query.includes('uploadId'));
    expect(partCopies.map((r) => r.headers['x-amz-copy-source-range'])).toEqual([
      'bytes=0-8388607',
      'bytes=8388608-16777215',
      'bytes=16777216-20971519',
    ]);
    for (const part of partCopies) expect(part.headers['x-amz-copy-source-if-match']).toBe(source.version);
    expect(requests.find((r) => r.method === 'POST' && r.query.includes('uploadId'))!.headers['if-none-match']).toBe(
      '*',
    );
    expect(await rejection(vfs.copy('src', 'dst', { ifNoneMatch: '*' }))).toMatchObject({ code: 'AlreadyExists' });
  });

  it('aborts the multipart upload when the source stream fails, leaving nothing', async () => {
    const { vfs, prefix } = await store();
    async function* failing() {
      yield Buffer.alloc(9 * 1024 * 1024, 1);
      throw new Error('disk on fire');
    }
    const err = await rejection(vfs.writeStream('broken', failing()));
    expect(err.code).toBe('Unknown');
    const requests = await requestsFor(`${prefix}/broken`);
    expect(requests.some((r) => r.method === 'DELETE' && r.query.includes('uploadId') && r.status === 204)).toBe(true);
    expect(await rejection(vfs.stat('broken'))).toMatchObject({ code: 'NotFound' });
  });
});

describe('regions and several stores', () => {
  it('discovers a bucket region once with HeadBucket and signs for it', async () => {
    await server.clearRequests();
    const a = await openVfs('s3://paris/one', {
      env: {},
      s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS },
    });
    const b = await openVfs('s3://paris/two', {
      env: {},
      s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS },
    });
    open.push(a, b);
    await a.write('k', 'from a');
    await b.write('k', 'from b');
    const requests = (await server.requests()).filter((r) => r.bucket === 'paris');
    expect(requests.filter((r) => r.method === 'HEAD' && r.key === undefined)).toHaveLength(1);
    for (const put of requests.filter((r) => r.method === 'PUT'))
      expect(put.headers['authorization']).toContain('/eu-west-3/s3/aws4_request');
  });

  it('names the bucket region when a store is configured with the wrong one', async () => {
    const { vfs } = await store({ region: 'us-west-2' }, 'paris');
    const err = await rejection(vfs.read('k'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('eu-west-3');
  });

  it('keeps two stores with different endpoints and credentials apart in one process', async () => {
    const first = await openVfs('s3://state/multi-a', {
      env: {},
      s3: { endpoint: server.endpoints[0], credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
    });
    const second = await openVfs('s3://other/multi-b', {
      env: {},
      s3: { endpoint: server.endpoints[1], credentials: SECOND, region: 'us-east-1' },
    });
    open.push(first, second);
    await Promise.all([first.write('x', 'first'), second.write('x', 'second')]);
    const puts = (await server.requests()).filter(
      (r) => r.method === 'PUT' && (r.key === 'multi-a/x' || r.key === 'multi-b/x'),
    );
    const [a, b] = [puts.find((r) => r.key === 'multi-a/x')!, puts.find((r) => r.key === 'multi-b/x')!];
    expect(a.port).toBe(Number(new URL(server.endpoints[0]!).port));
    expect(a.headers['authorization']).toContain('Credential=S3RVER/');
    expect(b.port).toBe(Number(new URL(server.endpoints[1]!).port));
    expect(b.headers['authorization']).toContain('Credential=SECONDKEY/');
  });

  it('lets per-store options win over the kops environment variables', async () => {
    const vfs = await openVfs('s3://state/env-wins', {
      env: {
        S3_ENDPOINT: 'http://127.0.0.1:1',
        S3_REGION: 'eu-central-1',
        S3_ACCESS_KEY_ID: 'ENVKEY',
        S3_SECRET_ACCESS_KEY: 'env-secret',
      },
      s3: { endpoint: server.endpoint, region: 'us-east-1', credentials: S3RVER_CREDENTIALS },
    });
    open.push(vfs);
    await vfs.write('k', 'v');
    const put = (await requestsFor('env-wins/k')).find((r) => r.method === 'PUT')!;
    expect(put.headers['authorization']).toContain('Credential=S3RVER/');
    expect(put.headers['authorization']).toContain('/us-east-1/s3/aws4_request');
  });
});

describe('error codes, within the retry budget, without secrets', () => {
  const SECRET = 'do-not-print-this-secret-9f8e7d';

  it('gives Unauthenticated for an unknown access key, after one request', async () => {
    await server.clearRequests();
    const { vfs } = await store({ credentials: { accessKeyId: 'WRONGKEY', secretAccessKey: SECRET } });
    const err = await rejection(vfs.read('anything'));
    expect(err.code).toBe('Unauthenticated');
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err)).not.toContain(SECRET);
    expect((await server.requests()).filter((r) => r.method === 'GET')).toHaveLength(1);
  });

  it('gives NotFound naming the bucket for a missing bucket', async () => {
    const { vfs } = await store(
      { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
      'no-such-bucket',
    );
    const err = await rejection(vfs.read('config'));
    expect(err.code).toBe('NotFound');
    expect(err.message).toContain('bucket "no-such-bucket" does not exist');
    const listErr = await rejection(vfs.list());
    expect(listErr.code).toBe('NotFound');
  });

  it('gives Unavailable for an endpoint nobody listens on', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const vfs = await openVfs('s3://state/x', {
      env: {},
      retry: { maxAttempts: 2 },
      s3: {
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        dialect: 'aws',
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET },
      },
    });
    open.push(vfs);
    const err = await rejection(vfs.read('config'));
    expect(err.code).toBe('Unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).not.toContain(SECRET);
  });

  it('retries 409 ConditionalRequestConflict (AWS asks to) and maps it to a retryable Conflict when it persists', async () => {
    const { vfs, prefix } = await store({}, 'state', { retry: { maxAttempts: 3, baseDelayMs: 1 } });
    const conflict = { method: 'PUT', status: 409, code: 'ConditionalRequestConflict' };
    await server.injectFault({ ...conflict, key: `${prefix}/once`, times: 1 });
    await vfs.write('once', 'x', { ifNoneMatch: '*' });
    expect((await requestsFor(`${prefix}/once`)).filter((r) => r.method === 'PUT')).toHaveLength(2);
    await server.injectFault({ ...conflict, key: `${prefix}/c`, times: 100 });
    const err = await rejection(vfs.write('c', 'x', { ifNoneMatch: '*' }));
    expect(err.code).toBe('Conflict');
    expect(err.retryable).toBe(true);
    expect((await requestsFor(`${prefix}/c`)).filter((r) => r.method === 'PUT')).toHaveLength(3);
  });

  it('retries 503 SlowDown inside the SDK and maps it to RateLimited when it persists', async () => {
    const { vfs, prefix } = await store({}, 'state', { retry: { maxAttempts: 3 } });
    await server.injectFault({ method: 'PUT', key: `${prefix}/once`, status: 503, code: 'SlowDown', times: 1 });
    await vfs.write('once', 'x');
    expect((await requestsFor(`${prefix}/once`)).filter((r) => r.method === 'PUT')).toHaveLength(2);

    await server.injectFault({ method: 'PUT', key: `${prefix}/always`, status: 503, code: 'SlowDown', times: 100 });
    const err = await rejection(vfs.write('always', 'x'));
    expect(err.code).toBe('RateLimited');
    expect(err.retryable).toBe(true);
    expect((await requestsFor(`${prefix}/always`)).filter((r) => r.method === 'PUT')).toHaveLength(3);
  });

  it('retries 5xx exactly options.retry.maxAttempts times, then gives Unavailable', async () => {
    const { vfs, prefix } = await store({}, 'state', { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } });
    await server.injectFault({ method: 'GET', key: `${prefix}/flaky`, status: 500, code: 'InternalError', times: 100 });
    const err = await rejection(vfs.read('flaky'));
    expect(err.code).toBe('Unavailable');
    expect((await requestsFor(`${prefix}/flaky`)).filter((r) => r.method === 'GET')).toHaveLength(4);
  });

  it('cuts a retry wait short when the signal fires, with Aborted', async () => {
    const { vfs, prefix } = await store({}, 'state', {
      retry: { maxAttempts: 10, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    await server.injectFault({ method: 'GET', key: `${prefix}/slow`, status: 503, code: 'SlowDown', times: 100 });
    const controller = new AbortController();
    const waits = retryWaits();
    const pending = rejection(vfs.read('slow', { signal: controller.signal }));
    // Aborted once the client waits to retry (up to 60 s, full jitter).
    while (waits.now().started === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect((await pending).code).toBe('Aborted');
    // The wait's timer went with it: the SDK's own wait raced the signal and left its timer
    // running, which held the process (Jest "did not exit" after this file).
    await new Promise((resolve) => setImmediate(resolve)); // async_hooks report a cleared timer's end a turn later
    expect(waits.stop().alive).toBe(0);
  });

  it('gives IntegrityError when a download does not match its stored CRC32 (default checksum mode)', async () => {
    const { vfs, prefix } = await store();
    await vfs.write('rotten', 'the original content');
    await server.corrupt('state', `${prefix}/rotten`);
    expect((await rejection(vfs.read('rotten'))).code).toBe('IntegrityError');
    const { body } = await vfs.readStream('rotten');
    const streamed = await (async () => {
      for await (const chunk of body) void chunk;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStateStoreError(streamed, 'IntegrityError')).toBe(true);
    const get = (await requestsFor(`${prefix}/rotten`)).find((r) => r.method === 'GET')!;
    expect(get.headers['x-amz-checksum-mode']).toBe('ENABLED');
  });

  it('maps 400 BadDigest on upload to IntegrityError', async () => {
    const { vfs, prefix } = await store();
    await server.injectFault({ method: 'PUT', key: `${prefix}/digest`, status: 400, code: 'BadDigest', times: 1 });
    expect((await rejection(vfs.write('digest', 'x'))).code).toBe('IntegrityError');
  });

  it('maps AccessDenied to PermissionDenied', async () => {
    const { vfs, prefix } = await store();
    await server.injectFault({ method: 'GET', key: `${prefix}/locked`, status: 403, code: 'AccessDenied', times: 1 });
    expect(await rejection(vfs.read('locked'))).toMatchObject({ code: 'PermissionDenied' });
  });
});

describe('the direct path (src/backends/s3/direct) and the SDK send the same requests', () => {
  it('sends the hot requests without the SDK unless STATESTORE_S3_REQUESTS=sdk, with the same conditions and headers', async () => {
    const saved = process.env['STATESTORE_S3_REQUESTS'];
    const seen: Record<string, string[]> = {};
    try {
      for (const mode of ['direct', 'sdk']) {
        if (mode === 'sdk') process.env['STATESTORE_S3_REQUESTS'] = 'sdk';
        else delete process.env['STATESTORE_S3_REQUESTS'];
        const { vfs } = await store({ serverSideEncryption: 'AES256', acl: 'private' });
        await server.clearRequests();
        const written = await vfs.write('a b/c+d', 'x', { ifNoneMatch: '*' });
        await vfs.copy('a b/c+d', 'copy', { ifNoneMatch: '*' });
        expect(Buffer.from((await vfs.read('copy', { ifMatch: written.version })).body).toString()).toBe('x');
        expect((await vfs.stat('a b/c+d')).version).toBe(written.version);
        expect((await vfs.list({ delimiter: '/' })).prefixes).toEqual(['a b/']);
        await vfs.delete('copy', { ifMatch: written.version });
        const sent = await server.requests();
        const sdk = sent.filter((r) => (r.headers['user-agent'] ?? '').includes('aws-sdk-js'));
        expect(sdk).toHaveLength(mode === 'sdk' ? sent.length : 0);
        seen[mode] = sent.map((r) =>
          [
            r.method,
            r.key,
            // The SDK adds `x-id=<Operation>` to some queries, for itself: the server ignores it.
            r.query
              .split('&')
              .filter((pair) => !pair.startsWith('x-id='))
              .sort()
              .join('&'),
            ...['if-match', 'if-none-match', 'x-amz-copy-source', 'x-amz-copy-source-if-match', 'x-amz-acl']
              .concat(['x-amz-server-side-encryption', 'x-amz-checksum-crc32', 'x-amz-checksum-mode'])
              .map((name) => `${name}=${r.headers[name] ?? ''}`),
          ].join(' '),
        );
      }
    } finally {
      if (saved === undefined) delete process.env['STATESTORE_S3_REQUESTS'];
      else process.env['STATESTORE_S3_REQUESTS'] = saved;
    }
    // Each mode ran on its own prefix: the same requests, prefixes aside.
    const unprefixed = (lines: string[]) => lines.map((line) => line.replace(/t\d+(\/|%2F)/g, 'P$1'));
    expect(unprefixed(seen['direct']!)).toEqual(unprefixed(seen['sdk']!));
    expect(seen['direct']!.length).toBe(7);
  });
});

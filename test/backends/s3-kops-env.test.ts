/**
 * S3 writes carry the ACL and server-side encryption kops sends (util/pkg/vfs/s3fs.go,
 * s3context.go, context.go), seen on the wire in s3rver's request log: `KOPS_STATE_S3_ACL`, AES256
 * unless the bucket encrypts by default (asked once with GetBucketEncryption), nothing on the
 * provider schemes; explicit options win over both. s3rver answers GetBucketEncryption with 501
 * (kops: an error means AES256); a small proxy in front of it plays a bucket with a default rule.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import type { Vfs } from '../../src/vfs/types.js';
import { parseStoreUrl } from '../../src/vfs/url.js';
import { resolveS3Location } from '../../src/backends/s3/url.js';
import { startS3rver, S3RVER_CREDENTIALS, type RecordedRequest, type S3rverHandle } from '../servers/s3rver.js';

let server: S3rverHandle;
let counter = 0;
const open: Vfs[] = [];

beforeAll(async () => {
  server = await startS3rver({ buckets: ['kops', 'kms-default'] });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((vfs) => vfs.close()));
});
afterAll(async () => {
  await server?.stop();
});

async function store(
  env: Record<string, string>,
  s3: OpenVfsOptions['s3'] = {},
  url = 's3://kops',
): Promise<{ vfs: Vfs; prefix: string }> {
  const prefix = `env${++counter}`;
  const vfs = await openVfs(`${url}/${prefix}`, {
    env,
    s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1', ...s3 },
  });
  open.push(vfs);
  return { vfs, prefix };
}

async function requestsFor(key: string): Promise<RecordedRequest[]> {
  return (await server.requests()).filter((request) => request.key === key);
}

async function putOf(key: string): Promise<RecordedRequest> {
  const put = (await requestsFor(key)).find((r) => r.method === 'PUT');
  if (put === undefined) throw new Error(`no PUT of ${key}`);
  return put;
}

const askedEncryption = (requests: RecordedRequest[], bucket: string) =>
  requests.filter(
    (r) => r.method === 'GET' && r.bucket === bucket && r.key === undefined && /(^|&)encryption(=|&|$)/.test(r.query),
  );

describe('server-side encryption as kops decides it', () => {
  it('sends AES256 on s3:// when the bucket has no readable default, asking the bucket once per store', async () => {
    await server.clearRequests();
    const { vfs, prefix } = await store({});
    await vfs.write('a', 'one');
    await vfs.write('b', 'two');
    for (const key of ['a', 'b']) {
      const put = await putOf(`${prefix}/${key}`);
      expect(put.headers['x-amz-server-side-encryption']).toBe('AES256');
      expect(put.headers['x-amz-acl']).toBeUndefined();
    }
    expect(askedEncryption(await server.requests(), 'kops')).toHaveLength(1);
  });

  it('asks nothing and sends nothing before the first write (reads are untouched)', async () => {
    await server.clearRequests();
    const { vfs } = await store({});
    await vfs.list({});
    expect(askedEncryption(await server.requests(), 'kops')).toEqual([]);
  });

  it('sends no SSE header on a bucket with a default encryption rule, and no MD5 from its KMS ETags', async () => {
    const proxy = await bucketDefaultProxy(server.endpoint, 'aws:kms');
    try {
      const { vfs, prefix } = await store({}, { endpoint: proxy.endpoint }, 's3://kms-default');
      await vfs.write('a', 'encrypted by the bucket');
      const put = await putOf(`${prefix}/a`);
      expect(put.headers['x-amz-server-side-encryption']).toBeUndefined();
      expect(proxy.asked).toBe(1);
      const listed = (await vfs.list({})).objects.find((o) => o.key === 'a');
      expect(listed?.md5).toBeUndefined();
    } finally {
      await proxy.stop();
    }
  });

  it('lets options.s3.serverSideEncryption win: "none" sends nothing and asks nothing, "aws:kms" is sent as given', async () => {
    await server.clearRequests();
    const none = await store({}, { serverSideEncryption: 'none' });
    await none.vfs.write('a', 'x');
    expect((await putOf(`${none.prefix}/a`)).headers['x-amz-server-side-encryption']).toBeUndefined();
    expect(askedEncryption(await server.requests(), 'kops')).toEqual([]);
    const kms = await store({}, { serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/state' });
    await kms.vfs.write('a', 'x');
    const put = await putOf(`${kms.prefix}/a`);
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/state');
  });

  it('sends no SSE on the provider schemes (kops builds their paths with sse=false)', async () => {
    await server.clearRequests();
    const { vfs, prefix } = await store({ KOPS_STATE_S3_ACL: 'private' }, {}, 'do://kops');
    await vfs.write('a', 'x');
    const put = await putOf(`${prefix}/a`);
    expect(put.headers['x-amz-server-side-encryption']).toBeUndefined();
    expect(put.headers['x-amz-acl']).toBe('private');
    expect(askedEncryption(await server.requests(), 'kops')).toEqual([]);
  });
});

describe('KOPS_STATE_S3_ACL', () => {
  it('puts the trimmed ACL and the SSE on PutObject, CreateMultipartUpload and CopyObject', async () => {
    const { vfs, prefix } = await store(
      { KOPS_STATE_S3_ACL: '  bucket-owner-full-control\n' },
      { partSize: 5 * 1024 * 1024 },
    );
    await vfs.write('put', 'x');
    await vfs.writeStream('multi', Readable.from([Buffer.alloc(5 * 1024 * 1024 + 1, 1)]));
    await vfs.copy('put', 'copied');
    const put = await putOf(`${prefix}/put`);
    const create = (await requestsFor(`${prefix}/multi`)).find(
      (r) => r.method === 'POST' && /(^|&)uploads(=|&|$)/.test(r.query),
    )!;
    const copy = (await requestsFor(`${prefix}/copied`)).find(
      (r) => r.method === 'PUT' && r.headers['x-amz-copy-source'] !== undefined,
    )!;
    for (const request of [put, create, copy]) {
      expect(request.headers['x-amz-acl']).toBe('bucket-owner-full-control');
      expect(request.headers['x-amz-server-side-encryption']).toBe('AES256');
    }
  });

  it('gives way to options.s3.acl', async () => {
    const { vfs, prefix } = await store({ KOPS_STATE_S3_ACL: 'public-read' }, { acl: 'bucket-owner-read' });
    await vfs.write('a', 'x');
    expect((await putOf(`${prefix}/a`)).headers['x-amz-acl']).toBe('bucket-owner-read');
  });

  it('is ignored when blank', async () => {
    const { vfs, prefix } = await store({ KOPS_STATE_S3_ACL: '   ' });
    await vfs.write('a', 'x');
    expect((await putOf(`${prefix}/a`)).headers['x-amz-acl']).toBeUndefined();
  });

  it('refuses an ACL S3 does not know at the first write, naming the variable, with nothing written; reads still work', async () => {
    const { vfs, prefix } = await store({ KOPS_STATE_S3_ACL: 'everyone' });
    await expect(vfs.list({})).resolves.toBeDefined();
    await expect(vfs.write('a', 'x')).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('KOPS_STATE_S3_ACL="everyone"'),
    });
    expect(await requestsFor(`${prefix}/a`)).toEqual([]);
    await expect(
      openVfs('s3://kops/x', { env: {}, s3: { endpoint: server.endpoint, acl: 'everyone' as 'private' } }),
    ).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('acl') });
  });
});

describe('S3_REGION and the S3_* keys count only with S3_ENDPOINT, as in kops s3context.go', () => {
  const resolve = (url: string, env: Record<string, string>) => resolveS3Location(parseStoreUrl(url), { env });
  const keys = { S3_ACCESS_KEY_ID: 'AK', S3_SECRET_ACCESS_KEY: 'SK' };

  it('on AWS (no S3_ENDPOINT) asks the bucket for its region and uses the default credential chain', () => {
    expect(resolve('s3://bkt', { S3_REGION: 'eu-west-1', ...keys })).toMatchObject({
      region: undefined,
      credentials: undefined,
      endpoint: undefined,
    });
  });

  it('with S3_ENDPOINT takes S3_REGION (else us-east-1, never asked) and the static keys', () => {
    expect(resolve('s3://bkt', { S3_ENDPOINT: 'http://127.0.0.1:9000', ...keys })).toMatchObject({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
    expect(resolve('s3://bkt', { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_REGION: 'eu-west-1' })).toMatchObject({
      region: 'eu-west-1',
      credentials: undefined,
    });
  });

  it('still lets options win', () => {
    const location = resolveS3Location(parseStoreUrl('s3://bkt'), {
      env: { S3_ENDPOINT: 'http://127.0.0.1:9000', ...keys },
      s3: { region: 'ap-south-1', credentials: { accessKeyId: 'OPT', secretAccessKey: 'O' } },
    });
    expect(location).toMatchObject({ region: 'ap-south-1', credentials: { accessKeyId: 'OPT' } });
  });
});

/** A proxy to s3rver that answers GetBucketEncryption with a default rule (s3rver has none). */
async function bucketDefaultProxy(
  target: string,
  algorithm: string,
): Promise<{ endpoint: string; asked: number; stop(): Promise<void> }> {
  const origin = new URL(target);
  const state = { asked: 0 };
  const proxy = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (
      req.method === 'GET' &&
      url.searchParams.has('encryption') &&
      url.pathname.split('/').filter(Boolean).length === 1
    ) {
      state.asked++;
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
      );
      return;
    }
    // The Host header goes through unchanged, so s3rver checks the signature the client made.
    const upstream = http.request(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get asked() {
      return state.asked;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

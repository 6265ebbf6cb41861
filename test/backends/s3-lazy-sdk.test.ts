/**
 * The AWS SDK is loaded by the first request that needs it: a store that knows its region and
 * credentials sends what the direct path serves (GetObject, PutObject, ListObjectsV2, ...) without
 * importing `@aws-sdk/client-s3`; a multipart upload loads it; a store that needs the SDK's client
 * for its region or credentials loads it on its first request. A missing SDK fails only the
 * requests that need it, as InvalidArgument naming the package.
 */
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { loadOptionalPeer } from '../../src/backends/optional-peer.js';
import { loadS3Sdk } from '../../src/backends/s3/client.js';
import { S3Requests } from '../../src/backends/s3/requests.js';
import type { S3Sdk } from '../../src/backends/s3/types.js';
import { resolveS3Location } from '../../src/backends/s3/url.js';
import { isStateStoreError } from '../../src/errors.js';
import { parseStoreUrl } from '../../src/vfs/url.js';
import { openVfs } from '../../src/backends/registry.js';
import { rejection } from '../helpers/index.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';

let server: S3rverHandle;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['lazy'] });
});
afterAll(async () => {
  await server?.stop();
});

/** A store's requests whose SDK loads are counted (and may fail as a missing package does). */
function requestsOf(options: OpenVfsOptions, missing = false) {
  const counted = { loads: 0 };
  const location = resolveS3Location(parseStoreUrl('s3://lazy/store'), options);
  const load = (): Promise<S3Sdk> => {
    counted.loads += 1;
    if (!missing) return loadS3Sdk('s3');
    const err = Object.assign(new Error("Cannot find package '@aws-sdk/client-s3'"), { code: 'ERR_MODULE_NOT_FOUND' });
    return loadOptionalPeer('@aws-sdk/client-s3', () => Promise.reject(err), 's3');
  };
  return { requests: new S3Requests(load, location, options), counted };
}

const known = (): OpenVfsOptions => ({
  env: {},
  s3: { endpoint: server.endpoint, region: 'us-east-1', credentials: S3RVER_CREDENTIALS, dialect: 'aws' },
});

it('a store that knows its region and credentials reads, writes and lists without loading the SDK', async () => {
  const { requests, counted } = requestsOf(known());
  try {
    const { sdk } = requests;
    await requests.send(new sdk.PutObjectCommand({ Bucket: 'lazy', Key: 'store/a', Body: 'kind: Cluster\n' }));
    const got = await requests.send<{ ETag?: string }>(new sdk.HeadObjectCommand({ Bucket: 'lazy', Key: 'store/a' }));
    const page = await requests.send<{ Contents?: Array<{ Key?: string; ETag?: string }> }>(
      new sdk.ListObjectsV2Command({ Bucket: 'lazy', Prefix: 'store/' }),
    );
    expect(page.Contents?.map((entry) => [entry.Key, entry.ETag])).toEqual([['store/a', got.ETag]]);
    // A small multipart upload, as the dialect probe makes: direct too.
    const small = await requests.send<{ UploadId?: string }>(
      new sdk.CreateMultipartUploadCommand({ Bucket: 'lazy', Key: 'store/b' }),
    );
    expect(small.UploadId).toEqual(expect.any(String));
    await requests.send(
      new sdk.AbortMultipartUploadCommand({ Bucket: 'lazy', Key: 'store/b', UploadId: small.UploadId }),
    );
    expect(counted.loads).toBe(0);

    // A request the direct path does not send (an upload with a checksum algorithm) loads it, once.
    const upload = await requests.send<{ UploadId?: string }>(
      new sdk.CreateMultipartUploadCommand({ Bucket: 'lazy', Key: 'store/b', ChecksumAlgorithm: 'CRC32' }),
    );
    expect(upload.UploadId).toEqual(expect.any(String));
    await requests.send(
      new sdk.AbortMultipartUploadCommand({ Bucket: 'lazy', Key: 'store/b', UploadId: upload.UploadId }),
    );
    expect(counted.loads).toBe(1);
  } finally {
    await requests.close();
  }
});

it('a store without its credentials (the default chain) loads the SDK on its first request', async () => {
  const env = {
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const { requests, counted } = requestsOf({
    env: {},
    s3: { endpoint: server.endpoint, region: 'us-east-1', dialect: 'aws' },
  });
  try {
    const { sdk } = requests;
    await requests.send(new sdk.PutObjectCommand({ Bucket: 'lazy', Key: 'store/c', Body: 'x' }));
    expect(counted.loads).toBe(1);
  } finally {
    process.env = saved;
    await requests.close();
  }
});

it('without the SDK installed, direct requests succeed and one that needs it fails naming the package', async () => {
  const { requests, counted } = requestsOf(known(), true);
  try {
    const { sdk } = requests;
    await requests.send(new sdk.PutObjectCommand({ Bucket: 'lazy', Key: 'store/d', Body: 'y' }));
    const failure = await requests
      .send(new sdk.CreateMultipartUploadCommand({ Bucket: 'lazy', Key: 'store/e', ChecksumAlgorithm: 'CRC32' }))
      .catch((err: unknown) => err);
    expect(isStateStoreError(failure, 'InvalidArgument')).toBe(true);
    expect((failure as Error).message).toContain('npm install @aws-sdk/client-s3');
    expect(counted.loads).toBe(1);
  } finally {
    await requests.close();
  }
});

it('a create-only copy as GET + PUT checks a small source body whole: a corrupted one is refused, nothing written', async () => {
  // Ceph RGW's dialect: CopyObject ignores If-None-Match there, so a create-only copy is a GET and a conditional PUT.
  const options: OpenVfsOptions = { ...known(), s3: { ...known().s3, dialect: 'rgw' } };
  const from = await openVfs('s3://lazy/from', options);
  const to = await openVfs('s3://lazy/to', options);
  try {
    await from.write('good', 'kind: Cluster\n');
    await from.write('rotten', 'the original content');
    await server.corrupt('lazy', 'from/rotten');
    const copied = await to.copyFrom!(from, 'good', 'good', { ifNoneMatch: '*' });
    expect(Buffer.from((await to.read('good')).body).toString()).toBe('kind: Cluster\n');
    expect(copied?.version).toBe((await from.stat('good')).version);
    const failure = await to.copyFrom!(from, 'rotten', 'rotten', { ifNoneMatch: '*' }).catch((err: unknown) => err);
    expect(isStateStoreError(failure)).toBe(true);
    expect((failure as { code: string }).code).toBe('IntegrityError');
    expect((await rejection(to.stat('rotten'))).code).toBe('NotFound');
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
});

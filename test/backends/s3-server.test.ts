/**
 * The test server itself: s3rver behind the compat layer must treat the SDK's DEFAULT streaming
 * upload (aws-chunked body, `x-amz-checksum-crc32` trailer) like S3 does, and refuse a body whose
 * trailer checksum is wrong. Uses the real SDK against the real server; nothing is mocked.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3rver, S3RVER_CREDENTIALS, type S3rverHandle } from '../servers/s3rver.js';

let server: S3rverHandle;
let client: S3Client;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['raw'] });
  client = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

it('stores the decoded payload of a default SDK streaming upload (aws-chunked with a CRC32 trailer)', async () => {
  const payload = Buffer.from('hello from a stream, '.repeat(1000));
  await client.send(
    new PutObjectCommand({
      Bucket: 'raw',
      Key: 'chunked',
      Body: Readable.from([payload.subarray(0, 5000), payload.subarray(5000)]),
      ContentLength: payload.length,
    }),
  );
  const put = (await server.requests()).find((r) => r.method === 'PUT' && r.key === 'chunked')!;
  expect(put.headers['content-encoding']).toBe('aws-chunked');
  expect(put.headers['x-amz-content-sha256']).toMatch(/^STREAMING-/);
  expect(put.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
  expect(put.trailers?.['x-amz-checksum-crc32']).toMatch(/^[A-Za-z0-9+/]{6}==$/);
  const got = await client.send(new GetObjectCommand({ Bucket: 'raw', Key: 'chunked' }));
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(payload)).toBe(true);
  expect(got.ContentEncoding ?? '').not.toContain('aws-chunked');
  expect(got.ContentLength).toBe(payload.length);
});

it('answers 400 BadDigest to an aws-chunked body whose CRC32 trailer is wrong, and stores nothing', async () => {
  const date = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
  const response = await fetch(`${server.endpoint}/raw/corrupt`, {
    method: 'PUT',
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=S3RVER/${date.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
      'x-amz-date': date,
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '5',
      'x-amz-trailer': 'x-amz-checksum-crc32',
    },
    body: '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
  });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain('<Code>BadDigest</Code>');
  await expect(client.send(new HeadObjectCommand({ Bucket: 'raw', Key: 'corrupt' }))).rejects.toMatchObject({
    $metadata: { httpStatusCode: 404 },
  });
});

it('serialises conditional writes per key: of 20 racing If-None-Match: * PUTs exactly one wins', async () => {
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      client.send(new PutObjectCommand({ Bucket: 'raw', Key: 'race', Body: `w${i}`, IfNoneMatch: '*' })),
    ),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  for (const r of results)
    if (r.status === 'rejected') expect(r.reason).toMatchObject({ $metadata: { httpStatusCode: 412 } });
});

/**
 * A small multipart upload on the S3 direct path (src/backends/s3/direct/multipart-commands.ts):
 * the dialect probe makes one on every store it probes, which loaded the whole SDK for it. The
 * same requests as the SDK's, observed on the server (the compat layer's request log), with the
 * condition on the completion and the refused upload aborted.
 */
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { startS3rver, S3RVER_CREDENTIALS, type RecordedRequest, type S3rverHandle } from '../servers/s3rver.js';

let server: S3rverHandle;
const open: Vfs[] = [];

beforeAll(async () => {
  server = await startS3rver({ buckets: ['state'] });
});

afterAll(async () => {
  await Promise.all(open.map((vfs) => vfs.close()));
  await server?.stop();
});

/** A multipart write, then a create-only one refused on its completion; the requests they sent. */
async function uploads(mode: 'direct' | 'sdk'): Promise<RecordedRequest[]> {
  const saved = process.env['STATESTORE_S3_REQUESTS'];
  if (mode === 'sdk') process.env['STATESTORE_S3_REQUESTS'] = 'sdk';
  else delete process.env['STATESTORE_S3_REQUESTS'];
  try {
    // Without checksums, every request of a multipart write is one the direct path translates.
    const vfs = await openVfs(`s3://state/${mode}`, {
      env: {},
      s3: {
        endpoint: server.endpoint,
        credentials: S3RVER_CREDENTIALS,
        region: 'us-east-1',
        dialect: 'aws',
        checksum: 'when_required',
        serverSideEncryption: 'none',
        partSize: 5 * 1024 * 1024,
      },
    });
    open.push(vfs);
    await server.clearRequests();
    const body = Buffer.alloc(6 * 1024 * 1024, 3);
    const info = await vfs.writeStream('big', Readable.from([body]), { ifNoneMatch: '*' });
    expect(info.version).toMatch(/-2"$/);
    expect(Buffer.compare(Buffer.from((await vfs.read('big')).body), body)).toBe(0);
    const refused = await rejection(vfs.writeStream('big', Readable.from([body]), { ifNoneMatch: '*' }));
    expect(isStateStoreError(refused, 'AlreadyExists')).toBe(true);
    return await server.requests();
  } finally {
    if (saved === undefined) delete process.env['STATESTORE_S3_REQUESTS'];
    else process.env['STATESTORE_S3_REQUESTS'] = saved;
  }
}

/** A request as `METHOD query if-none-match`, the upload id and the SDK's own `x-id` left out. */
function shape(request: RecordedRequest): string {
  const query = request.query
    .split('&')
    .filter((pair) => pair !== '' && !pair.startsWith('x-id='))
    .map((pair) => pair.replace(/^(uploadId=).*/, '$1ID').replace(/^uploads=$/, 'uploads'))
    .sort()
    .join('&');
  return `${request.method} ${query} if-none-match=${request.headers['if-none-match'] ?? ''}`;
}

it('sends CreateMultipartUpload, UploadPart, CompleteMultipartUpload and AbortMultipartUpload as the SDK does, without it', async () => {
  const direct = await uploads('direct');
  const sdk = await uploads('sdk');
  const bySdk = (requests: RecordedRequest[]) =>
    requests.filter((r) => (r.headers['user-agent'] ?? '').includes('aws-sdk-js'));
  expect(bySdk(direct)).toHaveLength(0);
  expect(bySdk(sdk)).toHaveLength(sdk.length);
  expect(direct.map(shape)).toEqual(sdk.map(shape));
  expect(direct.map(shape)).toEqual(
    expect.arrayContaining([
      'POST uploads if-none-match=',
      'PUT partNumber=1&uploadId=ID if-none-match=',
      'PUT partNumber=2&uploadId=ID if-none-match=',
      'POST uploadId=ID if-none-match=*',
      'DELETE uploadId=ID if-none-match=',
    ]),
  );
});

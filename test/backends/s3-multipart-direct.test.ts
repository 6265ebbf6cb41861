/**
 * A small multipart upload on the S3 direct path (src/backends/s3/direct/multipart-commands.ts):
 * the dialect probe makes one on every store it probes, which loaded the whole SDK for it. The
 * same requests as the SDK's, observed on the server (s3rver's request log, kept for what a real
 * server here does not show), with the condition on the completion and the refused upload
 * aborted; and the same upload on Ceph RGW by both paths, read back whole.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { isStateStoreError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { withS3Requests } from '../helpers/s3-requests.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { startS3rver, S3RVER_CREDENTIALS, type RecordedRequest, type S3rverHandle } from '../servers/s3rver.js';

let server: S3rverHandle;
const open: Vfs[] = [];
const closeAll = async () => {
  await Promise.all(open.splice(0).map((vfs) => vfs.close()));
};

beforeAll(async () => {
  server = await startS3rver({ buckets: ['state'] });
});

afterAll(async () => {
  await closeAll();
  await server?.stop();
});

/** Without checksums, every request of a multipart write is one the direct path translates. */
const MULTIPART = { checksum: 'when_required', serverSideEncryption: 'none', partSize: 5 * 1024 * 1024 } as const;
/** Two parts: 5 MiB and 1 MiB. */
const BODY = Buffer.alloc(6 * 1024 * 1024, 3);

async function openStore(url: string, options: OpenVfsOptions): Promise<Vfs> {
  const vfs = await openVfs(url, options);
  open.push(vfs);
  return vfs;
}

/** A multipart write, then a create-only one refused on its completion; the requests they sent. */
async function uploads(mode: 'direct' | 'sdk'): Promise<RecordedRequest[]> {
  return withS3Requests(
    mode,
    async () => {
      const vfs = await openStore(`s3://state/${mode}`, {
        env: {},
        s3: {
          endpoint: server.endpoint,
          credentials: S3RVER_CREDENTIALS,
          region: 'us-east-1',
          dialect: 'aws',
          ...MULTIPART,
        },
      });
      await server.clearRequests();
      const info = await vfs.writeStream('big', Readable.from([BODY]), { ifNoneMatch: '*' });
      expect(info.version).toMatch(/-2"$/);
      expect(Buffer.compare(Buffer.from((await vfs.read('big')).body), BODY)).toBe(0);
      const refused = await rejection(vfs.writeStream('big', Readable.from([BODY]), { ifNoneMatch: '*' }));
      expect(isStateStoreError(refused, 'AlreadyExists')).toBe(true);
      return await server.requests();
    },
    closeAll,
  );
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

it('on Ceph RGW, writes the same two-part object by the direct path as by the SDK, read back whole by the other', async () => {
  const rgw = await sharedRgw();
  await rgw.createBucket('multipart-direct');
  const url = `s3://multipart-direct/${randomUUID().slice(0, 8)}`;
  const options: OpenVfsOptions = { env: {}, s3: { ...rgw.s3, dialect: 'rgw', ...MULTIPART } };
  const write = (mode: 'direct' | 'sdk') =>
    withS3Requests(
      mode,
      async () => (await openStore(url, options)).writeStream(`by-${mode}`, Readable.from([BODY])),
      closeAll,
    );
  const direct = await write('direct');
  const sdk = await write('sdk');
  // The version a write returns is the object's own (RGW answers the completion with an empty
  // ETag): S3's multipart ETag, the MD5 of the parts' MD5s and the part count, so the same parts
  // give the same one by either path.
  const stat = (key: string) =>
    withS3Requests('direct', async () => (await openStore(url, options)).stat(key), closeAll);
  expect(direct.version).toMatch(/^"[0-9a-f]{32}-2"$/);
  expect(direct.version).toBe((await stat('by-direct')).version);
  expect(sdk.version).toBe(direct.version);
  const readBy = (mode: 'direct' | 'sdk', key: string) =>
    withS3Requests(mode, async () => Buffer.from((await (await openStore(url, options)).read(key)).body), closeAll);
  expect(Buffer.compare(await readBy('sdk', 'by-direct'), BODY)).toBe(0);
  expect(Buffer.compare(await readBy('direct', 'by-sdk'), BODY)).toBe(0);
});

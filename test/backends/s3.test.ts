/**
 * The conformance suite on the S3 backend against s3rver (with the compat layer of
 * test/servers/s3rver-middleware.ts), with the SDK's DEFAULT checksum settings: on `s3://`
 * (region discovered from the bucket, 64 MiB streamed object) and on `do://` configured the kops
 * way, through S3_ENDPOINT / S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY.
 */
import { openVfs } from '../../src/backends/registry.js';
import { runConformance } from '../conformance/suite.js';
import { startConnectionCounter, type ConnectionCounter } from '../servers/connection-counter.js';
import { startS3rver, S3RVER_CREDENTIALS, type S3rverHandle } from '../servers/s3rver.js';

let server: S3rverHandle;
/** Between the SDK and s3rver: counts the connections the stores leave (the suite's leak checks). */
let proxy: ConnectionCounter;
let counter = 0;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['conformance', 'spaces'] });
  proxy = await startConnectionCounter(server.endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

runConformance({
  name: 's3',
  open: () =>
    openVfs(`s3://conformance/run-${String(++counter).padStart(4, '0')}`, {
      env: {},
      s3: { endpoint: proxy.endpoint, credentials: S3RVER_CREDENTIALS },
    }),
  largeObjectBytes: 64 * 1024 * 1024,
  // The driver holds one part (options.s3.partSize, 8 MiB) at a time, sent before the next is read.
  streamBufferBytes: 8 * 1024 * 1024,
  keyPrefixBytes: 'run-0001/'.length,
  connections: () => proxy.count(),
  transferred: () => proxy.transferred(),
});

runConformance({
  name: 'do (S3-compatible, kops environment variables)',
  open: () =>
    openVfs(`do://spaces/run-${String(++counter).padStart(4, '0')}`, {
      env: {
        S3_ENDPOINT: proxy.endpoint,
        S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      },
    }),
  keyPrefixBytes: 'run-0001/'.length,
  connections: () => proxy.count(),
  transferred: () => proxy.transferred(),
});

/**
 * The conformance suite on the S3 backend against a real S3 server: Ceph RADOS Gateway 16.2, the
 * run's shared one (test/servers/shared-rgw.ts), with `serverSideEncryption: 'none'` (the gateway
 * has no encryption keys: kops's AES256 default is refused there, as by several S3-compatible
 * providers). Every store is a prefix of its own in one bucket; S3's 1,024-byte key limit counts
 * that prefix.
 */
import { randomUUID } from 'node:crypto';
import { openVfs } from '../../src/backends/registry.js';
import { runConformance } from '../conformance/suite.js';
import { startConnectionCounter, type ConnectionCounter } from '../servers/connection-counter.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import type { RgwHandle } from '../servers/rgw.js';

const BUCKET = 'conformance';
let rgw: RgwHandle;
/** Between the SDK and the gateway: counts the bytes streamed (the suite's bound on streaming). */
let proxy: ConnectionCounter;
let counter = 0;

beforeAll(async () => {
  rgw = await sharedRgw();
  await rgw.createBucket(BUCKET);
  proxy = await startConnectionCounter(rgw.endpoint);
}, 200_000);

afterAll(async () => {
  await proxy?.stop();
});

/** `run-<token>-0001`: one length for every store, so the key-length case knows the prefix. */
const token = randomUUID().slice(0, 8);
const prefix = () => `run-${token}-${String(++counter).padStart(4, '0')}`;
const PREFIX_BYTES = `run-${token}-0000/`.length;

runConformance({
  name: 'Ceph RADOS Gateway',
  open: () => openVfs(`s3://${BUCKET}/${prefix()}`, { env: {}, s3: { ...rgw.s3, endpoint: proxy.endpoint } }),
  largeObjectBytes: 64 * 1024 * 1024,
  streamBufferBytes: 8 * 1024 * 1024, // one 8 MiB part at a time
  transferred: () => proxy.transferred(),
  // The prefix and its `/` count in S3's 1,024-byte key limit: a key that fits with them
  // round-trips, one byte more is refused before any request.
  keyPrefixBytes: PREFIX_BYTES,
});

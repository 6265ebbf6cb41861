/**
 * S3 dialects (src/backends/s3/dialect.ts, dialect-probe.ts): the spellings, the defaults, the
 * probe against s3rver taught each provider's behaviour (test/servers/s3rver-dialect.ts), and
 * what the driver does on a server that ignores some conditions (Ceph RGW 16.2's, imitated).
 */
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import { clearDialectCache, probeS3Dialect } from '../../src/backends/s3/dialect-probe.js';
import {
  dialectCapabilities,
  formatS3Dialect,
  parseS3Dialect,
  S3_DIALECTS,
  type S3Dialect,
} from '../../src/backends/s3/dialect.js';
import { resolveS3Location } from '../../src/backends/s3/url.js';
import { parseStoreUrl } from '../../src/vfs/url.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { startS3rver, S3RVER_CREDENTIALS, type DialectSwitches, type S3rverHandle } from '../servers/s3rver.js';
import { rejection } from '../helpers/index.js';

let server: S3rverHandle;
let counter = 0;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['dialect'] });
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  await server.setDialect(undefined);
  await server.clearFaults();
});

const options = (s3: OpenVfsOptions['s3'] = {}): OpenVfsOptions => ({
  env: {},
  s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, ...s3 },
});
const freshUrl = () => `s3://dialect/run-${++counter}`;

/** Ceph RGW 16.2 as measured (issue 32). */
const RGW: Partial<DialectSwitches> = {
  putIfMatch: 'unquoted',
  copy: 'ignore',
  complete: 'ignore',
  deleteIfMatch: 'ignore',
};

describe('spellings', () => {
  const cases: Array<[string, S3Dialect, string]> = [
    ['aws', S3_DIALECTS.aws, 'aws'],
    ['  AWS \n', S3_DIALECTS.aws, 'aws'],
    ['rgw', S3_DIALECTS.rgw, 'rgw'],
    ['none', S3_DIALECTS.none, 'none'],
    ['if-match=unquoted,put-if-none-match', S3_DIALECTS.rgw, 'rgw'],
    [' put-if-none-match ,  if-match = unquoted ', S3_DIALECTS.rgw, 'rgw'],
    ['if-match=ignored', S3_DIALECTS.none, 'none'],
    [
      'if-match=quoted, put-if-none-match, complete-if-none-match',
      { ...S3_DIALECTS.none, ifMatch: 'quoted', putIfNoneMatch: true, completeIfNoneMatch: true },
      'if-match=quoted, put-if-none-match, complete-if-none-match',
    ],
    [
      'delete-if-match,\tif-match=unquoted, copy-if-none-match',
      { ...S3_DIALECTS.none, ifMatch: 'unquoted', copyIfNoneMatch: true, deleteIfMatch: true },
      'if-match=unquoted, copy-if-none-match, delete-if-match',
    ],
  ];
  it.each(cases)('parses %j and prints it back', (text, dialect, printed) => {
    expect(parseS3Dialect(text)).toEqual(dialect);
    expect(formatS3Dialect(parseS3Dialect(text))).toBe(printed);
    expect(parseS3Dialect(printed)).toEqual(dialect);
  });

  it.each(['', 'aws2', 'if-match', 'if-match=maybe', 'put-if-none-match=yes', 'put-if-none-match, put-if-none-match'])(
    'refuses %j with InvalidArgument naming the spellings',
    (text) => {
      expect(() => parseS3Dialect(text)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    },
  );

  it('gives each dialect its capabilities', () => {
    expect(dialectCapabilities(S3_DIALECTS.aws)).toMatchObject({
      ifMatch: true,
      ifNoneMatch: true,
      deleteIfMatch: true,
    });
    expect(dialectCapabilities(S3_DIALECTS.rgw)).toMatchObject({
      ifMatch: true,
      ifNoneMatch: true,
      deleteIfMatch: false,
    });
    expect(dialectCapabilities(S3_DIALECTS.none)).toMatchObject({
      ifMatch: false,
      ifNoneMatch: false,
      deleteIfMatch: false,
    });
  });
});

describe('the default: aws on AWS, probe elsewhere', () => {
  const dialectOf = (url: string, opts: OpenVfsOptions) =>
    resolveS3Location(parseStoreUrl(url), { env: {}, ...opts }).dialect;
  it.each([
    ['s3://bkt', {}, S3_DIALECTS.aws],
    ['s3://bkt', { s3: { endpoint: 'https://s3.eu-west-1.amazonaws.com' } }, S3_DIALECTS.aws],
    ['s3://bkt', { s3: { endpoint: 'http://127.0.0.1:9000' } }, 'probe'],
    ['s3://bkt', { env: { S3_ENDPOINT: 'rgw.internal:7480' } }, 'probe'],
    ['do://bkt', { s3: { region: 'nyc3' } }, 'probe'],
    ['scw://bkt', { s3: { region: 'fr-par' } }, 'probe'],
    ['do://bkt', { s3: { region: 'nyc3', dialect: 'aws' } }, S3_DIALECTS.aws],
    ['s3://bkt', { s3: { dialect: 'probe' } }, 'probe'],
    ['s3://bkt', { s3: { endpoint: 'http://h', dialect: ' rgw ' } }, S3_DIALECTS.rgw],
    [
      's3://bkt',
      { s3: { endpoint: 'http://h' }, env: { STATESTORE_S3_DIALECT: 'if-match=unquoted, put-if-none-match' } },
      S3_DIALECTS.rgw,
    ],
    ['s3://bkt', { s3: { endpoint: 'http://h', dialect: { ...S3_DIALECTS.none } } }, S3_DIALECTS.none],
  ] as Array<[string, OpenVfsOptions, unknown]>)('%s %j -> %j', (url, opts, expected) => {
    expect(dialectOf(url, opts)).toEqual(expected);
  });

  it('refuses a bad dialect at open with InvalidArgument naming the option', () => {
    for (const dialect of ['awss', { ...S3_DIALECTS.aws, ifMatch: 'sometimes' }] as never[]) {
      const err = (() => {
        try {
          resolveS3Location(parseStoreUrl('s3://bkt'), { env: {}, s3: { dialect } });
        } catch (e) {
          return e as Error & { code: string };
        }
        return undefined;
      })();
      expect(err).toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('dialect') });
    }
  });
});

describe('the probe, one case per provider behaviour', () => {
  const probe = async () => (await probeS3Dialect(freshUrl(), options())).spelling;
  const cases: Array<[string, Partial<DialectSwitches>, string]> = [
    ['Amazon S3 as documented', {}, 'aws'],
    ['Ceph RGW 16.2', RGW, 'rgw'],
    [
      'no conditional writes at all',
      { putIfMatch: 'ignore', putIfNoneMatch: 'ignore', copy: 'ignore', complete: 'ignore', deleteIfMatch: 'ignore' },
      'none',
    ],
    [
      '501 NotImplemented to conditional PUTs',
      { putIfMatch: 'not-implemented', putIfNoneMatch: 'not-implemented' },
      'copy-if-none-match, complete-if-none-match, delete-if-match',
    ],
    [
      'a quoted If-Match only, CopyObject ignoring its conditions',
      { copy: 'ignore' },
      'if-match=quoted, put-if-none-match, complete-if-none-match, delete-if-match',
    ],
    [
      'a completion ignoring its conditions',
      { complete: 'ignore' },
      'if-match=quoted, put-if-none-match, copy-if-none-match, delete-if-match',
    ],
    [
      'PutObject ignoring If-Match only',
      { putIfMatch: 'ignore' },
      'put-if-none-match, copy-if-none-match, complete-if-none-match, delete-if-match',
    ],
  ];
  it.each(cases)('%s: %j -> %s', async (_name, switches, spelled) => {
    await server.setDialect(switches);
    expect(await probe()).toBe(spelled);
  });

  it('leaves no scratch key behind, and asks again after a 409 ConditionalRequestConflict', async () => {
    await server.injectFault({ method: 'PUT', status: 409, code: 'ConditionalRequestConflict', times: 1 });
    const url = freshUrl();
    const result = await probeS3Dialect(url, options());
    expect(result.spelling).toBe('aws');
    const vfs = await openVfs(url, options({ dialect: 'aws' }));
    expect(await vfs.list({})).toMatchObject({ objects: [], prefixes: [] });
    await vfs.close();
  });

  it('fails clearly: 403 as PermissionDenied naming the option, InvalidRequest under SSE naming serverSideEncryption', async () => {
    await server.injectFault({ method: 'PUT', status: 403, code: 'AccessDenied', times: 1 });
    // The store opens (reads need no probe); its first conditional write probes, and fails so.
    const store = await openVfs(`do://dialect/run-${++counter}`, options({ region: 'us-east-1' }));
    const denied = await rejection(store.write('k', 'x', { ifNoneMatch: '*' }));
    await store.close();
    expect(denied.code).toBe('PermissionDenied');
    expect(denied.message).toContain('options.s3.dialect');
    await server.injectFault({ method: 'PUT', status: 400, code: 'InvalidRequest', times: 1 });
    const sse = await rejection(probeS3Dialect(freshUrl(), options({ serverSideEncryption: 'AES256' })));
    expect(sse.code).toBe('InvalidArgument');
    expect(sse.message).toContain('serverSideEncryption');
  });
});

describe('a store on a server that ignores some conditions (RGW-like)', () => {
  const openRgw = async () => {
    await server.setDialect(RGW);
    return openVfs(freshUrl(), options({ dialect: 'rgw' }));
  };

  it('sends If-Match unquoted: compare-and-swap works, a stale version is refused', async () => {
    const vfs = await openRgw();
    const v1 = await vfs.write('k', 'one');
    const v2 = await vfs.write('k', 'two', { ifMatch: v1.version });
    expect((await rejection(vfs.write('k', 'three', { ifMatch: v1.version }))).code).toBe('PreconditionFailed');
    expect(Buffer.from((await vfs.read('k', { ifMatch: v2.version })).body).toString()).toBe('two');
    await vfs.close();
  });

  it('keeps a create-only copy create-only with a conditional PutObject of the bytes', async () => {
    const vfs = await openRgw();
    await vfs.write('src', 'source');
    await vfs.write('dst', 'destination');
    await server.clearRequests();
    expect((await rejection(vfs.copy('src', 'dst', { ifNoneMatch: '*' }))).code).toBe('AlreadyExists');
    expect(Buffer.from((await vfs.read('dst')).body).toString()).toBe('destination');
    const sent = await server.requests();
    expect(sent.some((r) => r.headers['x-amz-copy-source'] !== undefined)).toBe(false);
    expect(sent.some((r) => r.method === 'PUT' && r.headers['if-none-match'] === '*')).toBe(true);
    const copied = await vfs.copy('src', 'fresh', { ifNoneMatch: '*' });
    expect(copied.size).toBe(6);
    expect(Buffer.from((await vfs.read('fresh')).body).toString()).toBe('source');
    await vfs.close();
  });

  it('stages a large create-only stream, refuses the second one, and leaves no scratch key', async () => {
    const vfs = await openRgw();
    const big = Buffer.alloc(11 * 1024 * 1024, 7);
    const chunks = () => Readable.from([big.subarray(0, 6 * 1024 * 1024), big.subarray(6 * 1024 * 1024)]);
    const written = await vfs.writeStream('big', chunks(), { ifNoneMatch: '*' });
    expect(written.size).toBe(big.length);
    expect((await rejection(vfs.writeStream('big', chunks(), { ifNoneMatch: '*' }))).code).toBe('AlreadyExists');
    const keys = [];
    for await (const info of vfs.listAll({})) keys.push(info.key);
    expect(keys).toEqual(['big']);
    await vfs.close();
  });

  it('refuses a conditional delete with Unsupported naming what the server ignores', async () => {
    const vfs = await openRgw();
    expect(vfs.capabilities.deleteIfMatch).toBe(false);
    const v = await vfs.write('k', 'x');
    const err = await rejection(vfs.delete('k', { ifMatch: v.version }));
    expect(err.code).toBe('Unsupported');
    expect(err.message).toContain('ignores If-Match on DeleteObject');
    expect(err.message).toContain('rgw');
    await vfs.close();
  });

  it('on a server that honours nothing, refuses every condition with Unsupported before any request', async () => {
    await server.setDialect({
      putIfMatch: 'ignore',
      putIfNoneMatch: 'ignore',
      copy: 'ignore',
      complete: 'ignore',
      deleteIfMatch: 'ignore',
    });
    const vfs = await openVfs(freshUrl(), options());
    expect(await vfs.loadCapabilities()).toMatchObject({ ifMatch: false, ifNoneMatch: false, deleteIfMatch: false });
    const v = await vfs.write('k', 'x');
    await server.clearRequests();
    expect((await rejection(vfs.write('k', 'y', { ifMatch: v.version }))).message).toContain(
      'ignores If-Match on PutObject',
    );
    expect((await rejection(vfs.write('n', 'y', { ifNoneMatch: '*' }))).code).toBe('Unsupported');
    expect(await server.requests()).toEqual([]);
    await vfs.close();
  });
});

describe('requests and messages', () => {
  it('retries a 409 ConditionalRequestConflict (AWS) and then writes', async () => {
    const vfs = await openVfs(freshUrl(), options({ dialect: 'aws' }));
    const v = await vfs.write('k', 'one');
    await server.injectFault({
      method: 'PUT',
      key: undefined,
      status: 409,
      code: 'ConditionalRequestConflict',
      times: 1,
    });
    await vfs.write('k', 'two', { ifMatch: v.version });
    expect(Buffer.from((await vfs.read('k')).body).toString()).toBe('two');
    await vfs.close();
  });

  it('refuses a key that the prefix pushes over 1,024 bytes, before any request', async () => {
    const vfs = await openVfs(`s3://dialect/${'p'.repeat(100)}`, options({ dialect: 'aws' }));
    await server.clearRequests();
    const err = await rejection(vfs.write(`a/${'k'.repeat(1000)}`, 'x'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('1024 bytes');
    expect(await server.requests()).toEqual([]);
    await vfs.close();
  });

  it('names serverSideEncryption when a write carrying it gets InvalidRequest', async () => {
    const vfs = await openVfs(freshUrl(), options({ dialect: 'aws', serverSideEncryption: 'AES256' }));
    await server.injectFault({ method: 'PUT', status: 400, code: 'InvalidRequest', times: 1 });
    const err = await rejection(vfs.write('k', 'x'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('serverSideEncryption to "none"');
    await vfs.close();
  });

  it('maps a throwing credentials provider and an empty one to Unauthenticated, not retried', async () => {
    for (const credentials of [
      () => Promise.reject(new Error('vault sealed')),
      () => Promise.resolve({} as { accessKeyId: string; secretAccessKey: string }),
    ]) {
      const vfs = await openVfs(freshUrl(), {
        env: {},
        s3: { endpoint: server.endpoint, credentials, dialect: 'aws' },
      });
      const err = await rejection(vfs.read('k'));
      expect(err).toMatchObject({ code: 'Unauthenticated', retryable: false });
      expect(err.message).toContain('options.s3.credentials');
      await vfs.close();
    }
  });
});

describe('the probe runs on the first conditional request, never for reads', () => {
  const probeRequests = async () =>
    (await server.requests()).filter((r) => (r.key ?? '').includes('.statestore-dialect-probe-'));

  it('reads, stats, lists and unconditional writes send no probe; the first conditional write does, once', async () => {
    clearDialectCache();
    await server.setDialect(RGW);
    await server.clearRequests();
    const vfs = await openVfs(freshUrl(), options());
    // Until then the store promises what every S3 server enforces: no conditions.
    expect(vfs.capabilities).toMatchObject({ ifMatch: false, ifNoneMatch: false, deleteIfMatch: false });
    const v1 = await vfs.write('k', 'one');
    expect(Buffer.from((await vfs.read('k', { ifMatch: v1.version })).body).toString()).toBe('one');
    expect((await vfs.stat('k')).size).toBe(3);
    expect((await vfs.list({})).objects.map((o) => o.key)).toEqual(['k']);
    await vfs.write('k', 'two');
    expect((await rejection(vfs.read('k', { ifMatch: v1.version }))).code).toBe('PreconditionFailed');
    expect(await probeRequests()).toEqual([]);
    const v2 = await vfs.stat('k');
    await Promise.all([vfs.write('k', 'three', { ifMatch: v2.version }), vfs.loadCapabilities()]);
    expect(vfs.capabilities).toMatchObject({ ifMatch: true, ifNoneMatch: true, deleteIfMatch: false });
    const probed = (await probeRequests()).length;
    expect(probed).toBeGreaterThan(10);
    expect((await rejection(vfs.write('k', 'four', { ifMatch: v1.version }))).code).toBe('PreconditionFailed');
    expect((await probeRequests()).length).toBe(probed);
    await vfs.close();
  });
});

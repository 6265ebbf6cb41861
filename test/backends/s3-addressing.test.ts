/**
 * How S3 stores address a bucket on real AWS, proven against servers here, on every request path
 * (the direct one on its own wire, `STATESTORE_S3_REQUESTS=http`, `=sdk`):
 *
 * - Virtual-hosted requests (`<bucket>.<endpoint host>`, what AWS gets from the direct path for a
 *   DNS-compatible bucket) to the run's Ceph RGW, whose `rgw dns name` makes it read the bucket
 *   from the Host (test/servers/rgw-cluster.ts), over http and over https (a TLS proxy whose
 *   certificate names `*.<dns name>`). The name resolves only through the forward proxy
 *   (test/servers/forward-proxy.ts sends every host to 127.0.0.1), so each request is seen there.
 *   RGW checks each SigV4 signature over the Host it got: a request signed for another Host fails.
 * - AWS's answers to a request signed for another region than the bucket's (301 PermanentRedirect,
 *   400 AuthorizationHeaderMalformed, 307 TemporaryRedirect), which no server here sends: a front
 *   before RGW imitates them as AWS documents them (test/servers/region-front.ts cites the pages).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { clearRegionCache } from '../../src/backends/s3/client.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { S3_REQUEST_MODES, withS3Requests } from '../helpers/s3-requests.js';
import { openedTunnel, startForwardProxy, type ForwardProxy } from '../servers/forward-proxy.js';
import { startRegionFront, type RegionAnswer, type RegionFront } from '../servers/region-front.js';
import { RGW_DNS_NAME, type RgwHandle } from '../servers/rgw.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { startTlsProxy, throwawayCa, type TlsProxy } from '../servers/tls-proxy.js';

const MODES = S3_REQUEST_MODES;
const VHOST_BUCKET = 'vhost-addressing';
const REGION_BUCKET = 'region-answers';
/** Where the front says REGION_BUCKET lives; the stores below are pinned elsewhere. */
const BUCKET_REGION = 'eu-west-1';

let rgw: RgwHandle;
let counter = 0;
const open: Vfs[] = [];

beforeAll(async () => {
  rgw = await sharedRgw();
  await Promise.all([rgw.createBucket(VHOST_BUCKET), rgw.createBucket(REGION_BUCKET)]);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((vfs) => vfs.close()));
});

/** Runs `body` with STATESTORE_S3_REQUESTS set to `mode` (`direct`: unset), its stores closed after. */
const withRequests = <T>(mode: string, body: () => Promise<T>): Promise<T> =>
  withS3Requests(mode, body, () => Promise.all(open.splice(0).map((vfs) => vfs.close())));

async function store(url: string, options: Parameters<typeof openVfs>[1]): Promise<Vfs> {
  const vfs = await openVfs(url, options);
  open.push(vfs);
  return vfs;
}

const text = async (vfs: Vfs, key: string) => Buffer.from((await vfs.read(key)).body).toString();
const keys = async (vfs: Vfs, prefix: string) => (await vfs.list({ prefix })).objects.map((object) => object.key);

/**
 * What one addressing writes, copies and deletes, the other reads and lists: the same prefix of
 * VHOST_BUCKET through `hosted` (virtual-hosted) and `pathStyle`.
 */
async function crossAddressing(hosted: Vfs, pathStyle: Vfs): Promise<void> {
  await hosted.write('a/one', 'one');
  await pathStyle.write('a/two', 'two');
  expect([await text(pathStyle, 'a/one'), await text(hosted, 'a/two')]).toEqual(['one', 'two']);
  // CopyObject's x-amz-copy-source is `/<bucket>/<key>` whichever way the request is addressed.
  await hosted.copy('a/two', 'a/three');
  await pathStyle.copy('a/one', 'a/four');
  expect([await text(pathStyle, 'a/three'), await text(hosted, 'a/four')]).toEqual(['two', 'one']);
  const all = ['a/four', 'a/one', 'a/three', 'a/two'];
  expect([await keys(hosted, 'a/'), await keys(pathStyle, 'a/')]).toEqual([all, all]);
  expect(await keys(hosted, 'a/t')).toEqual(['a/three', 'a/two']);
  await hosted.delete('a/one');
  await pathStyle.delete('a/two');
  expect((await rejection(pathStyle.stat('a/one'))).code).toBe('NotFound');
  expect((await rejection(hosted.read('a/two'))).code).toBe('NotFound');
  const left = ['a/four', 'a/three'];
  expect([await keys(hosted, 'a/'), await keys(pathStyle, 'a/')]).toEqual([left, left]);
  // A key whose path needs encoding: signed the same over either host.
  const odd = 'b/odd key+%é~=&';
  await hosted.write(odd, 'odd');
  expect([await text(pathStyle, odd), await keys(hosted, 'b/')]).toEqual(['odd', [odd]]);
  await hosted.copy(odd, `${odd}2`);
  await pathStyle.delete(odd);
  expect([await text(hosted, `${odd}2`), await keys(pathStyle, 'b/')]).toEqual(['odd', [`${odd}2`]]);
}

describe('virtual-hosted addressing (Ceph RGW with rgw dns name)', () => {
  let proxy: ForwardProxy;
  let tls: TlsProxy;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'statestore-addressing-'));
    const ca = throwawayCa('statestore addressing test CA');
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certificate);
    // As AWS's certificate names *.s3.<region>.amazonaws.com: the bucket's host is checked against
    // the wildcard (without it, the https tests below fail ERR_TLS_CERT_ALTNAME_INVALID).
    [proxy, tls] = await Promise.all([
      startForwardProxy(),
      startTlsProxy(rgw.endpoint, ca.serverIdentity([RGW_DNS_NAME, `*.${RGW_DNS_NAME}`])),
    ]);
  });

  afterAll(async () => {
    await Promise.all([proxy?.stop(), tls?.stop()]);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const port = () => new URL(rgw.endpoint).port;
  const tlsPort = () => new URL(tls.endpoint).port;

  /** The same prefix of VHOST_BUCKET, virtual-hosted (through the proxy) and path-style (direct to 127.0.0.1). */
  async function stores(prefix: string, scheme: 'http' | 'https'): Promise<{ hosted: Vfs; pathStyle: Vfs }> {
    const url = `s3://${VHOST_BUCKET}/${prefix}`;
    const hosted = await store(url, {
      env: scheme === 'http' ? { HTTP_PROXY: proxy.url } : { HTTPS_PROXY: proxy.url, AWS_CA_BUNDLE: caFile },
      s3: {
        ...rgw.s3,
        endpoint: scheme === 'http' ? `http://${RGW_DNS_NAME}:${port()}` : `https://${RGW_DNS_NAME}:${tlsPort()}`,
        forcePathStyle: false,
        dialect: 'aws',
      },
    });
    const pathStyle = await store(url, { env: {}, s3: { ...rgw.s3, dialect: 'aws' } });
    return { hosted, pathStyle };
  }

  it.each(MODES)(
    '%s, http: each request names the bucket in the host, the key and the listing prefix in the path and query',
    async (mode) => {
      const prefix = `p${++counter}`;
      const before = proxy.log().length;
      await withRequests(mode, async () => {
        const { hosted, pathStyle } = await stores(prefix, 'http');
        await crossAddressing(hosted, pathStyle);
      });
      // Requests in absolute form: the proxy saw each one's host, path and query.
      const targets = proxy
        .log()
        .slice(before)
        .map((entry) => new URL(entry.target));
      expect(targets.length).toBeGreaterThanOrEqual(9);
      for (const target of targets) {
        expect(target.host).toBe(`${VHOST_BUCKET}.${RGW_DNS_NAME}:${port()}`);
        expect(target.pathname.startsWith(`/${VHOST_BUCKET}`)).toBe(false);
      }
      // Listings are the bucket's root with the store's prefix in the query; keys are under it.
      const listings = targets.filter((target) => target.searchParams.get('list-type') === '2');
      expect(listings.map((target) => [target.pathname, target.searchParams.get('prefix')])).toContainEqual([
        '/',
        `${prefix}/a/t`,
      ]);
      const objects = targets.filter((target) => target.pathname !== '/').map((target) => target.pathname);
      expect(objects).toContain(`/${prefix}/a/one`);
      expect(objects.every((pathname) => pathname.startsWith(`/${prefix}/`))).toBe(true);
      expect(objects).toContain(`/${prefix}/b/odd%20key%2B%25%C3%A9~%3D%26`);
    },
    60_000,
  );

  it.each(MODES)(
    "%s, https: a CONNECT tunnel to the bucket's host, its certificate checked for that name, as on AWS",
    async (mode) => {
      const before = proxy.log().length;
      await withRequests(mode, async () => {
        const { hosted, pathStyle } = await stores(`p${++counter}`, 'https');
        await crossAddressing(hosted, pathStyle);
      });
      const seen = proxy.log().slice(before);
      expect(seen.length).toBeGreaterThanOrEqual(1);
      for (const entry of seen)
        expect(entry).toEqual(openedTunnel(`${VHOST_BUCKET}.${RGW_DNS_NAME}:${tlsPort()}`, undefined));
    },
    60_000,
  );
});

describe("AWS's answers to a request signed for another region (a front imitating them before RGW)", () => {
  let front: RegionFront;

  beforeAll(async () => {
    front = await startRegionFront(rgw.endpoint, BUCKET_REGION, 'permanent');
  });

  afterAll(async () => {
    await front?.stop();
  });

  /** A store of REGION_BUCKET through the front, signing for `region` (undefined: asks the bucket). */
  const regionStore = (region: string | undefined) =>
    store(`s3://${REGION_BUCKET}/p${++counter}`, {
      env: {},
      s3: { ...rgw.s3, endpoint: front.endpoint, region, dialect: 'aws' },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });

  /** One call per request kind a move and a reader send: GET, HEAD, PUT, a listing, a copy, DELETE. */
  const calls: Array<[string, (vfs: Vfs) => Promise<unknown>]> = [
    ['read', (vfs) => vfs.read('k')],
    ['stat', (vfs) => vfs.stat('k')],
    ['write', (vfs) => vfs.write('k', 'v')],
    ['list', (vfs) => vfs.list({ prefix: 'a/' })],
    ['copy', (vfs) => vfs.copy('k', 'k2')],
    ['delete', (vfs) => vfs.delete('k')],
  ];

  const expected: Record<RegionAnswer, { code: string; says: string }> = {
    // The header (301, a HEAD's 400) or the document's Region (a 400 with a body) names the region.
    permanent: { code: 'InvalidArgument', says: `another region (${BUCKET_REGION}); set options.s3.region` },
    malformed: { code: 'InvalidArgument', says: `another region (${BUCKET_REGION}); set options.s3.region` },
    temporary: { code: 'Unavailable', says: 'temporary redirect' },
  };

  const cases = MODES.flatMap((mode) =>
    (['permanent', 'malformed', 'temporary'] as const).map((answer) => [mode, answer] as const),
  );

  it.each(cases)(
    '%s, %s: each request fails typed, naming the region when AWS does, asked once (no retry, no redirect followed)',
    async (mode, answer) => {
      front.configure(answer);
      await withRequests(mode, async () => {
        const vfs = await regionStore('us-west-2');
        for (const [name, call] of calls) {
          const before = front.received.length;
          const err = await rejection(call(vfs));
          expect([name, err.code]).toEqual([name, expected[answer].code]);
          expect(err.message).toContain(expected[answer].says);
          expect(err.message).toContain(`bucket "${REGION_BUCKET}"`);
          const asked = front.received.slice(before);
          expect([name, asked.length, asked[0]?.signedFor, asked[0]?.forwarded]).toEqual([name, 1, 'us-west-2', false]);
        }
      });
    },
  );

  it.each(MODES)('%s: signed for the bucket region, the same requests go through the front to RGW', async (mode) => {
    await withRequests(mode, async () => {
      const vfs = await regionStore(BUCKET_REGION);
      await vfs.write('k', 'v');
      await vfs.copy('k', 'a/k2');
      expect([await text(vfs, 'a/k2'), (await vfs.stat('k')).size, await keys(vfs, 'a/')]).toEqual(['v', 1, ['a/k2']]);
      await vfs.delete('k');
    });
  });

  it.each(['permanent', 'malformed'] as const)(
    'a store that names no region learns it from the %s answer to HeadBucket (as kops), then signs for it',
    async (answer) => {
      clearRegionCache();
      front.configure(answer);
      const before = front.received.length;
      await withRequests('direct', async () => {
        const vfs = await regionStore(undefined);
        await vfs.write('k', 'v');
        expect(await text(vfs, 'k')).toBe('v');
      });
      const asked = front.received.slice(before);
      expect(asked[0]).toEqual({
        method: 'HEAD',
        path: `/${REGION_BUCKET}/`,
        signedFor: 'us-east-1',
        forwarded: false,
      });
      expect(asked.slice(1).map((request) => [request.signedFor, request.forwarded])).toEqual([
        [BUCKET_REGION, true],
        [BUCKET_REGION, true],
      ]);
    },
  );

  it('a 307 to its HeadBucket (a new bucket, its name not yet propagated) is Unavailable, not a region remembered', async () => {
    clearRegionCache();
    front.configure('temporary');
    await withRequests('direct', async () => {
      const vfs = await regionStore(undefined);
      const err = await rejection(vfs.read('k'));
      expect([err.code, err.message]).toEqual([
        'Unavailable',
        expect.stringContaining('s3: find the region of bucket'),
      ]);
      expect(err.message).toContain('temporary redirect');
      // Once AWS answers with the region, the same store learns it: no us-east-1 was kept.
      front.configure('permanent');
      await vfs.write('k', 'v');
      expect(await text(vfs, 'k')).toBe('v');
    });
    const heads = front.received.filter(
      (request) => request.method === 'HEAD' && request.path === `/${REGION_BUCKET}/`,
    );
    expect(heads.slice(-2).map((request) => request.signedFor)).toEqual(['us-east-1', 'us-east-1']);
  });

  it.each(['permanent', 'malformed'] as const)(
    'a %s answer to its HeadBucket without x-amz-bucket-region fails typed (as kops), no us-east-1 guessed and kept',
    async (answer) => {
      clearRegionCache();
      front.configure(answer, { regionHeader: false });
      await withRequests('direct', async () => {
        const vfs = await regionStore(undefined);
        const err = await rejection(vfs.read('k'));
        expect([err.code, err.message]).toEqual([
          'InvalidArgument',
          expect.stringContaining(`s3: find the region of bucket "${REGION_BUCKET}"`),
        ]);
        expect(err.message).toContain('did not name it (no x-amz-bucket-region): set options.s3.region');
        // The next call asks again; once the answer names the region, the same store signs for it.
        front.configure(answer);
        await vfs.write('k', 'v');
        expect(await text(vfs, 'k')).toBe('v');
      });
      const heads = front.received.filter(
        (request) => request.method === 'HEAD' && request.path === `/${REGION_BUCKET}/`,
      );
      expect(heads.slice(-2).map((request) => request.signedFor)).toEqual(['us-east-1', 'us-east-1']);
      expect(front.received.at(-1)).toMatchObject({ signedFor: BUCKET_REGION, forwarded: true });
    },
  );
});

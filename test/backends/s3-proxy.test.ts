/**
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY for S3 stores, as Go's http.ProxyFromEnvironment reads
 * them (kops, rclone). First the choice of proxy alone (src/backends/common/proxy-env.ts), then
 * real requests through a forward proxy (test/servers/forward-proxy.ts) on every request path
 * (the direct one on its own wire, `STATESTORE_S3_REQUESTS=http`, `=sdk`): to s3rver over http
 * (requests in absolute form) and to the run's Ceph RGW behind a TLS proxy over https (a CONNECT
 * tunnel, TLS inside it). Endpoints are named `*.proxy.test`, a name only the forward proxy
 * resolves, so a request that did not go through it cannot succeed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { proxySettings } from '../../src/backends/common/proxy-env.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection, thrown } from '../helpers/index.js';
import { withS3Requests } from '../helpers/s3-requests.js';
import { openedTunnel, startForwardProxy, type ForwardProxy } from '../servers/forward-proxy.js';
import { startS3rver, S3RVER_CREDENTIALS, type S3rverHandle } from '../servers/s3rver.js';
import { RGW_DNS_NAME } from '../servers/rgw.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { startTlsProxy, throwawayCa, type TlsProxy } from '../servers/tls-proxy.js';
import { StateStoreError } from '../../src/errors.js';

type Env = Record<string, string | undefined>;

const invalid = (why: string) => new StateStoreError('InvalidArgument', why);

/** The proxy `env` chooses for a request, as `host:port` (or `direct`). */
function chosen(env: Env, url: string): string {
  const target = new URL(url);
  const scheme = target.protocol === 'https:' ? 'https' : 'http';
  const port = Number(target.port || (scheme === 'https' ? 443 : 80));
  const proxy = proxySettings(env, invalid)?.proxyFor(scheme, target.hostname, port);
  return proxy === undefined ? 'direct' : `${proxy.host}:${proxy.port}`;
}

describe('choosing the proxy as Go does', () => {
  it('takes HTTPS_PROXY for https, HTTP_PROXY for http, the upper-case name first, and http:// and port 80 when left out', () => {
    const both = { HTTPS_PROXY: 'secure.corp:3128', HTTP_PROXY: 'http://plain.corp' };
    expect(chosen(both, 'https://s3.amazonaws.com')).toBe('secure.corp:3128');
    expect(chosen(both, 'http://minio.corp:9000')).toBe('plain.corp:80');
    // Never one for the other (Go has no fallback from HTTPS_PROXY to HTTP_PROXY).
    expect(chosen({ HTTP_PROXY: 'plain.corp:1' }, 'https://s3.amazonaws.com')).toBe('direct');
    expect(chosen({ https_proxy: 'lower.corp:2' }, 'https://s3.amazonaws.com')).toBe('lower.corp:2');
    expect(chosen({ HTTPS_PROXY: 'upper.corp:1', https_proxy: 'lower.corp:2' }, 'https://x.com')).toBe('upper.corp:1');
    // An empty upper-case value is unset (Go's getEnvAny).
    expect(chosen({ HTTPS_PROXY: '', https_proxy: 'lower.corp:2' }, 'https://x.com')).toBe('lower.corp:2');
    expect(proxySettings({ NO_PROXY: 'x' }, invalid)).toBeUndefined();
  });

  it('never proxies localhost or loopback addresses', () => {
    const env = { HTTPS_PROXY: 'p:1', HTTP_PROXY: 'p:1' };
    for (const url of ['https://localhost:9000', 'http://127.0.0.1:9000', 'http://127.1.2.3', 'https://[::1]:443'])
      expect([url, chosen(env, url)]).toEqual([url, 'direct']);
  });

  it('reads NO_PROXY as Go: names with their subdomains, .suffixes, *.suffixes, IPs, CIDRs, ports and *', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'p:1', NO_PROXY: noProxy });
    const cases: Array<[string, string, string]> = [
      ['example.com', 'https://example.com', 'direct'],
      ['example.com', 'https://bucket.s3.example.com', 'direct'],
      ['example.com', 'https://notexample.com', 'p:1'],
      ['.example.com', 'https://example.com', 'p:1'],
      ['.example.com', 'https://a.example.com', 'direct'],
      ['*.example.com', 'https://a.example.com', 'direct'],
      ['*.example.com', 'https://example.com', 'p:1'],
      ['example.com:443', 'https://example.com', 'direct'],
      ['example.com:8443', 'https://example.com', 'p:1'],
      ['example.com:8443', 'https://example.com:8443', 'direct'],
      ['10.1.2.3', 'https://10.1.2.3:9000', 'direct'],
      ['10.1.2.3:9000', 'https://10.1.2.3:9001', 'p:1'],
      ['10.0.0.0/8', 'https://10.200.0.1', 'direct'],
      ['10.0.0.0/8', 'https://11.0.0.1', 'p:1'],
      ['2001:db8::/32', 'https://[2001:db8::5]', 'direct'],
      ['[2001:db8::5]:443', 'https://[2001:db8::5]', 'direct'],
      ['2001:db8::5', 'https://[2001:db8:0::5]', 'direct'],
      ['*', 'https://anything.example', 'direct'],
      [' Other.org , EXAMPLE.com ', 'https://example.com', 'direct'],
      ['other.org', 'https://example.com', 'p:1'],
    ];
    for (const [noProxy, url, expected] of cases)
      expect([noProxy, url, chosen(env(noProxy), url)]).toEqual([noProxy, url, expected]);
    // The lower-case name when the upper-case one is unset.
    expect(chosen({ HTTPS_PROXY: 'p:1', no_proxy: 'example.com' }, 'https://example.com')).toBe('direct');
  });

  it('sends a proxy URL user as Basic credentials, never printing them; refuses proxies it cannot speak to', () => {
    const proxy = proxySettings({ HTTPS_PROXY: 'http://us%40er:pa%3Ass@proxy.corp:3128' }, invalid)!.https!;
    expect(proxy.authorization()).toBe(`Basic ${Buffer.from('us@er:pa:ss').toString('base64')}`);
    expect(proxy.display).toBe('http://proxy.corp:3128');
    expect(JSON.stringify(proxy)).not.toContain('pa');
    for (const value of ['socks5://proxy.corp:1080', 'https://proxy.corp:3128', 'http://']) {
      const err = thrown(() => proxySettings({ HTTPS_PROXY: value }, invalid));
      expect([value, err.code, err.message]).toEqual([
        value,
        'InvalidArgument',
        expect.stringMatching(/^HTTPS_PROXY: /),
      ]);
    }
  });
});

describe('requests through a forward proxy', () => {
  const USER = 'proxy-user';
  const PASSWORD = 'proxy-secret-9f3';
  const BUCKET = 'proxied';
  let s3rver: S3rverHandle;
  let proxy: ForwardProxy;
  let tls: TlsProxy;
  let rgw: Awaited<ReturnType<typeof sharedRgw>>;
  let caFile: string;
  let dir: string;
  let counter = 0;
  const open: Vfs[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'statestore-proxy-'));
    const ca = throwawayCa('statestore proxy test CA');
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certificate);
    [s3rver, proxy, rgw] = await Promise.all([
      startS3rver({ buckets: [BUCKET], pathStyleOnly: true }),
      startForwardProxy({ credentials: { user: USER, password: PASSWORD } }),
      sharedRgw(),
    ]);
    await rgw.createBucket(BUCKET);
    tls = await startTlsProxy(rgw.endpoint, ca.serverIdentity([RGW_DNS_NAME]));
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((vfs) => vfs.close()));
    proxy.configure({ credentials: { user: USER, password: PASSWORD } });
  });

  afterAll(async () => {
    await Promise.all([s3rver?.stop(), proxy?.stop(), tls?.stop()]);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const proxyUrl = (password = PASSWORD) => `http://${USER}:${password}@127.0.0.1:${proxy.port}`;
  const s3rverPort = () => new URL(s3rver.endpoint).port;
  const tlsPort = () => new URL(tls.endpoint).port;

  /** A store on a fresh prefix: s3rver over http, or RGW over https, with `env` as its environment. */
  async function store(server: 's3rver' | 'rgw', env: Env, maxAttempts = 3): Promise<Vfs> {
    const s3 =
      server === 's3rver'
        ? { endpoint: `http://s3.proxy.test:${s3rverPort()}`, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' }
        : { ...rgw.s3, endpoint: `https://${RGW_DNS_NAME}:${tlsPort()}` };
    const vfs = await openVfs(`s3://${BUCKET}/p${++counter}`, {
      env: server === 'rgw' ? { AWS_CA_BUNDLE: caFile, ...env } : env,
      s3: { ...s3, forcePathStyle: true, dialect: 'aws' },
      retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 5 },
    });
    open.push(vfs);
    return vfs;
  }

  /** Runs `body` with STATESTORE_S3_REQUESTS set to `mode` (`direct`: unset), its stores closed after. */
  const withRequests = <T>(mode: string, body: () => Promise<T>): Promise<T> =>
    withS3Requests(mode, body, () => Promise.all(open.splice(0).map((vfs) => vfs.close())));

  /** A write, a read, a copy, a listing and a delete: what a move and a reader send. */
  async function roundTrip(vfs: Vfs): Promise<unknown> {
    await vfs.write('cluster/config', 'spec: {}\n');
    await vfs.copy('cluster/config', 'cluster/config.bak');
    const read = Buffer.from((await vfs.read('cluster/config.bak')).body).toString();
    const listed = (await vfs.list({ prefix: 'cluster/' })).objects.map((object) => object.key);
    await vfs.delete('cluster/config.bak');
    return { read, listed };
  }

  const expected = { read: 'spec: {}\n', listed: ['cluster/config', 'cluster/config.bak'] };
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

  it.each(['direct', 'http', 'sdk'])(
    '%s: an http endpoint through HTTP_PROXY, in absolute form with the credentials, on kept-alive connections',
    async (mode) => {
      const before = proxy.log().length;
      const connectionsBefore = proxy.connections();
      const result = await withRequests(mode, async () => roundTrip(await store('s3rver', { HTTP_PROXY: proxyUrl() })));
      expect(result).toEqual(expected);
      const seen = proxy.log().slice(before);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      for (const entry of seen) {
        expect(entry).toMatchObject({ kind: 'forward', authorization: basic });
        expect(entry.target).toMatch(new RegExp(`^http://s3\\.proxy\\.test:${s3rverPort()}/${BUCKET}[/?]`));
      }
      expect(proxy.connections() - connectionsBefore).toBeLessThan(seen.length);
    },
  );

  it.each(['direct', 'http', 'sdk'])(
    '%s: an https endpoint through HTTPS_PROXY, TLS inside a CONNECT tunnel, its certificate checked by name',
    async (mode) => {
      const before = proxy.log().length;
      const result = await withRequests(mode, async () => roundTrip(await store('rgw', { HTTPS_PROXY: proxyUrl() })));
      expect(result).toEqual(expected);
      const seen = proxy.log().slice(before);
      expect(seen.length).toBeGreaterThanOrEqual(1);
      for (const entry of seen) expect(entry).toEqual(openedTunnel(`${RGW_DNS_NAME}:${tlsPort()}`, basic));
      // Keep-alive: fewer tunnels than the requests the TLS proxy carried.
      expect(seen.length).toBeLessThan(5);
    },
  );

  it('goes direct for NO_PROXY hosts and loopback endpoints, without asking the proxy', async () => {
    const before = proxy.log().length;
    // Loopback is never proxied: the store works with the proxy set.
    const loopback = await openVfs(`s3://${BUCKET}/p${++counter}`, {
      env: { HTTP_PROXY: proxyUrl() },
      s3: { endpoint: s3rver.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1', dialect: 'aws' },
    });
    open.push(loopback);
    await loopback.write('k', 'v');
    expect(Buffer.from((await loopback.read('k')).body).toString()).toBe('v');
    // A NO_PROXY host is asked for directly: the name only the proxy knows does not resolve.
    for (const noProxy of ['proxy.test', '.proxy.test', `s3.proxy.test:${s3rverPort()}`, '*']) {
      const vfs = await store('s3rver', { HTTP_PROXY: proxyUrl(), NO_PROXY: noProxy }, 1);
      const err = await rejection(vfs.read('k'));
      expect([noProxy, err.code, err.message]).toEqual([
        noProxy,
        'Unavailable',
        expect.stringMatching(/ENOTFOUND|EAI_AGAIN/),
      ]);
    }
    expect(proxy.log().slice(before)).toEqual([]);
  });

  it.each(['direct', 'http', 'sdk'])(
    '%s: a proxy that wants other credentials (407) is Unauthenticated, names the proxy without them, is asked once',
    async (mode) => {
      for (const server of ['s3rver', 'rgw'] as const) {
        const before = proxy.log().length;
        const variable = server === 'rgw' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
        const err = await withRequests(mode, async () =>
          rejection((await store(server, { [variable]: proxyUrl('wrong-password') })).read('k')),
        );
        expect([mode, server, err.code]).toEqual([mode, server, 'Unauthenticated']);
        expect(err.message).not.toContain('wrong-password');
        expect(err.message).not.toContain(USER);
        expect(err.message).toContain(`the proxy http://127.0.0.1:${proxy.port} (${variable}) refused`);
        expect(JSON.stringify(err)).not.toContain('wrong-password');
        expect(
          proxy
            .log()
            .slice(before)
            .map((entry) => entry.status),
        ).toEqual([407]);
      }
    },
  );

  it("a CONNECT refused with 403 is PermissionDenied at once; a 502 is Unavailable after the store's attempts", async () => {
    proxy.configure({ refuseConnect: 403 });
    let before = proxy.log().length;
    const denied = await rejection((await store('rgw', { HTTPS_PROXY: `127.0.0.1:${proxy.port}` })).read('k'));
    expect([denied.code, denied.message]).toEqual([
      'PermissionDenied',
      expect.stringContaining(
        `the proxy http://127.0.0.1:${proxy.port} (HTTPS_PROXY) refused to open a tunnel to ${RGW_DNS_NAME}:${tlsPort()}: CONNECT answered HTTP/1.1 403 Forbidden`,
      ),
    ]);
    expect(proxy.log().length - before).toBe(1);
    proxy.configure({ refuseConnect: 502 });
    before = proxy.log().length;
    const gateway = await rejection((await store('rgw', { HTTPS_PROXY: `127.0.0.1:${proxy.port}` }, 2)).read('k'));
    expect([gateway.code, gateway.retryable]).toEqual(['Unavailable', true]);
    expect(proxy.log().length - before).toBe(2);
  });

  it.each(['direct', 'http', 'sdk'])('%s: a proxy that cannot be reached is Unavailable, naming it', async (mode) => {
    const closed = await closedPort();
    for (const server of ['rgw', 's3rver'] as const) {
      const variable = server === 'rgw' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
      const err = await withRequests(mode, async () =>
        rejection((await store(server, { [variable]: `http://${USER}:${PASSWORD}@127.0.0.1:${closed}` }, 1)).read('k')),
      );
      expect([mode, server, err.code]).toEqual([mode, server, 'Unavailable']);
      // Every path says what failed: on the SDK's, sdk-proxy.ts keeps the socket error's code
      // (its retry step would turn an error of Node's realm, as under Jest, into a bare "Error").
      expect(err.message).toContain(
        `the endpoint could not be reached through the proxy http://127.0.0.1:${closed} (${variable}) (ECONNREFUSED)`,
      );
      expect(err.message).not.toContain('(Error)');
      expect(err.message).not.toContain(PASSWORD);
    }
  });

  it('gives up a tunnel still opening when its call is aborted, and when the store closes, its socket closed', async () => {
    // A proxy that accepts connections and never answers CONNECT.
    const accepted: net.Socket[] = [];
    const closes: Array<Promise<unknown>> = [];
    const silent = net.createServer((socket) => {
      accepted.push(socket);
      closes.push(new Promise((resolve) => socket.once('close', resolve)));
      // Read (and drop) the CONNECT, so that the client's end of the connection is seen.
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const vfs = await store('rgw', { HTTPS_PROXY: `127.0.0.1:${port}` });
      const controller = new AbortController();
      const reading = rejection(vfs.read('k', { signal: controller.signal }));
      while (accepted.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      expect((await reading).code).toBe('Aborted');
      await closes[0];
      // A store closed while a tunnel is opening: the tunnel's socket is closed with it.
      const pending = vfs.read('k').catch(() => undefined);
      while (accepted.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      await vfs.close();
      await closes[1];
      await pending;
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

/** A port on 127.0.0.1 nothing listens on (a server's, closed again). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

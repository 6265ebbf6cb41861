/**
 * A swift:// store behind the HTTP proxy of its environment (HTTP_PROXY / HTTPS_PROXY / NO_PROXY,
 * as kops's Go client reads them; Node 20's fetch reads none): its auth and object requests
 * through the forward proxy of test/servers/forward-proxy.ts to the real Swift. Swift is named
 * `swift.proxy.test`, which only that proxy resolves (it connects every name to 127.0.0.1), so a
 * request that went around the proxy fails instead of passing unseen; tempauth builds the storage
 * URL from the Host the auth request came to, so the object requests are named so too.
 * Run by swift.test.ts, on its Swift (swift-shared.ts): one start of Swift for all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import { setProxyConnectTimeout } from '../../src/backends/swift/http.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { openedTunnel, startForwardProxy, type ForwardProxy } from '../servers/forward-proxy.js';
import { freePorts } from '../servers/host.js';
import { SWIFT_USERS, type SwiftHandle } from '../servers/swift.js';
import { startTlsProxy, throwawayCa } from '../servers/tls-proxy.js';
import { startUnacceptingPort } from '../servers/unaccepting.js';
import { stopSwiftServer, swiftServer } from './swift-shared.js';
import type { SwiftTlsInput, SwiftTlsResult } from './swift-tls-child.js';
import { runTlsChild } from './tls-child-run.js';

const USER = 'proxy-user';
const PASSWORD = 'proxy-secret-51c';
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let server: SwiftHandle;
let proxy: ForwardProxy;
let counter = 0;
const open: Vfs[] = [];

beforeAll(async () => {
  [server, proxy] = await Promise.all([
    swiftServer(),
    startForwardProxy({ credentials: { user: USER, password: PASSWORD } }),
  ]);
}, 240_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((vfs) => vfs.close()));
});

afterAll(async () => {
  await proxy?.stop();
  await stopSwiftServer();
});

const swiftPort = () => new URL(server.endpoint).port;
/** Swift by the name only the forward proxy resolves. */
const proxiedSwift = () => `http://swift.proxy.test:${swiftPort()}`;
const proxyUrl = (password = PASSWORD) => `http://${USER}:${password}@127.0.0.1:${proxy.port}`;

/** Swift v1 auth (tempauth) at `swift` (default: by the proxy's name), and `extra` variables. */
function v1Env(extra: Record<string, string>, swift = proxiedSwift()): Record<string, string> {
  return { ...server.env, ST_AUTH: `${swift}/auth/v1.0`, ...extra };
}

/** A store on a fresh prefix of the `moves` container, with `env` as its environment. */
async function store(env: Record<string, string>): Promise<Vfs> {
  const vfs = await openVfs(`swift://moves/proxied-${++counter}`, {
    env,
    retry: { maxAttempts: 1 },
  });
  open.push(vfs);
  return vfs;
}

/** A token of the test user and the path of its account, asked of Swift directly (no proxy). */
async function token(): Promise<{ token: string; account: string }> {
  const answer = await fetch(server.authUrl, {
    headers: { 'X-Auth-User': SWIFT_USERS.tester.user, 'X-Auth-Key': SWIFT_USERS.tester.key },
  });
  await answer.arrayBuffer();
  return {
    token: answer.headers.get('x-auth-token')!,
    account: new URL(answer.headers.get('x-storage-url')!).pathname,
  };
}

describe('swift: requests through the HTTP proxy of the store environment', () => {
  it('sends the auth request and every object request to HTTP_PROXY in absolute form, with its credentials', async () => {
    expect(process.env['HTTP_PROXY'] ?? process.env['http_proxy'] ?? '').toBe('');
    const before = proxy.log().length;
    const connectionsBefore = proxy.connections();
    const vfs = await store(v1Env({ HTTP_PROXY: proxyUrl() }));
    await vfs.write('cluster/config', 'spec: {}\n');
    await vfs.writeStream('cluster/big', Readable.from([Buffer.from('a streamed '), Buffer.from('body\n')]));
    await vfs.copy('cluster/config', 'cluster/config.bak');
    const read = Buffer.from((await vfs.read('cluster/config.bak')).body).toString();
    const streamed = Buffer.concat(await (await vfs.readStream('cluster/big')).body.toArray()).toString();
    const size = (await vfs.stat('cluster/big')).size;
    const listed = (await vfs.list({ prefix: 'cluster/' })).objects.map((object) => object.key);
    await vfs.delete('cluster/config.bak');
    expect({ read, streamed, size, listed }).toEqual({
      read: 'spec: {}\n',
      streamed: 'a streamed body\n',
      size: 16,
      listed: ['cluster/big', 'cluster/config', 'cluster/config.bak'],
    });
    const seen = proxy.log().slice(before);
    // Every request reached the proxy with its credentials, none refused, in absolute form.
    expect(seen.filter((entry) => entry.kind !== 'forward' || entry.authorization !== basic)).toEqual([]);
    const requests = seen.map((entry) => `${entry.method} ${entry.target}`);
    const { account } = await token();
    const object = `${proxiedSwift()}${account}/moves/proxied-${counter}/cluster`;
    expect(requests).toEqual([
      `GET ${proxiedSwift()}/auth/v1.0`,
      `PUT ${object}/config`,
      `PUT ${object}/big`, // the streamed PUT (upload.ts)
      `PUT ${object}/config.bak`, // X-Copy-From, inside Swift
      `HEAD ${object}/config.bak`, // the copy's size, pinned to its ETag
      `GET ${object}/config.bak`,
      `GET ${object}/big`,
      `HEAD ${object}/big`,
      expect.stringMatching(new RegExp(`^GET ${proxiedSwift()}${account}/moves\\?`)),
      `DELETE ${object}/config.bak`,
    ]);
    // Kept-alive connections to the proxy: fewer than the requests.
    expect(proxy.connections() - connectionsBefore).toBeLessThan(seen.length);
  });

  it('sends a Keystone v3 request (a POST with its body) through HTTP_PROXY; loopback Swift directly', async () => {
    const { token: authToken, account } = await token();
    let asked: unknown;
    // A Keystone that accepts any password: the token tempauth issued, Swift on 127.0.0.1 in its catalog.
    const keystone = createServer((request, answer) => {
      const body: Buffer[] = [];
      request.on('data', (chunk: Buffer) => body.push(chunk));
      request.on('end', () => {
        const url = `${server.endpoint}${account}`;
        const catalog = [{ type: 'object-store', endpoints: [{ interface: 'public', region: 'RegionOne', url }] }];
        asked = JSON.parse(Buffer.concat(body).toString()) as unknown;
        answer.writeHead(201, { 'X-Subject-Token': authToken, 'Content-Type': 'application/json' });
        answer.end(JSON.stringify({ token: { catalog } }));
      });
    });
    await new Promise<void>((resolve) => keystone.listen(0, '127.0.0.1', resolve));
    try {
      const before = proxy.log().length;
      // Keystone by a name only the proxy resolves.
      const authUrl = `http://keystone.proxy.test:${(keystone.address() as { port: number }).port}/v3`;
      const vfs = await store({
        OS_AUTH_URL: authUrl,
        OS_USERNAME: 'demo',
        OS_PASSWORD: 'secret-password',
        OS_PROJECT_NAME: 'kops',
        OS_DOMAIN_NAME: 'Default',
        HTTP_PROXY: proxyUrl(),
      });
      await vfs.write('k', 'through keystone behind a proxy');
      expect(Buffer.from((await vfs.read('k')).body).toString()).toBe('through keystone behind a proxy');
      expect(proxy.log().slice(before)).toEqual([
        { kind: 'forward', method: 'POST', target: `${authUrl}/auth/tokens`, authorization: basic },
      ]);
      // The body arrived whole through the proxy.
      expect(asked).toMatchObject({
        auth: {
          identity: { methods: ['password'] },
          scope: { project: { name: 'kops', domain: { name: 'Default' } } },
        },
      });
    } finally {
      await new Promise((resolve) => keystone.close(resolve));
    }
  });

  it('goes direct for a NO_PROXY host and for loopback, without asking the proxy', async () => {
    const before = proxy.log().length;
    // Loopback is never proxied: the store works with the proxy set.
    const loopback = await store(v1Env({ HTTP_PROXY: proxyUrl() }, server.endpoint));
    await loopback.write('k', 'v');
    expect(Buffer.from((await loopback.read('k')).body).toString()).toBe('v');
    // A NO_PROXY host is asked for directly: the name only the proxy knows does not resolve.
    for (const noProxy of ['proxy.test', '.proxy.test', `swift.proxy.test:${swiftPort()}`, '*']) {
      const vfs = await store(v1Env({ HTTP_PROXY: proxyUrl(), NO_PROXY: noProxy }));
      const err = await rejection(vfs.read('k'));
      expect([noProxy, err.code, err.message]).toEqual([
        noProxy,
        'Unavailable',
        expect.stringMatching(/could not be reached \((ENOTFOUND|EAI_AGAIN)\)$/),
      ]);
    }
    expect(proxy.log().slice(before)).toEqual([]);
  });

  it('a proxy that wants other credentials (407) is Unauthenticated, names the proxy without them, is asked once', async () => {
    const { token: authToken, account } = await token();
    const cases = [
      // The auth request (tempauth), through HTTP_PROXY in absolute form.
      { env: v1Env({ HTTP_PROXY: proxyUrl('wrong-password') }), variable: 'HTTP_PROXY', call: 'read' },
      // A streamed PUT with a token obtained elsewhere (no auth request): upload.ts's own request.
      {
        env: {
          OS_STORAGE_URL: `${proxiedSwift()}${account}`,
          OS_AUTH_TOKEN: authToken,
          HTTP_PROXY: proxyUrl('wrong-password'),
        },
        variable: 'HTTP_PROXY',
        call: 'writeStream',
      },
      // An https storage URL: a CONNECT tunnel through HTTPS_PROXY, refused before any TLS.
      {
        env: {
          OS_STORAGE_URL: `https://swift.proxy.test:${swiftPort()}${account}`,
          OS_AUTH_TOKEN: authToken,
          HTTPS_PROXY: proxyUrl('wrong-password'),
        },
        variable: 'HTTPS_PROXY',
        call: 'read',
      },
    ];
    for (const { env, variable, call } of cases) {
      const before = proxy.log().length;
      const vfs = await store(env);
      const err = await rejection(
        call === 'read' ? vfs.read('k') : vfs.writeStream('k', Readable.from([Buffer.from('never sent')])),
      );
      const what = variable === 'HTTPS_PROXY' ? 'open a tunnel to' : 'forward the request to';
      const answer =
        variable === 'HTTPS_PROXY'
          ? 'CONNECT answered HTTP/1.1 407 Proxy Authentication Required'
          : 'HTTP 407 Proxy Authentication Required';
      expect([call, variable, err.code, err.retryable, err.message]).toEqual([
        call,
        variable,
        'Unauthenticated',
        false,
        `swift: ${call} "k": the proxy http://127.0.0.1:${proxy.port} (${variable}) refused to ${what} swift.proxy.test:${swiftPort()}: ${answer} (the proxy's user and password are in its URL)`,
      ]);
      expect(JSON.stringify(err) + err.message).not.toMatch(/wrong-password|proxy-user/);
      expect(
        proxy
          .log()
          .slice(before)
          .map((entry) => [entry.kind, entry.status]),
      ).toEqual([[variable === 'HTTPS_PROXY' ? 'connect' : 'forward', 407]]);
    }
  });

  it('reaches an https:// storage URL through HTTPS_PROXY: TLS inside a CONNECT tunnel, the CA trusted by NODE_EXTRA_CA_CERTS', async () => {
    const ca = throwawayCa('statestore swift proxy test CA');
    const tls = await startTlsProxy(server.endpoint, ca.serverIdentity(['swift.proxy.test']));
    const dir = mkdtempSync(path.join(tmpdir(), 'statestore-swift-proxy-'));
    try {
      const caFile = path.join(dir, 'ca.pem');
      writeFileSync(caFile, ca.certificate);
      const { token: authToken, account } = await token();
      const tlsPort = new URL(tls.endpoint).port;
      const before = proxy.log().length;
      const input: SwiftTlsInput = {
        url: `swift://moves/proxied-${++counter}`,
        env: {
          OS_STORAGE_URL: `https://swift.proxy.test:${tlsPort}${account}`,
          OS_AUTH_TOKEN: authToken,
          HTTPS_PROXY: proxyUrl(),
        },
      };
      // In a process of its own, which trusts the CA as a user does (NODE_EXTRA_CA_CERTS).
      const result = await runTlsChild<SwiftTlsResult>('test/backends/swift-tls-child.ts', {
        NODE_EXTRA_CA_CERTS: caFile,
        STATESTORE_TLS_TEST: JSON.stringify(input),
      });
      expect(result).toEqual({
        ok: { read: ['through the tunnel', 'streamed through the tunnel'], listed: ['streamed', 'whole'] },
      });
      const seen = proxy.log().slice(before);
      expect(seen.length).toBeGreaterThanOrEqual(1);
      for (const entry of seen) expect(entry).toEqual(openedTunnel(`swift.proxy.test:${tlsPort}`, basic));
      // Kept-alive tunnels: fewer than the requests the TLS proxy carried (six at least).
      expect(seen.length).toBeLessThan(tls.requests().total);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await tls.stop();
    }
  });

  it('a proxy that cannot be reached is Unavailable, naming it and what failed', async () => {
    const [closed] = await freePorts(1);
    const vfs = await store(v1Env({ HTTP_PROXY: `http://${USER}:${PASSWORD}@127.0.0.1:${closed}` }));
    const err = await rejection(vfs.read('k'));
    expect([err.code, err.message]).toEqual([
      'Unavailable',
      `swift: read "k": the Swift endpoint could not be reached through the proxy http://127.0.0.1:${closed} (HTTP_PROXY) (ECONNREFUSED)`,
    ]);
  });

  it('a proxy to which no connection is made in time is Unavailable, naming it without credentials (http and https)', async () => {
    const { token: authToken, account } = await token();
    const silent = await startUnacceptingPort();
    // The connect timeout the stores opened below get (10 s by default): the outcome, not the wait, is tested.
    const previous = setProxyConnectTimeout(200);
    try {
      const at = `http://${USER}:${PASSWORD}@127.0.0.1:${silent.port}`;
      const storage = { OS_STORAGE_URL: `${proxiedSwift()}${account}`, OS_AUTH_TOKEN: authToken };
      const cases = [
        // The auth request (tempauth) through HTTP_PROXY in absolute form (fetch's path in http.ts).
        { env: v1Env({ HTTP_PROXY: at }), variable: 'HTTP_PROXY', call: 'read' },
        // upload.ts's streamed PUT, its own request to the proxy.
        { env: { ...storage, HTTP_PROXY: at }, variable: 'HTTP_PROXY', call: 'writeStream' },
        // An https storage URL: the CONNECT tunnel through HTTPS_PROXY.
        {
          env: {
            OS_STORAGE_URL: `https://swift.proxy.test:${swiftPort()}${account}`,
            OS_AUTH_TOKEN: authToken,
            HTTPS_PROXY: at,
          },
          variable: 'HTTPS_PROXY',
          call: 'read',
        },
      ];
      for (const { env, variable, call } of cases) {
        const vfs = await store(env);
        const err = await rejection(
          call === 'read' ? vfs.read('k') : vfs.writeStream('k', Readable.from([Buffer.from('never sent')])),
        );
        expect([call, variable, err.code, err.message]).toEqual([
          call,
          variable,
          'Unavailable',
          `swift: ${call} "k": the Swift endpoint could not be reached through the proxy http://127.0.0.1:${silent.port} (${variable}) (timed out)`,
        ]);
        expect(JSON.stringify(err) + err.message).not.toMatch(/proxy-secret|proxy-user/);
      }
    } finally {
      setProxyConnectTimeout(previous);
      await silent.stop();
    }
  });

  it('refuses a proxy variable that is no http:// proxy URL when the store opens (InvalidArgument)', async () => {
    const err = await rejection(store(v1Env({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' })));
    expect([err.code, err.message]).toEqual([
      'InvalidArgument',
      'swift: HTTPS_PROXY: socks5:// proxies are not supported (use an http:// proxy)',
    ]);
  });
});

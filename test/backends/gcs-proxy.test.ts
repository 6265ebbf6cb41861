/**
 * A `gs://` store behind the HTTP proxy of its own environment (`options.env`, not process.env):
 * the Google SDK's transports read process.env alone, so the store hands them the proxy. Through
 * the forward proxy of test/servers/forward-proxy.ts to the GCS emulator, named by a host only the
 * proxy can reach (it connects every request to 127.0.0.1), so a request that went around the
 * proxy would fail rather than pass unseen.
 */
import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import { Readable } from 'node:stream';
import type { StateStoreError } from '../../src/errors.js';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { startForwardProxy, type ForwardProxy } from '../servers/forward-proxy.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';

const USER = 'svc-kops';
const PASSWORD = 's3cr@t';
let server: GcsEmulatorHandle;
let proxy: ForwardProxy;
let counter = 0;
const open: Vfs[] = [];

beforeAll(async () => {
  [server, proxy] = await Promise.all([
    startGcsEmulator(),
    startForwardProxy({ credentials: { user: USER, password: PASSWORD } }),
  ]);
}, 60_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((vfs) => vfs.close()));
});

afterAll(async () => {
  await Promise.all([proxy?.stop(), server?.stop()]);
});

const port = () => new URL(server.apiEndpoint).port;
const proxyUrl = () => `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${proxy.port}`;
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

async function store(apiEndpoint: string, env: Record<string, string>): Promise<Vfs> {
  const vfs = await openVfs(`gs://proxied/run-${++counter}`, {
    env,
    gcs: { apiEndpoint, projectId: server.projectId, resumableThreshold: 4 },
    retry: { maxAttempts: 1 },
  });
  open.push(vfs);
  return vfs;
}

it('sends API calls, downloads and resumable uploads through HTTP_PROXY of options.env, with its credentials', async () => {
  expect(process.env['HTTP_PROXY'] ?? process.env['http_proxy'] ?? '').toBe('');
  const before = proxy.log().length;
  const vfs = await store(`http://gcs.proxy.test:${port()}`, { HTTP_PROXY: proxyUrl() });
  await vfs.write('cluster/config', 'spec: {}\n');
  await vfs.writeStream('cluster/big', Readable.from([Buffer.from('a resumable body\n')]));
  const read = Buffer.from((await vfs.read('cluster/config')).body).toString();
  const streamed = await (await vfs.readStream('cluster/big')).body.toArray();
  const listed = (await vfs.list({ prefix: 'cluster/' })).objects.map((object) => object.key);
  await vfs.delete('cluster/config');
  expect({ read, streamed: Buffer.concat(streamed).toString(), listed }).toEqual({
    read: 'spec: {}\n',
    streamed: 'a resumable body\n',
    listed: ['cluster/big', 'cluster/config'],
  });
  const entries = proxy.log().slice(before);
  // Every request reached the proxy with its credentials, and none was refused.
  expect(entries.filter((entry) => entry.authorization !== basic || (entry.status ?? 200) !== 200)).toEqual([]);
  // JSON API calls and downloads (teeny-request) in absolute form to the endpoint's own name;
  // uploads (gaxios, whose proxy agent tunnels even to an http:// endpoint) in CONNECT tunnels.
  const forwarded = entries
    .filter((entry) => entry.kind === 'forward')
    .map((entry) => `${entry.method} ${entry.target}`);
  const endpoint = `http://gcs.proxy.test:${port()}/storage/v1/b/proxied/o`;
  expect(forwarded).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^GET ${endpoint}/run-\\d+%2Fcluster%2Fbig\\?alt=media&generation=\\d+$`)),
      `GET ${endpoint}?prefix=run-${counter}%2Fcluster%2F`,
      `DELETE ${endpoint}/run-${counter}%2Fcluster%2Fconfig?`,
    ]),
  );
  const tunnels = entries.filter((entry) => entry.kind === 'connect').map((entry) => entry.target);
  expect(tunnels.length).toBeGreaterThanOrEqual(2); // the one-shot write, the resumable session
  expect(new Set(tunnels)).toEqual(new Set([`gcs.proxy.test:${port()}`]));
});

it('goes direct for a loopback endpoint and for a NO_PROXY host, as S3 stores do', async () => {
  const before = proxy.log().length;
  const loopback = await store(server.apiEndpoint, { HTTP_PROXY: proxyUrl() });
  await loopback.write('cluster/config', 'spec: {}\n');
  expect(Buffer.from((await loopback.read('cluster/config')).body).toString()).toBe('spec: {}\n');
  // The name only the proxy resolves: reached directly, it is not found (a network failure).
  const excluded = await store(`http://gcs.proxy.test:${port()}`, { HTTP_PROXY: proxyUrl(), NO_PROXY: '.proxy.test' });
  await expect(excluded.read('cluster/config')).rejects.toMatchObject({ code: 'Unavailable' });
  expect(proxy.log().length).toBe(before);
});

it('names the proxy, never its credentials, when it wants other ones (407) and when it cannot be reached', async () => {
  const refusing = await store(`http://gcs.proxy.test:${port()}`, {
    HTTP_PROXY: `http://${USER}:wrong-password@127.0.0.1:${proxy.port}`,
  });
  const refused = await rejection(refusing.read('cluster/config'));
  expect([refused.code, refused.message]).toEqual([
    'Unauthenticated',
    `gcs: stat "cluster/config": the proxy http://127.0.0.1:${proxy.port} (HTTP_PROXY) refused the request (HTTP 407; its user and password are in its URL)`,
  ]);
  const closed = await closedPort();
  const unreachable = await store(`http://gcs.proxy.test:${port()}`, {
    HTTP_PROXY: `http://${USER}:${PASSWORD}@127.0.0.1:${closed}`,
  });
  const failed = await rejection(unreachable.read('cluster/config'));
  expect([failed.code, failed.message]).toEqual([
    'Unavailable',
    expect.stringContaining(`through the proxy http://127.0.0.1:${closed} (HTTP_PROXY)`),
  ]);
  expect(JSON.stringify([refused, failed]) + refused.message + failed.message).not.toMatch(/wrong-password|s3cr/);
});

/** The error `pending` rejects with (a resolution fails the test). */
function rejection(pending: Promise<unknown>): Promise<StateStoreError> {
  return pending.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as StateStoreError,
  );
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

it('refuses a proxy variable that is no http:// proxy URL when the store opens (InvalidArgument)', async () => {
  await expect(
    store(`http://gcs.proxy.test:${port()}`, { HTTP_PROXY: 'socks5://127.0.0.1:1080' }),
  ).rejects.toMatchObject({
    code: 'InvalidArgument',
    message: expect.stringContaining('HTTP_PROXY: socks5:// proxies are not supported'),
  });
});

it("sends a service account's token request through the proxy of options.env, not process.env's", async () => {
  // Another proxy in process.env, which gaxios would take for the token request by itself.
  const other = await startForwardProxy();
  const before = { HTTPS_PROXY: process.env['HTTPS_PROXY'], https_proxy: process.env['https_proxy'] };
  process.env['HTTPS_PROXY'] = other.url;
  try {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const logged = proxy.log().length;
    // Google's own endpoints (no apiEndpoint): the token first, from www.googleapis.com. The
    // forward proxy connects every name to 127.0.0.1, where nothing answers on 443: the request
    // fails after the proxy saw it, and nothing reaches Google.
    const vfs = await openVfs(`gs://proxied/run-${++counter}`, {
      env: { HTTPS_PROXY: proxyUrl() },
      gcs: {
        projectId: 'kops-project',
        credentials: { client_email: 'kops@kops-project.iam.gserviceaccount.com', private_key: privateKey },
      },
      retry: { maxAttempts: 1 },
    });
    open.push(vfs);
    const failed = await rejection(vfs.read('cluster/config'));
    expect(failed.code).toBe('Unavailable');
    // google-auth-library tries the token request more than once; each went to the store's proxy.
    const seen = proxy.log().slice(logged);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (const entry of seen)
      expect(entry).toMatchObject({ kind: 'connect', target: 'www.googleapis.com:443', authorization: basic });
    expect(other.log()).toEqual([]);
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await other.stop();
  }
});

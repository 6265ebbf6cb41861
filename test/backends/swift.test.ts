/**
 * The swift:// backend against a real OpenStack Swift (the Debian packages, started once for this
 * file by test/servers/swift.ts: memcached, account/container/object servers and a tempauth
 * proxy): the conformance suite, what Swift cannot enforce refused before any I/O, errors and
 * server-side copies; and, from swift-store.cases.ts on the same Swift (swift-shared.ts), the
 * store on it (merges, leases, doctor), and from swift-proxy.cases.ts its requests through an HTTP
 * proxy of the store's environment. Without the packages every test here fails, saying how to
 * install them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { runConformance } from '../conformance/suite.js';
import { errorCode } from '../helpers/index.js';
import { createServer, type Server } from 'node:http';
import { moveStateStore } from '../../src/migrate/index.js';
import { startConnectionCounter, type ConnectionCounter } from '../servers/connection-counter.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { SWIFT_USERS, type SwiftHandle } from '../servers/swift.js';
import { treeFiles, TREES } from '../store/trees.js';
import { stopSwiftServer, swiftServer } from './swift-shared.js';
// The store on Swift (mergeConfig, leases, doctor), on this file's Swift: one start for both.
import './swift-store.cases.js';
// Its auth and object requests through an HTTP proxy of the store's environment.
import './swift-proxy.cases.js';

let server: SwiftHandle;
let s3: S3rverHandle;
/** Between the driver and Swift's proxy server: counts the connections the stores leave. */
let counter = 0;
let connections: ConnectionCounter;

beforeAll(async () => {
  [server, s3] = await Promise.all([swiftServer(), startS3rver({ buckets: ['moves'] })]);
  connections = await startConnectionCounter(server.endpoint);
}, 240_000);

afterAll(async () => {
  await connections?.stop();
  await Promise.all([stopSwiftServer(), s3?.stop()]);
});

/**
 * The environment with the counting proxy in place of Swift's address: tempauth builds the storage
 * URL from the Host the request came to, so every request then goes through the proxy.
 */
function countedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(server.env).map(([name, value]) => [name, value.replace(server.endpoint, connections.endpoint)]),
  );
}

function open(url: string, env: Record<string, string> = server.env): Promise<Vfs> {
  return openVfs(url, { env });
}

/** A store that claims create-if-absent, as kops's swiftfs does (checked as the write arrives). */
function bestEffort(url: string): Promise<Vfs> {
  return openVfs(url, { env: server.env, swift: { createIfAbsent: 'best-effort' } } as Parameters<typeof openVfs>[1]);
}

runConformance({
  name: 'swift',
  // A container per case, the store at its root: Swift's 1024-byte object names then hold the
  // suite's longest key (under a prefix they could not).
  open: async () => {
    const container = `conformance-${++counter}`;
    await server.createContainer(container);
    return open(`swift://${container}`, countedEnv());
  },
  connections: () => connections.count(),
  transferred: () => connections.transferred(),
});

describe('swift: what Swift cannot enforce is refused before any I/O', () => {
  it('says so in its capabilities: server-side copy and MD5s, no compare-and-swap, no atomic create', async () => {
    const vfs = await open(`swift://conformance/caps-${++counter}`);
    expect(vfs.capabilities).toEqual({
      ifMatch: false,
      ifNoneMatch: false,
      deleteIfMatch: false,
      serverSideCopy: true,
      md5: true,
    });
    expect(await errorCode(vfs.write('a', 'x', { ifNoneMatch: '*' }))).toBe('Unsupported');
    expect(await errorCode(vfs.stat('a'))).toBe('NotFound');
    await vfs.close();
  });

  it('claims create-if-absent only when asked for best effort, refusing a key that exists', async () => {
    const vfs = await bestEffort(`swift://conformance/best-${++counter}`);
    expect(vfs.capabilities).toMatchObject({ ifMatch: false, ifNoneMatch: true });
    await vfs.write('k', 'first', { ifNoneMatch: '*' });
    expect(await errorCode(vfs.write('k', 'second', { ifNoneMatch: '*' }))).toBe('AlreadyExists');
    expect(await errorCode(vfs.writeStream('k', Readable.from([Buffer.from('third')]), { ifNoneMatch: '*' }))).toBe(
      'AlreadyExists',
    );
    await vfs.write('src', 'source', { contentType: 'text/plain' });
    // Swift applies a COPY's conditions to the source: this copy streams through a conditional PUT.
    expect(await errorCode(vfs.copy('src', 'k', { ifNoneMatch: '*' }))).toBe('AlreadyExists');
    expect(await vfs.copy('src', 'fresh', { ifNoneMatch: '*' })).toMatchObject({ key: 'fresh', size: 6 });
    expect((await vfs.stat('fresh')).contentType).toBe('text/plain');
    expect(Buffer.from((await vfs.read('k')).body).toString()).toBe('first');
    // Racing creators of one process take turns, as under kops's CreateFile lock: one wins.
    const racers = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => vfs.write('race', `writer-${i}`, { ifNoneMatch: '*' })),
    );
    const winners = racers.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(racers.filter((r) => r.status === 'rejected').map((r) => (r.reason as { code: string }).code)).toEqual(
      Array(9).fill('AlreadyExists'),
    );
    expect(Buffer.from((await vfs.read('race')).body).toString()).toBe(`writer-${winners[0]}`);
    await vfs.close();
  });

  it('refuses ifMatch on write, writeStream, copy and delete with Unsupported, changing nothing', async () => {
    const vfs = await open(`swift://conformance/cas-${++counter}`);
    const v1 = await vfs.write('a', 'one');
    expect(await errorCode(vfs.write('a', 'two', { ifMatch: v1.version }))).toBe('Unsupported');
    expect(await errorCode(vfs.writeStream('a', Readable.from([Buffer.from('two')]), { ifMatch: v1.version }))).toBe(
      'Unsupported',
    );
    expect(await errorCode(vfs.copy('a', 'b', { ifMatch: v1.version }))).toBe('Unsupported');
    expect(await errorCode(vfs.delete('a', { ifMatch: v1.version }))).toBe('Unsupported');
    expect(Buffer.from((await vfs.read('a')).body).toString()).toBe('one');
    expect(await errorCode(vfs.stat('b'))).toBe('NotFound');
    await vfs.close();
  });

  it('pins reads with ifMatch through If-Match on GET and HEAD', async () => {
    const vfs = await open(`swift://conformance/pin-${++counter}`);
    const v1 = await vfs.write('k', 'one');
    expect((await vfs.stat('k', { ifMatch: v1.version })).version).toBe(v1.version);
    await vfs.write('k', 'two');
    expect(await errorCode(vfs.readStream('k', { ifMatch: v1.version }))).toBe('PreconditionFailed');
    await vfs.delete('k');
    expect(await errorCode(vfs.read('k', { ifMatch: v1.version }))).toBe('PreconditionFailed');
    await vfs.close();
  });
});

describe('swift: errors', () => {
  it('maps wrong credentials to Unauthenticated without the key in the message', async () => {
    const vfs = await open('swift://conformance/x', { ...server.env, ST_KEY: 'not-the-key' });
    const err = await vfs.read('k').then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'Unauthenticated', backend: 'swift' });
    expect(err.message).not.toContain('not-the-key');
    expect(err.message).not.toContain('AUTH_');
    await vfs.close();
  });

  it('maps a missing container to NotFound naming it, on list and write', async () => {
    const vfs = await open('swift://no-such-container/p');
    for (const call of [() => vfs.list(), () => vfs.write('k', 'x')]) {
      const err = await call().then(
        () => new Error('resolved'),
        (e: unknown) => e as Error,
      );
      expect(err).toMatchObject({ code: 'NotFound' });
      expect(err.message).toContain('container "no-such-container" does not exist');
      expect(err.message).not.toContain(SWIFT_USERS.tester.key);
    }
    await vfs.close();
  });

  it('refuses to open without credentials, naming the variables kops reads', async () => {
    const err = await openVfs('swift://conformance/p', { env: {} }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'Unauthenticated' });
    expect(err.message).toContain('OS_AUTH_URL');
  });

  it('refuses credentials in the URL with InvalidArgument, without echoing them', async () => {
    const err = await openVfs('swift://user:secret@conformance/p', { env: server.env }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'InvalidArgument' });
    expect(err.message).not.toContain('secret');
  });
});

describe('swift: server-side copies', () => {
  it('copies between containers of one account inside Swift, and not across identities', async () => {
    const from = await open(`swift://conformance/from-${++counter}`);
    const to = await open(`swift://other/to-${++counter}`);
    await from.write('dir/obj', 'payload', { contentType: 'text/plain' });
    const copied = await to.copyFrom!(from, 'dir/obj', 'copied');
    expect(copied).toMatchObject({ key: 'copied', size: 7 });
    expect(Buffer.from((await to.read('copied')).body).toString()).toBe('payload');
    expect((await to.stat('copied')).contentType).toBe('text/plain');

    const stranger = await open(`swift://other/stranger-${++counter}`, {
      ...server.env,
      ST_USER: SWIFT_USERS.tester2.user,
      ST_KEY: SWIFT_USERS.tester2.key,
    });
    expect(await stranger.copyFrom!(from, 'dir/obj', 'x')).toBeUndefined();
    // A create-if-absent copy cannot be server-side: the caller is told to stream.
    const careful = await bestEffort(`swift://other/careful-${++counter}`);
    expect(await careful.copyFrom!(from, 'dir/obj', 'x', { ifNoneMatch: '*' })).toBeUndefined();
    await Promise.all([from.close(), to.close(), stranger.close(), careful.close()]);
  });
});

describe('swift: moveStateStore s3 -> swift -> file', () => {
  async function snapshot(vfs: Vfs): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for await (const info of vfs.listAll()) out.set(info.key, Buffer.from((await vfs.read(info.key)).body));
    return out;
  }

  it('ends byte for byte identical, with configBase rewritten at each hop', async () => {
    const tree = TREES[0]!;
    const source = await openVfs(`s3://moves/run-${++counter}`, {
      env: {},
      s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
    });
    const files = new Map<string, Buffer>();
    for (const [key, body] of treeFiles(tree))
      files.set(key, Buffer.from(body.toString('utf8').split(`memfs://${tree.base}`).join(source.url)));
    for (const [key, body] of files) await source.write(key, body);
    // moveStateStore creates with ifNoneMatch: the destination claims it, as kops's swiftfs does.
    const swift = await bestEffort(`swift://moves/run-${++counter}`);
    const dir = await mkdtemp(path.join(tmpdir(), 'statestore-swift-move-'));
    const file = await openVfs(`file://${dir}`);
    try {
      const first = await moveStateStore({ from: source, to: swift, concurrency: 8 });
      expect(first.clusters[0]).toMatchObject({ cluster: tree.cluster, copied: files.size, skipped: 0 });
      expect(first.clusters[0]!.rewritten).toContain('/spec/configBase');
      const second = await moveStateStore({ from: swift, to: file, concurrency: 8 });
      expect(second.clusters[0]).toMatchObject({ cluster: tree.cluster, copied: files.size, skipped: 0 });

      const after = await snapshot(file);
      const configKey = `${tree.cluster}/config`;
      expect([...after.keys()].sort()).toEqual([...files.keys()].sort());
      for (const [key, body] of files) if (key !== configKey) expect(after.get(key)!.equals(body)).toBe(true);
      const expected = files
        .get(configKey)!
        .toString('utf8')
        .replace(`${source.url}/${tree.cluster}`, `${file.url}/${tree.cluster}`);
      expect(after.get(configKey)!.toString('utf8')).toBe(expected);
      expect(expected).toContain(`configBase: ${file.url}/${tree.cluster}`);
    } finally {
      await Promise.all([source.close(), swift.close(), file.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('swift: moveStateStore into a store that does not claim create-if-absent', () => {
  it('copies unconditionally (as kops writes there), and a rerun skips every file', async () => {
    const tree = TREES[0]!;
    const source = await openVfs(`memfs://swift-move-${++counter}`);
    const files = treeFiles(tree);
    for (const [key, body] of files) await source.write(key, body);
    const swift = await open(`swift://moves/plain-${++counter}`);
    try {
      expect(swift.capabilities.ifNoneMatch).toBe(false);
      const first = await moveStateStore({ from: source, to: swift, concurrency: 8 });
      expect(first.clusters[0]).toMatchObject({ cluster: tree.cluster, copied: files.size, skipped: 0 });
      for (const [key, body] of files) {
        if (key.endsWith('/config')) continue;
        expect(Buffer.from((await swift.read(key)).body).equals(body)).toBe(true);
      }
      const configKey = `${tree.cluster}/config`;
      expect(Buffer.from((await swift.read(configKey)).body).toString('utf8')).toContain(
        `configBase: ${swift.url}/${tree.cluster}`,
      );
      const rerun = await moveStateStore({ from: source, to: swift, concurrency: 8 });
      expect(rerun.clusters[0]).toMatchObject({ copied: 0, skipped: files.size });
    } finally {
      await Promise.all([source.close(), swift.close()]);
    }
  });
});

describe('swift: Keystone v3 from the OS_* variables', () => {
  let keystone: Server;
  let keystoneUrl: string;
  const requests: Array<{ auth: Record<string, unknown> }> = [];

  beforeAll(async () => {
    // Keystone's answer to a good password or application credential: a token tempauth issued,
    // and a catalog whose RegionOne object-store endpoint is the test Swift.
    const login = await fetch(server.authUrl, {
      headers: { 'X-Auth-User': SWIFT_USERS.tester.user, 'X-Auth-Key': SWIFT_USERS.tester.key },
    });
    const token = login.headers.get('x-auth-token')!;
    const storageUrl = login.headers.get('x-storage-url')!;
    keystone = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { auth: Record<string, unknown> };
        requests.push(parsed);
        const good = !body.includes('wrong-password') && req.url === '/v3/auth/tokens';
        res.writeHead(good ? 201 : 401, good ? { 'X-Subject-Token': token, 'Content-Type': 'application/json' } : {});
        const endpoint = (region: string, url: string) => ({ interface: 'public', region, url });
        const catalog = [
          { type: 'identity', endpoints: [endpoint('RegionOne', keystoneUrl)] },
          {
            type: 'object-store',
            endpoints: [endpoint('Elsewhere', 'http://127.0.0.1:9/v1/AUTH_x'), endpoint('RegionOne', storageUrl)],
          },
        ];
        res.end(good ? JSON.stringify({ token: { catalog } }) : '{"error":{"code":401}}');
      });
    });
    await new Promise<void>((resolve) => keystone.listen(0, '127.0.0.1', resolve));
    keystoneUrl = `http://127.0.0.1:${(keystone.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => keystone.close(resolve));
  });

  const passwordEnv = () => ({
    OS_AUTH_URL: `${keystoneUrl}/v3`,
    OS_USERNAME: 'demo',
    OS_PASSWORD: 'secret-password',
    OS_PROJECT_NAME: 'kops',
    OS_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: "'RegionOne'",
  });

  it('authenticates a user scoped to a project, and uses the region endpoint of the catalog', async () => {
    requests.length = 0;
    const vfs = await open(`swift://conformance/keystone-${++counter}`, passwordEnv());
    await vfs.write('k', 'through keystone');
    expect(Buffer.from((await vfs.read('k')).body).toString()).toBe('through keystone');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.auth).toEqual({
      identity: {
        methods: ['password'],
        password: { user: { name: 'demo', domain: { name: 'Default' }, password: 'secret-password' } },
      },
      scope: { project: { name: 'kops', domain: { name: 'Default' } } },
    });
    await vfs.close();
  });

  it('authenticates with an application credential, unscoped', async () => {
    requests.length = 0;
    const vfs = await open(`swift://conformance/appcred-${++counter}`, {
      OS_AUTH_URL: keystoneUrl,
      OS_APPLICATION_CREDENTIAL_ID: 'cred-id',
      OS_APPLICATION_CREDENTIAL_SECRET: 'cred-secret',
      OS_REGION_NAME: 'RegionOne',
    });
    await vfs.write('k', 'x');
    expect(requests[0]!.auth).toEqual({
      identity: {
        methods: ['application_credential'],
        application_credential: { id: 'cred-id', secret: 'cred-secret' },
      },
    });
    await vfs.close();
  });

  it('maps a refused password to Unauthenticated without the password in the message', async () => {
    const vfs = await open(`swift://conformance/refused-${++counter}`, {
      ...passwordEnv(),
      OS_PASSWORD: 'wrong-password',
    });
    const err = await vfs.list().then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'Unauthenticated', backend: 'swift' });
    expect(err.message).not.toContain('wrong-password');
    await vfs.close();
  });

  it('says which region has no object-store endpoint', async () => {
    const vfs = await open(`swift://conformance/region-${++counter}`, { ...passwordEnv(), OS_REGION_NAME: 'Nowhere' });
    const err = await vfs.stat('k').then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'NotFound' });
    expect(err.message).toContain('"Nowhere"');
    await vfs.close();
  });
});

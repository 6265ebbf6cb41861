/**
 * The gs:// conditions are decided by the server, not the client: observed with raw JSON API
 * requests and with two independent stores (separate SDK clients) on one emulator.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { codeOf, text } from '../conformance/suite.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';

let server: GcsEmulatorHandle;
const opened: Vfs[] = [];

beforeAll(async () => {
  server = await startGcsEmulator();
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((vfs) => vfs.close()));
  await server?.stop();
});

async function open(prefix: string): Promise<Vfs> {
  const vfs = await openVfs(`gs://server-checks/${prefix}`, {
    gcs: { apiEndpoint: server.apiEndpoint, projectId: server.projectId },
  });
  opened.push(vfs);
  return vfs;
}

/** The stored content, read with a plain HTTP request to the server. */
async function stored(name: string): Promise<{ status: number; body: string; generation: string | null }> {
  const response = await fetch(
    `${server.apiEndpoint}/download/storage/v1/b/server-checks/o/${encodeURIComponent(name)}?alt=media`,
  );
  return {
    status: response.status,
    body: await response.text(),
    generation: response.headers.get('x-goog-generation'),
  };
}

it('refuses a second create-if-absent from another client, and the server keeps the first content', async () => {
  const first = await open('create');
  const second = await open('create');
  const info = await first.write('cluster/config', 'one', { ifNoneMatch: '*' });
  expect(await codeOf(second.write('cluster/config', 'two', { ifNoneMatch: '*' }))).toBe('AlreadyExists');
  expect(await stored('create/cluster/config')).toEqual({ status: 200, body: 'one', generation: info.version });
  // The raw JSON API request with ifGenerationMatch=0 gets GCS's 412 conditionNotMet.
  const raw = await fetch(
    `${server.apiEndpoint}/upload/storage/v1/b/server-checks/o?uploadType=media&name=${encodeURIComponent('create/cluster/config')}&ifGenerationMatch=0`,
    { method: 'POST', body: 'three' },
  );
  expect(raw.status).toBe(412);
  expect(((await raw.json()) as { error: { errors: Array<{ reason: string }> } }).error.errors[0]?.reason).toBe(
    'conditionNotMet',
  );
  expect((await stored('create/cluster/config')).body).toBe('one');
});

it('refuses a write at a stale generation from another client, and the server keeps the newer content', async () => {
  const mine = await open('cas');
  const theirs = await open('cas');
  const v1 = await mine.write('config', 'v1');
  const v2 = await theirs.write('config', 'v2', { ifMatch: v1.version });
  expect(v2.version).not.toBe(v1.version);
  expect(await codeOf(mine.write('config', 'stale', { ifMatch: v1.version }))).toBe('PreconditionFailed');
  expect(await codeOf(mine.copy('config', 'config', { ifMatch: v1.version }))).toBe('PreconditionFailed');
  expect(await codeOf(mine.delete('config', { ifMatch: v1.version }))).toBe('PreconditionFailed');
  expect(await stored('cas/config')).toEqual({ status: 200, body: 'v2', generation: v2.version });
  expect(text((await mine.read('config')).body)).toBe('v2');
});

it('keeps the precondition on a resumable (large) upload', async () => {
  const vfs = await openVfs('gs://server-checks/resumable', {
    gcs: { apiEndpoint: server.apiEndpoint, projectId: server.projectId, resumableThreshold: 4 },
  });
  opened.push(vfs);
  await vfs.write('big', 'first body', { ifNoneMatch: '*' });
  expect(await codeOf(vfs.write('big', 'second body', { ifNoneMatch: '*' }))).toBe('AlreadyExists');
  expect((await stored('resumable/big')).body).toBe('first body');
});

it('maps an unreachable endpoint to Unavailable without credentials in the message', async () => {
  const vfs = await openVfs('gs://server-checks/x', {
    retry: { maxAttempts: 1 },
    gcs: {
      apiEndpoint: 'http://127.0.0.1:9',
      projectId: 'p',
      credentials: { client_email: 'robot@p.iam.gserviceaccount.com', private_key: 'TOP-SECRET-KEY' },
    },
  });
  opened.push(vfs);
  const err = await vfs.read('config').then(
    () => new Error('expected a rejection') as Error & { code?: string },
    (e: unknown) => e as Error & { code?: string },
  );
  expect(err.code).toBe('Unavailable');
  expect(err.message).not.toContain('TOP-SECRET-KEY');
});

it('refuses an invalid bucket name with InvalidArgument', async () => {
  expect(await codeOf(openVfs('gs://UPPER_case/x'))).toBe('InvalidArgument');
});

/**
 * A stand-in for the JSON API that opens resumable sessions and answers every session PUT with
 * `status`, in GCS's JSON error shape: what a streamed upload meets when the service fails it.
 */
async function failingUploads(status: number): Promise<{ endpoint: string; server: Server }> {
  const fake = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.method === 'POST') {
        const origin = `http://${request.headers.host ?? ''}`;
        response.writeHead(200, { Location: `${origin}/upload/session/1` }).end('{}');
        return;
      }
      const error = { error: { code: status, message: 'Backend Error', errors: [{ reason: 'backendError' }] } };
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(error));
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`, server: fake };
}

it.each([
  [503, 'Unavailable', true],
  [412, 'AlreadyExists', false],
] as const)(
  'maps a streamed upload answered %i to %s, by the status the SDK reports',
  async (status, code, retryable) => {
    const { endpoint, server: fake } = await failingUploads(status);
    try {
      const vfs = await openVfs('gs://server-checks/failing', {
        retry: { maxAttempts: 1 },
        gcs: { apiEndpoint: endpoint, projectId: 'p' },
      });
      opened.push(vfs);
      const body = Readable.from([Buffer.alloc(64 * 1024, 1)]);
      await expect(vfs.writeStream('big', body, { ifNoneMatch: '*' })).rejects.toMatchObject({
        code,
        retryable,
        key: 'big',
      });
    } finally {
      fake.closeAllConnections();
      await new Promise((resolve) => fake.close(resolve));
    }
  },
);

it('describes the bucket for doctor: versioning and default encryption from its metadata', async () => {
  const vfs = await open('describe');
  expect(await vfs.describeStore?.()).toEqual({ versioning: 'off', defaultEncryption: 'google-managed' });
});

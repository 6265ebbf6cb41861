/**
 * The conformance suite on `azureblob://` against Azurite (started by this file), in both URL
 * forms, plus the cases that must reach the real server: conditions, bad keys, missing containers.
 */
import { createHash } from 'node:crypto';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/errors.js';
import { runConformance } from '../conformance/suite.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startConnectionCounter, type ConnectionCounter } from '../servers/connection-counter.js';
import { rejection } from '../helpers/index.js';

let server: AzuriteHandle;
/** Between the SDK and Azurite: counts the connections the stores leave (the suite's leak checks). */
let proxy: ConnectionCounter;
let counter = 0;

beforeAll(async () => {
  server = await startAzurite();
  // Printed so the start time can be reported; not asserted.
  process.stderr.write(`azurite started in ${server.startMs} ms\n`);
  await BlobServiceClient.fromConnectionString(server.connectionString)
    .getContainerClient('conformance')
    .createIfNotExists();
  proxy = await startConnectionCounter(new URL(server.endpoint).origin);
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

/** The counting proxy's address in place of Azurite's (same account path). */
const proxied = (url: string) => url.replace(new URL(server.endpoint).origin, proxy.endpoint);

/** Account-key credentials, no environment. */
const keyOptions = () => ({ env: {}, azure: { accountKey: server.accountKey, endpoint: server.endpoint } });

runConformance({
  name: 'azure',
  open: () =>
    openVfs(`azureblob://${server.accountName}/conformance/run-${String(++counter).padStart(4, '0')}`, {
      env: {},
      azure: { accountKey: server.accountKey, endpoint: proxied(server.endpoint) },
    }),
  keyPrefixBytes: 'run-0001/'.length,
  // The driver stages one block (azure.blockSize, 4 MiB) at a time.
  streamBufferBytes: 4 * 1024 * 1024,
  connections: () => proxy.count(),
  transferred: () => proxy.transferred(),
});

runConformance({
  name: 'azure (kops URL form)',
  racers: 10,
  largeObjectBytes: 5 * 1024 * 1024,
  keyPrefixBytes: 'kops-0001/'.length,
  open: () =>
    openVfs(`azureblob://conformance/kops-${String(++counter).padStart(4, '0')}`, {
      env: {
        AZURE_STORAGE_ACCOUNT: server.accountName,
        AZURE_STORAGE_CONNECTION_STRING: proxied(server.connectionString),
      },
    }),
  connections: () => proxy.count(),
  transferred: () => proxy.transferred(),
});

describe('azure: conditions reach the server', () => {
  test('a second create-if-absent fails with AlreadyExists, the object unchanged', async () => {
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/cond-${++counter}`, keyOptions());
    await vfs.write('k', 'first', { ifNoneMatch: '*' });
    const err = await rejection(vfs.write('k', 'second', { ifNoneMatch: '*' }));
    expect(err.code).toBe('AlreadyExists');
    // Proven server-side: the raw SDK, bypassing our driver, sees the first content.
    const raw = BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient('conformance');
    const text = (await raw.getBlockBlobClient(`cond-${counter}/k`).downloadToBuffer()).toString();
    expect(text).toBe('first');
  });

  test('a stale-version write fails with PreconditionFailed after another client wrote', async () => {
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/cond-${++counter}`, keyOptions());
    const first = await vfs.write('k', 'v1');
    // Another writer (the raw SDK) changes the blob behind our back.
    const raw = BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient('conformance');
    await raw.getBlockBlobClient(`cond-${counter}/k`).upload('v2', 2);
    const err = await rejection(vfs.write('k', 'v3', { ifMatch: first.version }));
    expect(err.code).toBe('PreconditionFailed');
    expect((await vfs.read('k')).body).toEqual(new Uint8Array(Buffer.from('v2')));
  });

  test('a staged stream upload carries its condition on the commit: stale ifMatch fails, nothing changes', async () => {
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/cond-${++counter}`, {
      ...keyOptions(),
      azure: { ...keyOptions().azure, blockSize: 1024 },
    });
    const first = await vfs.write('k', 'v1');
    await vfs.write('k', 'v2');
    const chunks = async function* () {
      for (let i = 0; i < 5; i++) yield new Uint8Array(1000).fill(65 + i);
    };
    expect((await rejection(vfs.writeStream('k', chunks(), { ifMatch: first.version }))).code).toBe(
      'PreconditionFailed',
    );
    expect(Buffer.from((await vfs.read('k')).body).toString()).toBe('v2');
    const ok = await vfs.writeStream('k', chunks(), { ifMatch: (await vfs.stat('k')).version });
    expect(ok.size).toBe(5000);
    expect(ok.md5).toBe(
      createHash('md5')
        .update(Buffer.concat([0, 1, 2, 3, 4].map((i) => Buffer.alloc(1000, 65 + i))))
        .digest('hex'),
    );
  });

  test('copy onto an existing destination with ifNoneMatch fails with AlreadyExists', async () => {
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/cond-${++counter}`, keyOptions());
    await vfs.write('a', 'A');
    await vfs.write('b', 'B');
    expect((await rejection(vfs.copy('a', 'b', { ifNoneMatch: '*' }))).code).toBe('AlreadyExists');
    expect(Buffer.from((await vfs.read('b')).body).toString()).toBe('B');
  });
});

describe('azure: describeStore (doctor)', () => {
  test("reports the container's default encryption; versioning is not the data plane's to say", async () => {
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/describe-${++counter}`, keyOptions());
    expect(await vfs.describeStore?.()).toEqual({ defaultEncryption: 'microsoft-managed' });
    await vfs.close();
  });
});

describe('azure: credentials', () => {
  test('a SAS token reads and writes; the token is not in the URL', async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse('rwdlac'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential(server.accountName, server.accountKey),
    ).toString();
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/sas-${++counter}`, {
      env: { AZURE_STORAGE_SAS_TOKEN: `?${sas}` },
      azure: { endpoint: server.endpoint },
    });
    const written = await vfs.write('k', 'via sas', { ifNoneMatch: '*' });
    expect(written.md5).toBe(createHash('md5').update('via sas').digest('hex'));
    expect(Buffer.from((await vfs.read('k')).body).toString()).toBe('via sas');
    expect(vfs.url).toBe(`azureblob://${server.accountName}/conformance/sas-${counter}`);
  });
});

describe('azure: failures', () => {
  test('a wrong account key is Unauthenticated, and the key is not in the message', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/x`, {
      env: {},
      azure: { accountKey: wrongKey, endpoint: server.endpoint },
      retry: { maxAttempts: 1 },
    });
    const err = await rejection(vfs.read('k'));
    expect(err.code).toBe('Unauthenticated');
    expect(err.message).not.toContain(wrongKey);
    expect(err.message).not.toContain(server.accountKey);
  });

  test('a missing container is NotFound', async () => {
    const vfs = await openVfs(`azureblob://${server.accountName}/no-such-container/p`, keyOptions());
    expect((await rejection(vfs.read('k'))).code).toBe('NotFound');
    expect((await rejection(vfs.write('k', 'x'))).code).toBe('NotFound');
  });

  test('an unreachable endpoint is Unavailable', async () => {
    const vfs = await openVfs(`azureblob://${server.accountName}/conformance/p`, {
      env: {},
      azure: { accountKey: server.accountKey, endpoint: 'http://127.0.0.1:1/devstoreaccount1' },
      retry: { maxAttempts: 1 },
    });
    const err = await rejection(vfs.stat('k'));
    expect(isStateStoreError(err, 'Unavailable')).toBe(true);
  });
});

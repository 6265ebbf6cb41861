/**
 * Bring your own client (issue #19): `s3: { client }`, `gcs: { storage }`, `azure: { serviceClient }`
 * used as given, each through its real server with an observer of its own (an S3 middleware, a GCS
 * request interceptor, an Azure pipeline policy) seen to run; the store never closes a client it did
 * not create; client settings given beside a client are refused, naming both.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Storage } from '@google-cloud/storage';
import { BlobServiceClient, StorageSharedKeyCredential, newPipeline } from '@azure/storage-blob';
import { openVfs } from '../../src/backends/registry.js';
import { openStateStore } from '../../src/store/open.js';
import { isStateStoreError } from '../../src/errors.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';

let s3: S3rverHandle;
let gcs: GcsEmulatorHandle;
let azurite: AzuriteHandle;

beforeAll(async () => {
  [s3, gcs, azurite] = await Promise.all([
    startS3rver({ buckets: ['byo', 'byo2'] }),
    startGcsEmulator(),
    startAzurite(),
  ]);
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('byo').createIfNotExists();
}, 90_000);

afterAll(async () => {
  await Promise.all([s3?.stop(), gcs?.stop(), azurite?.stop()]);
});

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

function observedS3Client(seen: string[]): S3Client {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      seen.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'byoObserver' },
  );
  return client;
}

describe('s3: { client }', () => {
  it('sends every request through the given client and leaves it open after close()', async () => {
    const seen: string[] = [];
    const client = observedS3Client(seen);
    const vfs = await openVfs('s3://byo/own-client', { env: {}, s3: { client } });
    const written = await vfs.write('a/b', 'hello');
    const read = await vfs.read('a/b');
    expect(text(read.body)).toBe('hello');
    expect(read.info.version).toBe(written.version);
    expect(seen).toEqual(expect.arrayContaining(['PutObjectCommand', 'GetObjectCommand']));
    // No region discovery: the client has its own region, so no HeadBucket was sent.
    expect(seen).not.toContain('HeadBucketCommand');
    await vfs.close();
    const before = seen.length;
    const again = await openVfs('s3://byo/own-client', { env: {}, s3: { client } });
    expect(text((await again.read('a/b')).body)).toBe('hello');
    expect(seen.length).toBeGreaterThan(before);
    client.destroy();
  });

  it('works for a state store with `await using`, and the client outlives it', async () => {
    const seen: string[] = [];
    const client = observedS3Client(seen);
    {
      await using store = await openStateStore('s3://byo/state', { env: {}, s3: { client } });
      expect(await store.listClusters()).toEqual([]);
    }
    const vfs = await openVfs('s3://byo/state', { env: {}, s3: { client } });
    await vfs.write('probe', 'x');
    expect(text((await vfs.read('probe')).body)).toBe('x');
    expect(seen).toContain('ListObjectsV2Command');
    client.destroy();
  });

  it('copies server-side only between stores on the very same client', async () => {
    const client = observedS3Client([]);
    const other = observedS3Client([]);
    const source = await openVfs('s3://byo/copy-src', { env: {}, s3: { client } });
    const same = await openVfs('s3://byo2/copy-same', { env: {}, s3: { client } });
    const different = await openVfs('s3://byo2/copy-diff', { env: {}, s3: { client: other } });
    const byKeys = await openVfs('s3://byo2/copy-keys', {
      env: {},
      s3: { endpoint: s3.endpoint, region: 'us-east-1', credentials: S3RVER_CREDENTIALS },
    });
    await source.write('obj', 'payload');
    expect(source.serverSideLocation?.('obj')).toBeDefined();
    expect(await same.copyFrom!(source, 'obj', 'obj')).toBeDefined();
    expect(text((await same.read('obj')).body)).toBe('payload');
    // Another client (even one to the same account) or a store of the library's own client: no shared identity.
    expect(await different.copyFrom!(source, 'obj', 'obj')).toBeUndefined();
    expect(await byKeys.copyFrom!(source, 'obj', 'obj')).toBeUndefined();
    client.destroy();
    other.destroy();
  });

  it.each(['credentials', 'endpoint', 'region', 'forcePathStyle', 'connectTimeoutMs', 'requestTimeoutMs'] as const)(
    'refuses s3.%s beside s3.client, naming both',
    async (name) => {
      const client = observedS3Client([]);
      const values = {
        credentials: S3RVER_CREDENTIALS,
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        connectTimeoutMs: 1000,
        requestTimeoutMs: 1000,
      };
      const err = await openVfs('s3://byo/x', { env: {}, s3: { client, [name]: values[name] } }).catch((e) => e);
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
      expect(err.message).toContain('s3.client');
      expect(err.message).toContain(`s3.${name}`);
      client.destroy();
    },
  );
});

describe('gcs: { storage }', () => {
  function observedStorage(seen: string[]): Storage {
    const storage = new Storage({
      apiEndpoint: gcs.apiEndpoint,
      projectId: gcs.projectId,
      retryOptions: { autoRetry: false },
    });
    // The SDK's request interceptor sees every request's options (its types name them loosely).
    const observe = (options: { method?: string; uri?: string }) => {
      seen.push(`${options.method ?? 'GET'} ${String(options.uri)}`);
      return options;
    };
    storage.interceptors.push({ request: observe as never });
    return storage;
  }

  it('sends requests through the given Storage and keeps working after close()', async () => {
    const seen: string[] = [];
    const storage = observedStorage(seen);
    const vfs = await openVfs('gs://byo/own-storage', { env: {}, gcs: { storage } });
    await vfs.write('a/b', 'hello');
    expect(text((await vfs.read('a/b')).body)).toBe('hello');
    expect((await vfs.list({ prefix: 'a/' })).objects.map((o) => o.key)).toEqual(['a/b']);
    expect(seen.some((line) => line.includes('/b/byo/o'))).toBe(true);
    await vfs.close();
    const before = seen.length;
    const [files] = await storage.bucket('byo').getFiles({ prefix: 'own-storage/' });
    expect(files.map((f) => f.name)).toEqual(['own-storage/a/b']);
    expect(seen.length).toBeGreaterThan(before);
  });

  it.each(['projectId', 'apiEndpoint', 'keyFilename'] as const)(
    'refuses gcs.%s beside gcs.storage, naming both',
    async (name) => {
      const err = await openVfs('gs://byo/x', {
        env: {},
        gcs: { storage: observedStorage([]), [name]: 'value' },
      }).catch((e) => e);
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
      expect(err.message).toContain('gcs.storage');
      expect(err.message).toContain(`gcs.${name}`);
    },
  );
});

describe('azure: { serviceClient }', () => {
  function observedServiceClient(seen: string[]): BlobServiceClient {
    const pipeline = newPipeline(new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey), {
      retryOptions: { maxTries: 1 },
    });
    // A custom request policy, first in the chain: it sees every request the client sends.
    pipeline.factories.unshift({
      create: (nextPolicy) => ({
        sendRequest: (request) => {
          seen.push(`${request.method} ${new URL(request.url).pathname}`);
          return nextPolicy.sendRequest(request);
        },
      }),
    });
    return new BlobServiceClient(azurite.endpoint, pipeline);
  }

  it('sends requests through the given client and keeps working after close()', async () => {
    const seen: string[] = [];
    const serviceClient = observedServiceClient(seen);
    const url = `azureblob://${azurite.accountName}/byo/own-client`;
    const vfs = await openVfs(url, { env: {}, azure: { serviceClient } });
    expect(vfs.url).toBe(url);
    await vfs.write('a/b', 'hello');
    expect(text((await vfs.read('a/b')).body)).toBe('hello');
    expect(seen).toContain(`PUT /${azurite.accountName}/byo/own-client/a/b`);
    await vfs.close();
    const before = seen.length;
    const props = await serviceClient.getContainerClient('byo').getBlobClient('own-client/a/b').getProperties();
    expect(props.contentLength).toBe(5);
    expect(seen.length).toBeGreaterThan(before);
  });

  it("reads the account of kops's URL form from the client", async () => {
    const serviceClient = observedServiceClient([]);
    const vfs = await openVfs('azureblob://byo/kops-form', { env: {}, azure: { serviceClient } });
    expect(vfs.url).toBe(`azureblob://${azurite.accountName}/byo/kops-form`);
    await vfs.write('k', 'v');
    expect(text((await vfs.read('k')).body)).toBe('v');
  });

  it.each(['accountKey', 'connectionString', 'sasToken', 'endpoint'] as const)(
    'refuses azure.%s beside azure.serviceClient, naming both',
    async (name) => {
      const err = await openVfs(`azureblob://${azurite.accountName}/byo/x`, {
        env: {},
        azure: { serviceClient: observedServiceClient([]), [name]: 'value' },
      }).catch((e) => e);
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
      expect(err.message).toContain('azure.serviceClient');
      expect(err.message).toContain(`azure.${name}`);
    },
  );
});

/**
 * Credentials and keys never show when a store, its Vfs, its driver, the SDK clients and option
 * objects the driver keeps, or an error (with its `cause` chain) is printed or serialised (issue
 * #25.5): JSON.stringify, util.inspect at depth 4 and 6 (hidden properties and getters too),
 * console.log's `%o` / `%O`. Each backend is opened with real credentials-bearing options and
 * used against its test server (s3rver, the GCS test server, Azurite; Swift with v1 credentials
 * is opened without a server: nothing is sent before the first call), and every output is
 * searched for every secret string.
 */
import { generateKeyPairSync } from 'node:crypto';
import { format, inspect } from 'node:util';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { StateStoreError } from '../../src/errors.js';
import { startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';

const S3_KEY = { accessKeyId: 'AKIAREDACTION0TEST42', secretAccessKey: 'redaction-s3-secret-9f8e7d6c5b4a' };
const S3_UNKNOWN = { accessKeyId: 'AKIAUNKNOWNKEY0TEST7', secretAccessKey: 'redaction-unknown-secret-1a2b3c4d' };
const ENVELOPE_KEY = Buffer.alloc(32, 0x5a);
const SWIFT_KEY = 'redaction-swift-key-77e1';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const GCS_PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Strings none of the outputs may contain: each secret, and the envelope key in base64 and hex. */
const SECRETS = [
  S3_KEY.accessKeyId,
  S3_KEY.secretAccessKey,
  S3_UNKNOWN.accessKeyId,
  S3_UNKNOWN.secretAccessKey,
  SWIFT_KEY,
  ENVELOPE_KEY.toString('base64'),
  ENVELOPE_KEY.toString('hex'),
  // A line from the middle of the PEM body: any copy of the key holds it.
  GCS_PRIVATE_KEY.split('\n')[5]!,
];

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return ''; // an object without a prototype has no string form
  }
}

/** Every way a value gets printed or serialised. */
function renderings(value: unknown): string[] {
  let json: string;
  try {
    json = JSON.stringify(value) ?? '';
  } catch (err) {
    json = String((err as Error).message);
  }
  return [
    json,
    inspect(value, { depth: 4 }),
    inspect(value, { depth: 6, showHidden: true, getters: true }),
    format('%o', value),
    format('%O', value),
    safeString(value),
  ];
}

/** The value, and every object reachable from it through three levels of own properties (private TS fields included), by path. */
function reachable(root: unknown, name: string): Array<[string, unknown]> {
  const seen = new Set<unknown>([root]);
  const out: Array<[string, unknown]> = [[name, root]];
  let level: Array<[string, unknown]> = [[name, root]];
  for (let depth = 0; depth < 3; depth++) {
    const next: Array<[string, unknown]> = [];
    for (const [path, value] of level) {
      if (typeof value !== 'object' || value === null) continue;
      for (const key of Reflect.ownKeys(value)) {
        const child: unknown = Reflect.getOwnPropertyDescriptor(value, key)?.value;
        if (typeof child !== 'object' || child === null || seen.has(child)) continue;
        // The S3 SDK's exports (command classes: code, no credentials) are slow to print whole.
        if (key === 'sdk' || Object.prototype.toString.call(child) === '[object Module]') continue;
        seen.add(child);
        next.push([`${path}.${String(key)}`, child]);
      }
    }
    out.push(...next);
    level = next;
  }
  return out;
}

/** Each secret found in a rendering of a value, as `path rendering#: secret`. */
function leaksIn(values: Array<[string, unknown]>): string[] {
  const found = new Set<string>();
  for (const [path, value] of values)
    renderings(value).forEach((text, way) => {
      for (const secret of SECRETS) if (text.includes(secret)) found.add(`${path} #${way}: ${secret.slice(0, 12)}`);
    });
  return [...found];
}

/** The store, its Vfs, the driver, and what the driver holds (SDK clients, options, locations). */
function held(store: StateStore, name: string): Array<[string, unknown]> {
  return [[`${name}.store`, store], ...reachable(store.vfs, `${name}.vfs`)];
}

let s3: S3rverHandle;
let azurite: AzuriteHandle;
let gcs: GcsEmulatorHandle;
const stores: StateStore[] = [];

beforeAll(async () => {
  [s3, azurite, gcs] = await Promise.all([
    startS3rver({ buckets: ['redaction'], accounts: [S3_KEY] }),
    startAzurite(),
    startGcsEmulator(),
  ]);
  const { BlobServiceClient } = await import('@azure/storage-blob');
  await BlobServiceClient.fromConnectionString(azurite.connectionString)
    .getContainerClient('redaction')
    .createIfNotExists();
}, 60_000);

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([s3?.stop(), azurite?.stop(), gcs?.stop()]);
});

async function open(url: string, options: OpenVfsOptions): Promise<StateStore> {
  const store = await openStateStore(url, { ...options, encryption: ENVELOPE_KEY });
  stores.push(store);
  return store;
}

/** The error of a call, whatever it is. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (err: unknown) => err,
  );
}

describe('nothing prints or serialises a credential', () => {
  it('s3: a working store and one whose access key the server does not know (InvalidAccessKeyId, key id in the cause)', async () => {
    const s3Options = (credentials: typeof S3_KEY) => ({
      env: {},
      s3: { endpoint: s3.endpoint, credentials, region: 'us-east-1', forcePathStyle: true },
    });
    const good = await open('s3://redaction/good', s3Options(S3_KEY));
    await good.vfs.write('x/file', 'body');
    await good.putSecret('c.example.com', 'token', 'value').catch(() => undefined);
    // kops's variables, read from the environment (S3_ENDPOINT makes it read the keys too).
    const fromEnv = await open('s3://redaction/env', {
      env: {
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: S3_KEY.accessKeyId,
        S3_SECRET_ACCESS_KEY: S3_KEY.secretAccessKey,
      },
    });
    await fromEnv.vfs.write('x/file', 'body');
    const bad = await open('s3://redaction/bad', s3Options(S3_UNKNOWN));
    const err = await failure(bad.vfs.read('x/file'));
    expect(err).toBeInstanceOf(StateStoreError);
    // The SDK's own error names the key id (AWSAccessKeyId): the cause kept is a copy without it,
    // the name, message and status still there; the error and its cause chain, printed any way,
    // even without the custom inspection, show neither the key id nor the secret.
    const cause = (err as Error).cause as Error & { $metadata?: { httpStatusCode?: number } };
    expect(cause).toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
    expect(cause).not.toHaveProperty('AWSAccessKeyId');
    const raw = [inspect(err, { depth: 6, customInspect: false, showHidden: true }), inspect(cause, { depth: 6 })];
    for (const text of raw) expect(text).not.toContain(S3_UNKNOWN.accessKeyId);
    expect(
      leaksIn([...held(good, 'good'), ...held(fromEnv, 'env'), ...held(bad, 'bad'), ...reachable(err, 'err')]),
    ).toEqual([]);
  });

  it('gcs: a service-account private key', async () => {
    const store = await open('gs://redaction/prefix', {
      env: {},
      gcs: {
        apiEndpoint: gcs.apiEndpoint,
        projectId: gcs.projectId,
        credentials: { client_email: 'redaction@example.iam.gserviceaccount.com', private_key: GCS_PRIVATE_KEY },
      },
    });
    // The emulator takes the endpoint's requests without a token: the calls work, the key stays held.
    await store.vfs.write('x/file', 'body');
    const err = await failure(store.vfs.read('x/missing'));
    expect(err).toMatchObject({ code: 'NotFound' });
    expect(leaksIn([...held(store, 'gcs'), ...reachable(err, 'err')])).toEqual([]);
  });

  it.each([
    ['an account key', (h: AzuriteHandle) => ({ accountKey: h.accountKey, endpoint: h.endpoint })],
    ['a connection string', (h: AzuriteHandle) => ({ connectionString: h.connectionString })],
  ])('azure: %s, and an error from a wrong key', async (_label, azure) => {
    const store = await open(`azureblob://${azurite.accountName}/redaction/prefix`, { env: {}, azure: azure(azurite) });
    await store.vfs.write('x/file', 'body');
    // The SDK keeps the key as bytes: util.inspect would show them in hex.
    const keyBytes = Buffer.from(azurite.accountKey, 'base64')
      .subarray(0, 12)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
    SECRETS.push(azurite.accountKey, azurite.connectionString, keyBytes);
    try {
      const wrongKey = Buffer.from(azurite.accountKey, 'base64').reverse().toString('base64');
      const wrong = await open(`azureblob://${azurite.accountName}/redaction/prefix`, {
        env: {},
        azure: { accountKey: wrongKey, endpoint: azurite.endpoint },
      });
      SECRETS.push(wrongKey);
      const err = await failure(wrong.vfs.read('x/file'));
      expect(leaksIn([...held(store, 'azure'), ...held(wrong, 'wrong'), ...reachable(err, 'err')])).toEqual([]);
    } finally {
      SECRETS.splice(SECRETS.length - 4);
    }
  });

  it('swift: a v1 key', async () => {
    const store = await open('swift://redaction/prefix', {
      env: {},
      swift: { auth: { kind: 'v1', authUrl: 'http://127.0.0.1:9/auth/v1.0', user: 'test:tester', key: SWIFT_KEY } },
    });
    expect(leaksIn(held(store, 'swift'))).toEqual([]);
  });

  it('errors: a StateStoreError whose cause chain holds credentials prints and serialises without them', () => {
    const sdkError = Object.assign(new Error('The AWS Access Key Id you provided does not exist in our records.'), {
      name: 'InvalidAccessKeyId',
      AWSAccessKeyId: S3_UNKNOWN.accessKeyId,
      $metadata: { httpStatusCode: 403, requestId: 'req-1' },
      config: { credentials: S3_KEY },
    });
    const inner = new StateStoreError('Unauthenticated', 'the credentials were rejected', {
      backend: 's3',
      key: 'a/b',
      cause: sdkError,
    });
    // A server that names the key id in its message (the SigV4 Credential= field, or the bare id),
    // nested under an error of our own making: the cause kept is scrubbed at every level.
    const signed = Object.assign(
      new Error(
        `Signature mismatch for Credential=${S3_KEY.accessKeyId}/20261207/us-east-1/s3/aws4_request; key ${S3_UNKNOWN.accessKeyId}`,
        { cause: sdkError },
      ),
      { name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403, requestId: 'req-2' } },
    );
    const wrapped = new StateStoreError('Unauthenticated', 'signature rejected', { cause: signed });
    expect(leaksIn(reachable(wrapped, 'wrapped'))).toEqual([]);
    const chain = inspect(wrapped, { depth: 8, customInspect: false, showHidden: true });
    for (const secret of SECRETS) expect(chain).not.toContain(secret);
    expect(chain).toContain('Credential=[redacted]/20261207/us-east-1/s3/aws4_request');
    expect(wrapped.cause).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { requestId: 'req-2' } });
    expect((wrapped.cause as Error).cause).toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
    // A cause with nothing to hide is kept as it is.
    const plain = new Error('socket hang up');
    expect(new StateStoreError('Unavailable', 'down', { cause: plain }).cause).toBe(plain);
    const outer = new StateStoreError('Unauthenticated', 'cluster "c": the credentials were rejected', {
      cause: inner,
    });
    expect(
      leaksIn([
        ['outer', outer],
        ['inner', inner],
      ]),
    ).toEqual([]);
    // What helps debugging stays: codes, messages, the SDK error's name and status.
    const printed = inspect(outer, { depth: 6 });
    for (const kept of ['Unauthenticated', 'InvalidAccessKeyId', '403', 'does not exist in our records', 'a/b'])
      expect(printed).toContain(kept);
    expect(JSON.parse(JSON.stringify(outer))).toMatchObject({
      name: 'StateStoreError',
      code: 'Unauthenticated',
      cause: { code: 'Unauthenticated', key: 'a/b', cause: { name: 'InvalidAccessKeyId' } },
    });
  });
});

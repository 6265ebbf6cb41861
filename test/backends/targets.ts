/**
 * Every backend, as a factory of fresh empty stores, for tests that run the same scenario on all
 * of them (the kops trees, mergeConfig under contention, moves between backends). Each target's
 * server is started lazily, once per test file, and stopped by `stopAll()`; Ceph RADOS Gateway is
 * the run's shared one (test/servers/shared-rgw.ts), each store a prefix of its own.
 */
import { randomUUID } from 'node:crypto';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import type { RgwHandle } from '../servers/rgw.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

export interface BackendTarget {
  name: string;
  /** A fresh, empty store, with its URL. */
  fresh(): Promise<{ vfs: Vfs; url: string; open: () => Promise<Vfs> }>;
}

let counter = 0;
const cleanups: Array<() => Promise<void>> = [];

/** Starts a server on the first call only; `stopAll()` stops it. */
function startedOnce<T extends { stop(): Promise<void> }>(start: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    if (running === undefined) {
      const started = start();
      running = started;
      cleanups.push(async () => (await started).stop());
    }
    return running;
  };
}

const s3Server = startedOnce<S3rverHandle>(() => startS3rver({ buckets: ['targets'] }));

const azuriteServer = startedOnce<AzuriteHandle>(async () => {
  const server = await startAzurite();
  const { BlobServiceClient } = await import('@azure/storage-blob');
  await BlobServiceClient.fromConnectionString(server.connectionString)
    .getContainerClient('targets')
    .createIfNotExists();
  return server;
});

const gcsServer = startedOnce<GcsEmulatorHandle>(() => startGcsEmulator());

/**
 * Stores on the shared gateway are prefixes of one bucket that every test file of the run uses, and
 * a Jest worker runs several files in one process with this module loaded afresh (the counter back
 * at 0): a token per load keeps their prefixes apart.
 */
const RGW_FILE_TOKEN = randomUUID().slice(0, 8);

/** The run's shared gateway, with the targets' bucket (the run stops the gateway, not `stopAll`). */
let rgwServer: Promise<RgwHandle> | undefined;
const rgwWithBucket = (): Promise<RgwHandle> =>
  (rgwServer ??= sharedRgw().then(async (rgw) => {
    await rgw.createBucket('targets');
    return rgw;
  }));

async function target(
  url: string,
  options: Parameters<typeof openVfs>[1],
): Promise<{ vfs: Vfs; url: string; open: () => Promise<Vfs> }> {
  const open = () => openVfs(url, options);
  return { vfs: await open(), url, open };
}

export const memoryTarget: BackendTarget = {
  name: 'memory',
  fresh: () => target(`memfs://targets-${process.pid}-${++counter}`, {}),
};

export const fileTarget: BackendTarget = {
  name: 'file',
  fresh: async () => {
    const dir = await tempDir('statestore-target-');
    return target(`file://${dir}`, {});
  },
};

export const s3Target: BackendTarget = {
  name: 's3',
  fresh: async () => {
    const server = await s3Server();
    return target(`s3://targets/run-${process.pid}-${++counter}`, {
      env: {},
      s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
    });
  },
};

export const azureTarget: BackendTarget = {
  name: 'azure',
  fresh: async () => {
    const server = await azuriteServer();
    return target(`azureblob://${server.accountName}/targets/run-${process.pid}-${++counter}`, {
      env: {},
      azure: { accountKey: server.accountKey, endpoint: server.endpoint },
    });
  },
};

export const gcsTarget: BackendTarget = {
  name: 'gcs',
  fresh: async () => {
    const server = await gcsServer();
    return target(`gs://targets/run-${process.pid}-${++counter}`, {
      env: {},
      gcs: { apiEndpoint: server.apiEndpoint, projectId: server.projectId },
    });
  },
};

/** Ceph RADOS Gateway, a real S3 server (`serverSideEncryption: 'none'`: it has no keys configured). */
export const rgwTarget: BackendTarget = {
  name: 'rgw',
  fresh: async () => {
    const rgw = await rgwWithBucket();
    return target(`s3://targets/run-${RGW_FILE_TOKEN}-${++counter}`, { env: {}, s3: rgw.s3 });
  },
};

/** Every backend available in the test suite. */
export const allTargets: BackendTarget[] = [memoryTarget, fileTarget, s3Target, azureTarget, gcsTarget, rgwTarget];

/** Stops the servers this test file started and removes its folders. */
export async function stopAll(): Promise<void> {
  await Promise.all([...cleanups.splice(0).map((cleanup) => cleanup()), removeTempDirs()]);
}

/**
 * Load: N mergeConfig operations from C concurrent clients on one cluster config, per backend.
 * Each operation increments its client's counter (a read-modify-write of the value it read), so a
 * lost update shows as a total below N. Prints operations/s, attempts per operation, and lost
 * updates (must be 0).
 *
 *   npx tsx bench/load/merge-load.ts [--ops 1000] [--clients 32] [--backends memory,file,s3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { openStateStore } from '../../src/store/open.js';
import type { ClusterConfig } from '../../src/config/schema/types.generated.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../test/servers/s3rver.js';
import { startAzurite } from '../../test/servers/azurite.js';
import { startGcsEmulator } from '../../test/servers/gcs-emulator.js';
import { loadTree, TREES } from '../../test/store/trees.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1]!;
};
const OPS = Number(arg('ops', '1000'));
const CLIENTS = Number(arg('clients', '32'));
const BACKENDS = arg('backends', 'memory,file,s3,azure,gcs').split(',');
const tree = TREES[0]!;

/** A change that adds one to a counter label: correct only if no concurrent update is lost. */
export function increment(label: string): (config: ClusterConfig) => ClusterConfig {
  return (config) => {
    const labels = { ...(config.spec?.cloudLabels ?? {}) };
    labels[label] = String(Number(labels[label] ?? '0') + 1);
    return { ...config, spec: { ...config.spec, cloudLabels: labels } };
  };
}

async function run(name: string, url: string, options: OpenVfsOptions): Promise<void> {
  const setup = await openVfs(url, options);
  await loadTree(setup, tree);
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => await openStateStore(await openVfs(url, options))),
  );
  let attempts = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (store, c) => {
      for (let op = next++; op < OPS; op = next++) {
        const result = await store.mergeConfig(tree.cluster, increment(`client-${c}`), { maxAttempts: 1000 });
        attempts += result.attempts;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const labels = (await (await openStateStore(setup)).getCluster(tree.cluster)).value.spec?.cloudLabels ?? {};
  const lost = OPS - Object.values(labels).reduce((sum, value) => sum + Number(value), 0);
  console.log(
    `${name.padEnd(7)} ${OPS} ops, ${CLIENTS} clients: ${(OPS / seconds).toFixed(1)} ops/s, ${seconds.toFixed(1)} s, ${(attempts / OPS).toFixed(2)} attempts/op, lost updates: ${lost}`,
  );
  await Promise.all(clients.map((store) => store.close()));
  await setup.close();
  if (lost !== 0) process.exitCode = 1;
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  if (BACKENDS.includes('memory')) await run('memory', `memfs://load-${process.pid}`, {});
  if (BACKENDS.includes('file')) {
    const dir = await mkdtemp(path.join(tmpdir(), 'statestore-load-'));
    try {
      await run('file', `file://${dir}`, {});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (BACKENDS.includes('s3')) {
    const server = await startS3rver({ buckets: ['load'] });
    try {
      await run('s3', 's3://load/store', {
        env: {},
        s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, region: 'us-east-1' },
      });
    } finally {
      await server.stop();
    }
  }
  if (BACKENDS.includes('azure')) {
    const server = await startAzurite();
    try {
      const { BlobServiceClient } = await import('@azure/storage-blob');
      await BlobServiceClient.fromConnectionString(server.connectionString)
        .getContainerClient('load')
        .createIfNotExists();
      await run('azure', `azureblob://${server.accountName}/load/store`, {
        env: {},
        azure: { accountKey: server.accountKey, endpoint: server.endpoint },
      });
    } finally {
      await server.stop();
    }
  }
  if (BACKENDS.includes('gcs')) {
    const server = await startGcsEmulator();
    try {
      await run('gcs', 'gs://load/store', {
        env: {},
        gcs: { apiEndpoint: server.apiEndpoint, projectId: server.projectId },
      });
    } finally {
      await server.stop();
    }
  }
}

void main();

/**
 * gs:// and azureblob:// over HTTPS: the run's GCS test server (test/servers/gcs-emulator.ts) and
 * Azurite, each behind TLS-terminating proxies on 127.0.0.1 (test/servers/tls-proxy.ts) with
 * certificates from throwaway CAs made here. Through a proxy whose CA this process does not trust,
 * each request (a read, a write, a streamed write, a listing) fails with Unauthenticated naming
 * the OpenSSL code and NODE_EXTRA_CA_CERTS, after one connection: a refused certificate is refused
 * again, so it is not retried (the default policy tries 5 times). A child process that trusts the
 * other CA with NODE_EXTRA_CA_CERTS, as the hint says, writes and reads through its proxies
 * (gcs-azure-tls-child.ts), and each proxy counts exactly the requests the child started to it.
 * s3-tls.test.ts does the same for S3.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { openVfs } from '../../src/backends/registry.js';
import type { OpenVfsOptions } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { startAzurite, type AzuriteHandle } from '../servers/azurite.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';
import { startTlsProxy, throwawayCa, type TlsProxy } from '../servers/tls-proxy.js';
import type { GcsAzureTlsInput, GcsAzureTlsResult } from './gcs-azure-tls-child.js';
import { runTlsChild } from './tls-child-run.js';

const untrustedCa = throwawayCa('statestore test CA (not trusted)');
const trustedCa = throwawayCa('statestore test CA (trusted by the child)');
const CONTAINER = 'tls';
let gcs: GcsEmulatorHandle;
let azurite: AzuriteHandle;
let azuriteOrigin: string;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [gcs, azurite] = await Promise.all([startGcsEmulator(undefined, { behindTls: true }), startAzurite()]);
  stops.push(
    () => gcs.stop(),
    () => azurite.stop(),
  );
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  await service.getContainerClient(CONTAINER).createIfNotExists();
  azuriteOrigin = new URL(azurite.endpoint).origin;
}, 60_000);

afterAll(async () => {
  // Proxies first (they were started last), then the servers behind them.
  for (const stop of stops.reverse()) await stop();
});

async function proxyTo(target: string, ca = untrustedCa): Promise<TlsProxy> {
  const proxy = await startTlsProxy(target, ca.serverIdentity());
  stops.push(() => proxy.stop());
  return proxy;
}

/** Open options for each backend through `proxy` (a TLS proxy in front of its server). */
const gcsOptions = (proxy: TlsProxy): OpenVfsOptions => ({
  gcs: { apiEndpoint: proxy.endpoint, projectId: gcs.projectId },
});
const azureOptions = (proxy: TlsProxy): OpenVfsOptions => ({
  env: {},
  azure: { accountKey: azurite.accountKey, endpoint: azurite.endpoint.replace(azuriteOrigin, proxy.endpoint) },
});

/**
 * Sends each kind of request through `vfs` and checks that each fails typed, with the hint, on one
 * connection to `proxy`, and that none got past the handshake; returns the messages.
 */
async function expectRefusedOnce(vfs: Vfs, proxy: TlsProxy): Promise<string[]> {
  const requests: Array<[string, () => Promise<unknown>]> = [
    ['read', () => vfs.read('cluster.example.com/config')],
    ['write', () => vfs.write('cluster.example.com/config', 'spec: {}\n', { ifNoneMatch: '*' })],
    ['writeStream', () => vfs.writeStream('cluster.example.com/big', Readable.from([Buffer.from('spec: {}\n')]))],
    ['list', () => vfs.list({ prefix: 'cluster.example.com/' })],
  ];
  const messages: string[] = [];
  for (const [name, request] of requests) {
    const before = proxy.connections();
    const err = await rejection(request());
    expect([name, err.code, err.retryable]).toEqual([name, 'Unauthenticated', false]);
    expect(err.message).toContain("the server's TLS certificate was refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE)");
    expect(err.message).toContain('trust it with NODE_EXTRA_CA_CERTS=<ca.pem>');
    expect([name, proxy.connections() - before]).toEqual([name, 1]);
    messages.push(err.message);
  }
  expect(proxy.requests().total).toBe(0);
  return messages;
}

it('gs://: a refused server certificate is Unauthenticated naming NODE_EXTRA_CA_CERTS, not retried', async () => {
  const proxy = await proxyTo(gcs.apiEndpoint);
  const vfs = await openVfs('gs://tls-refused/run', gcsOptions(proxy));
  const messages = await expectRefusedOnce(vfs, proxy);
  expect(messages[0]).toMatch(/^gcs: stat "cluster.example.com\/config": /);
  await vfs.close();
});

it('azureblob://: a refused server certificate is Unauthenticated naming NODE_EXTRA_CA_CERTS, not retried', async () => {
  const proxy = await proxyTo(azuriteOrigin);
  const vfs = await openVfs(`azureblob://${azurite.accountName}/${CONTAINER}/refused`, azureOptions(proxy));
  const messages = await expectRefusedOnce(vfs, proxy);
  expect(messages[0]).toMatch(/^azure: \w+ "cluster.example.com\/config": /);
  await vfs.close();
});

it('both write and read through a proxy whose CA NODE_EXTRA_CA_CERTS trusts (a child process)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'statestore-tls-'));
  try {
    const caFile = path.join(dir, 'trusted-ca.pem');
    writeFileSync(caFile, trustedCa.certificate);
    const [gcsProxy, azureProxy] = await Promise.all([
      proxyTo(gcs.apiEndpoint, trustedCa),
      proxyTo(azuriteOrigin, trustedCa),
    ]);
    const input: GcsAzureTlsInput = {
      gcs: { url: 'gs://tls-trusted/run', apiEndpoint: gcsProxy.endpoint, projectId: gcs.projectId },
      azure: {
        url: `azureblob://${azurite.accountName}/${CONTAINER}/trusted`,
        endpoint: azurite.endpoint.replace(azuriteOrigin, azureProxy.endpoint),
        accountKey: azurite.accountKey,
      },
    };
    const result = await runTlsChild<GcsAzureTlsResult>('test/backends/gcs-azure-tls-child.ts', {
      NODE_EXTRA_CA_CERTS: caFile,
      STATESTORE_TLS_TEST: JSON.stringify(input),
    });
    const { requests, ...read } = result;
    const readBack = { ok: ['through NODE_EXTRA_CA_CERTS', 'streamed through NODE_EXTRA_CA_CERTS'] };
    expect(read).toEqual({ gcs: readBack, azure: readBack });
    // Every request the child's HTTP clients started went through its proxy, and only those: two
    // writes and two reads at least each (the count is exact, kept-alive connections included).
    expect(requests.gcs).toBeGreaterThanOrEqual(4);
    expect(requests.azure).toBeGreaterThanOrEqual(4);
    expect(gcsProxy.requests()).toEqual({ total: requests.gcs, sdk: 0, unframed: 0 });
    expect(azureProxy.requests()).toEqual({ total: requests.azure, sdk: 0, unframed: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

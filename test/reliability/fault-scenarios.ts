/**
 * The fault scenarios of docs/reliability.md, written once and run on every remote backend
 * through the fault-injecting proxy (test/servers/fault-proxy.ts): seeded 503/500 answers in the
 * provider's own words, dropped connections, responses cut half-way after the server acted,
 * latency. Every operation must either complete correctly through retries, or fail with a typed
 * retryable error once the retry budget is spent; what is stored is never torn.
 *
 * A test file picks a {@link FaultBackend} (s3rver, Azurite, the GCS emulator) and calls
 * {@link describeVfsFaults} and/or {@link describeStoreFaults}; the backend's server is started
 * once per file and stopped by the backend's `stop()`.
 */
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { parseYamlDocuments } from '../../src/config/yaml/parse.js';
import { openStateStore } from '../../src/store/open.js';
import { isStateStoreError } from '../../src/errors.js';
import type { RetryPolicy } from '../../src/vfs/retry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { startAzurite } from '../servers/azurite.js';
import { startFaultProxy, type FaultFlavour, type FaultOptions, type FaultProxy } from '../servers/fault-proxy.js';
import { startGcsEmulator } from '../servers/gcs-emulator.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../servers/s3rver.js';
import { loadTree, treeFiles, TREES } from '../store/trees.js';

/** A running test server, seen as the proxy's target. */
export interface FaultServer {
  /** Origin the proxy forwards to, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** The store URL of `prefix` in bucket (container) `bucket`. */
  url(bucket: string, prefix: string): string;
  /** Open options for a client talking to `origin` (the server itself, or a proxy in front of it). */
  options(origin: string, retry?: RetryPolicy): OpenVfsOptions;
  /** How `writeStream` is made to take several requests (parts, blocks, a session), for {@link describeStreamFaults}. */
  streaming: {
    /** `options` with small parts / blocks / a low resumable threshold. */
    options(base: OpenVfsOptions): OpenVfsOptions;
    /** Bytes per upload: over one part / block / the threshold. */
    bodyBytes: number;
    uploads: number;
    /** The server builds follow-up URLs from the Host header: keep the client's (see FaultOptions.preserveHost). */
    preserveHost?: boolean;
  };
}

/** A backend under test: its fault flavour and a lazily started, shared server. */
export interface FaultBackend {
  name: string;
  flavour: FaultFlavour;
  server(): Promise<FaultServer>;
  stop(): Promise<void>;
}

/** Buckets (containers) every scenario may use; backends that need them created make them at start. */
export const FAULT_BUCKETS = ['faults', 'moved'];

/** Wraps a server factory so that every scenario of one file shares one server. */
export function faultBackend(
  name: string,
  flavour: FaultFlavour,
  start: () => Promise<FaultServer & { stop(): Promise<void> }>,
): FaultBackend {
  let running: Promise<FaultServer & { stop(): Promise<void> }> | undefined;
  return {
    name,
    flavour,
    server: () => (running ??= start()),
    stop: async () => {
      const server = running;
      running = undefined;
      await (await server)?.stop();
    },
  };
}

/** s3rver, path-style. */
export const s3FaultBackend = (): FaultBackend =>
  faultBackend('S3', 's3', async () => {
    const server = await startS3rver({ buckets: FAULT_BUCKETS });
    return {
      origin: server.endpoint,
      url: (bucket, prefix) => `s3://${bucket}/${prefix}`,
      options: (origin, retry) => ({
        env: {},
        ...(retry === undefined ? {} : { retry }),
        // The dialect given: a probe at open would cross the injected faults and shift the counts.
        s3: { credentials: S3RVER_CREDENTIALS, region: 'us-east-1', endpoint: origin, dialect: 'aws' },
      }),
      // Multipart: a 5 MiB part (S3's smallest) and the rest.
      streaming: {
        options: (base) => ({ ...base, s3: { ...base.s3, partSize: 5 * 1024 * 1024 } }),
        bodyBytes: 5 * 1024 * 1024 + 4096,
        uploads: 6,
      },
      stop: () => server.stop(),
    };
  });

/** Azurite, account key, the account in the endpoint's path (as Azurite addresses it). */
export const azureFaultBackend = (): FaultBackend =>
  faultBackend('Azure', 'azure', async () => {
    const server = await startAzurite();
    const { BlobServiceClient } = await import('@azure/storage-blob');
    const service = BlobServiceClient.fromConnectionString(server.connectionString);
    for (const container of FAULT_BUCKETS) await service.getContainerClient(container).createIfNotExists();
    return {
      origin: new URL(server.endpoint).origin,
      url: (container, prefix) => `azureblob://${server.accountName}/${container}/${prefix}`,
      options: (origin, retry) => ({
        env: {},
        ...(retry === undefined ? {} : { retry }),
        azure: { accountKey: server.accountKey, endpoint: `${origin}/${server.accountName}` },
      }),
      // Staged blocks of 16 KiB, then the commit.
      streaming: {
        options: (base) => ({ ...base, azure: { ...base.azure, blockSize: 16 * 1024 } }),
        bodyBytes: 64 * 1024,
        uploads: 20,
      },
      stop: () => server.stop(),
    };
  });

/**
 * The firebase-tools Storage emulator behind the GCS compat front (buckets are created on first
 * use). A cut answer is only noticed by the driver's timeout (see GcsBackendOptions.timeoutMs), so
 * the clients that go through the proxy wait 1 s, not the default minute.
 */
export const gcsFaultBackend = (): FaultBackend =>
  faultBackend('GCS', 'gcs', async () => {
    const server = await startGcsEmulator();
    return {
      origin: server.apiEndpoint,
      url: (bucket, prefix) => `gs://${bucket}/${prefix}`,
      options: (origin, retry) => ({
        env: {},
        ...(retry === undefined ? {} : { retry }),
        gcs: {
          apiEndpoint: origin,
          projectId: server.projectId,
          ...(origin === server.apiEndpoint ? {} : { timeoutMs: 1000 }),
        },
      }),
      // A resumable session (its URLs come from the Host header: the proxy must keep the client's).
      streaming: {
        options: (base) => ({ ...base, gcs: { ...base.gcs, resumableThreshold: 1024 } }),
        bodyBytes: 64 * 1024,
        uploads: 20,
        preserveHost: true,
      },
      stop: () => server.stop(),
    };
  });

const RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 2, maxDelayMs: 20 };

/** A proxy with the given faults in front of the backend's server, and openers through it and around it. */
async function faultyServer(backend: FaultBackend, faults: Omit<FaultOptions, 'target' | 'flavour'>) {
  const server = await backend.server();
  const proxy = await startFaultProxy({ ...faults, target: server.origin, flavour: backend.flavour });
  return {
    server,
    proxy,
    faulty: (bucket: string, prefix: string, retry = RETRY) =>
      openVfs(server.url(bucket, prefix), server.options(proxy.endpoint, retry)),
    direct: (bucket: string, prefix: string) => openVfs(server.url(bucket, prefix), server.options(server.origin)),
  };
}

function body(i: number): string {
  return `object ${i}\n`.repeat(200 + i);
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

/** Vfs core operations: writes, reads, stats, listings, conditional writes, the retry budget. */
export function describeVfsFaults(backend: FaultBackend, seed = 20261124): void {
  describe(`${backend.name} Vfs through injected faults`, () => {
    let env: Awaited<ReturnType<typeof faultyServer>>;
    let faulty: Vfs;
    let direct: Vfs;

    beforeAll(async () => {
      env = await faultyServer(backend, { seed, errorRate: 0.15, dropRate: 0.03, resetRate: 0.03, latencyMs: 5 });
      faulty = await env.faulty('faults', 'run');
      direct = await env.direct('faults', 'run');
    });

    afterAll(async () => {
      await faulty?.close();
      await direct?.close();
      await env?.proxy.stop();
    });

    it('completes 40 writes, reads, stats and listings through retries, storing every object whole', async () => {
      for (let i = 0; i < 40; i++) {
        await faulty.write(`plain/${i}`, body(i));
        expect(text((await faulty.read(`plain/${i}`)).body)).toBe(body(i));
        expect((await faulty.stat(`plain/${i}`)).size).toBe(Buffer.byteLength(body(i)));
      }
      const listed: string[] = [];
      for await (const info of faulty.listAll({ prefix: 'plain/', pageSize: 7 })) listed.push(info.key);
      expect(listed).toHaveLength(40);
      for (let i = 0; i < 40; i++) expect(text((await direct.read(`plain/${i}`)).body)).toBe(body(i));
      const { errors, drops, resets } = env.proxy.stats;
      expect(errors + drops + resets).toBeGreaterThan(10);
    });

    it('resolves ambiguous conditional writes by reading back: the stored object is always one whole version', async () => {
      // A reset after the server applied a create means the retry sees AlreadyExists for a write
      // that did land. The caller can tell by reading back; the object is never partial.
      for (let i = 0; i < 30; i++) {
        const key = `create/${i}`;
        try {
          await faulty.write(key, body(i), { ifNoneMatch: '*' });
        } catch (err) {
          if (!isStateStoreError(err, 'AlreadyExists')) throw err;
        }
        expect(text((await direct.read(key)).body)).toBe(body(i));
      }
      let version = (await faulty.write('cas/counter', '0')).version;
      for (let i = 1; i <= 30; i++) {
        try {
          version = (await faulty.write('cas/counter', String(i), { ifMatch: version })).version;
        } catch (err) {
          if (!isStateStoreError(err, 'PreconditionFailed')) throw err;
          const current = await faulty.read('cas/counter');
          expect(text(current.body)).toBe(String(i)); // our write landed
          version = current.info.version;
        }
      }
      expect(text((await direct.read('cas/counter')).body)).toBe('30');
    });

    it('fails with a typed retryable error once the retry budget is spent, after exactly that many attempts', async () => {
      const down = await startFaultProxy({
        target: env.server.origin,
        seed: 1,
        errorRate: 1,
        flavour: backend.flavour,
      });
      const vfs = await openVfs(
        env.server.url('faults', 'run'),
        env.server.options(down.endpoint, { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 }),
      );
      try {
        const err = await vfs.write('budget/x', 'x').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStateStoreError(err)).toBe(true);
        expect(['RateLimited', 'Unavailable']).toContain((err as { code: string }).code);
        expect((err as { retryable: boolean }).retryable).toBe(true);
        // An s3:// store's first write also asks the bucket's default encryption once, without
        // retrying (kops's s3context.go); that question is not an attempt of the write.
        expect(down.paths.filter((p) => !/[?&]encryption(=|&|$)/.test(p))).toHaveLength(4);
        expect(
          await direct.stat('budget/x').then(
            () => 'present',
            (e: { code: string }) => e.code,
          ),
        ).toBe('NotFound');
      } finally {
        await vfs.close();
        await down.stop();
      }
    });
  });
}

/** mergeConfig under contention and moveStateStore through faults. */
export function describeStoreFaults(backend: FaultBackend, seed = 8): void {
  const tree = TREES[0]!;

  describe(`${backend.name} StateStore through injected faults`, () => {
    let env: Awaited<ReturnType<typeof faultyServer>>;
    let proxy: FaultProxy;

    beforeAll(async () => {
      env = await faultyServer(backend, { seed, errorRate: 0.12, dropRate: 0.03, resetRate: 0.03, latencyMs: 3 });
      proxy = env.proxy;
    });

    afterAll(async () => {
      await proxy?.stop();
    });

    it('16 concurrent mergeConfig calls through faults: every change present, config always whole', async () => {
      const setup = await env.direct('faults', 'merge');
      await loadTree(setup, tree);
      const stores = await Promise.all(
        Array.from({ length: 16 }, async () => await openStateStore(await env.faulty('faults', 'merge'))),
      );
      const before = proxy.stats.errors + proxy.stats.drops + proxy.stats.resets;
      await Promise.all(
        stores.map((store, i) => store.mergeConfig(tree.cluster, { set: [`spec.cloudLabels.client-${i}=ok`] })),
      );
      const stored = text((await setup.read(`${tree.cluster}/config`)).body);
      const config = parseYamlDocuments(stored)[0]!.value as {
        spec: { cloudLabels: Record<string, string>; kubernetesVersion: string };
      };
      for (let i = 0; i < 16; i++) expect(config.spec.cloudLabels[`client-${i}`]).toBe('ok');
      expect(config.spec.kubernetesVersion).toBe('v1.34.0-alpha.1');
      expect(proxy.stats.errors + proxy.stats.drops + proxy.stats.resets - before).toBeGreaterThan(0);
      await Promise.all(stores.map((store) => store.close()));
      await setup.close();
    });

    it('moveStateStore through faults: the copy is complete and identical, and a rerun copies nothing', async () => {
      const sourceDirect = await env.direct('faults', 'source');
      await loadTree(sourceDirect, tree);
      const from = await env.faulty('faults', 'source');
      const to = await env.faulty('moved', 'target');
      const before = proxy.stats.errors + proxy.stats.drops + proxy.stats.resets;
      const result = await moveStateStore({ from, to, concurrency: 8 });
      expect(result.clusters[0]!.copied).toBe(treeFiles(tree).size);
      const check = await env.direct('moved', 'target');
      for (const [key, bytes] of treeFiles(tree)) {
        if (key.endsWith('/config')) continue;
        expect(Buffer.from((await check.read(key)).body).equals(bytes)).toBe(true);
      }
      expect(await (await openStateStore(check)).listClusters()).toEqual([tree.cluster]);
      const rerun = await moveStateStore({ from, to });
      expect(rerun.clusters[0]!.copied).toBe(0);
      expect(proxy.stats.errors + proxy.stats.drops + proxy.stats.resets - before).toBeGreaterThan(0);
      await Promise.all([from.close(), to.close(), check.close(), sourceDirect.close()]);
    });
  });
}

/**
 * Streamed uploads that take several requests (S3 multipart, Azure staged blocks, a GCS resumable
 * session) through faults. A consumed stream cannot be replayed, so an upload may fail, but only
 * with a typed retryable error; what is stored is the whole body or nothing (the whole body when
 * only the answer to the final request was lost).
 */
export function describeStreamFaults(backend: FaultBackend, seed = 5): void {
  describe(`${backend.name} streamed uploads through injected faults`, () => {
    it('each completes, or fails with a typed retryable error; what is stored is whole or absent', async () => {
      const server = await backend.server();
      const { streaming } = server;
      const proxy = await startFaultProxy({
        target: server.origin,
        seed,
        errorRate: 0.15,
        resetRate: 0.05,
        dropRate: 0.03,
        flavour: backend.flavour,
        ...(streaming.preserveHost ? { preserveHost: true } : {}),
      });
      const faulty = await openVfs(
        server.url('faults', 'streams'),
        streaming.options(server.options(proxy.endpoint, RETRY)),
      );
      const direct = await openVfs(server.url('faults', 'streams'), server.options(server.origin));
      let completed = 0;
      try {
        for (let i = 0; i < streaming.uploads; i++) {
          const bytes = Buffer.alloc(streaming.bodyBytes + i, i);
          const error = await faulty.writeStream(`up/${i}`, Readable.from([bytes])).then(
            () => undefined,
            (err: unknown) => err,
          );
          const stored = await direct.read(`up/${i}`).then(
            (read) => Buffer.from(read.body),
            (err: unknown) => err,
          );
          if (error === undefined) completed += 1;
          else expect(isStateStoreError(error) && error.retryable ? 'retryable' : error).toBe('retryable');
          if (Buffer.isBuffer(stored)) expect(stored.equals(bytes)).toBe(true);
          else
            expect({ error: error === undefined ? 'none' : 'failed', stored }).toMatchObject({
              error: 'failed',
              stored: { code: 'NotFound' },
            });
        }
        expect(completed).toBeGreaterThan(0);
        expect(proxy.stats.requests).toBeGreaterThan(streaming.uploads); // uploads of several requests each
        expect(proxy.stats.errors + proxy.stats.resets + proxy.stats.drops).toBeGreaterThan(0);
      } finally {
        await Promise.all([faulty.close(), direct.close(), proxy.stop()]);
      }
    }, 120_000);
  });
}

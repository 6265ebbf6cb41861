/**
 * Leases across processes on file://: 8 processes contend for one cluster's lease (40 holds in
 * all, 16 of them abandoned and taken over after their ttl), with a holder count kept in a
 * shared folder that must never exceed one; and a holder killed with SIGKILL, whose lease is
 * refused to others while live and taken over once its ttl has passed.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/index.js';
import { createStoreLeases } from '../../src/store/lease/index.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';
import { nodeEntry } from '../servers/node-entry.js';

afterAll(removeTempDirs);

const run = promisify(execFile);
// Run from Jest's prebuilt bundle when there is one: 9 processes without tsx's start-up each.
const WORKER = nodeEntry('test/store/lease-worker.ts');
const PROCESSES = 8;
const PER_PROCESS = 5;
const cluster = 'race.example.com';

/** Leases are on existing clusters (NotFound otherwise): a store folder whose cluster has a config. */
function withCluster(store: string): void {
  mkdirSync(path.join(store, cluster), { recursive: true });
  writeFileSync(path.join(store, cluster, 'config'), 'kind: Cluster\n');
}

describe('leases across processes (file://)', () => {
  it(`${PROCESSES} processes, ${PROCESSES * PER_PROCESS} holds: exactly one holder at any time`, async () => {
    const dir = await tempDir('statestore-lease-');
    const holders = path.join(dir, 'holders');
    const store = path.join(dir, 'store');
    mkdirSync(holders);
    withCluster(store);
    const url = pathToFileURL(store).href;
    const outputs = await Promise.all(
      Array.from({ length: PROCESSES }, (_, i) =>
        run(process.execPath, [...WORKER, 'contend', url, holders, String(PER_PROCESS), `process-${i}`], {
          timeout: 240_000,
        }),
      ),
    );
    const reports = outputs.map((out) => JSON.parse(out.stdout) as { held: number; violations: string[] });
    expect(reports.flatMap((report) => report.violations)).toEqual([]);
    expect(reports.reduce((sum, report) => sum + report.held, 0)).toBe(PROCESSES * PER_PROCESS);
  }, 300_000);

  it('a holder killed with SIGKILL keeps the lease until its ttl, then another takes it over', async () => {
    const dir = await tempDir('statestore-lease-');
    withCluster(dir);
    const url = pathToFileURL(dir).href;
    const child = spawn(process.execPath, [...WORKER, 'hold', url, '3000', 'doomed'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
      child.on('exit', (code) => reject(new Error(`holder exited early (${code})`)));
    });
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const vfs = await openVfs(url);
    const leases = createStoreLeases(vfs);
    const refused = await leases.acquireLease(cluster, { owner: 'next' }).catch((err: unknown) => err);
    expect(isStateStoreError(refused, 'Conflict')).toBe(true);
    expect((refused as Error).message).toContain('"doomed"');
    const abandoned = (await leases.readLease(cluster))!;
    expect(abandoned.owner).toBe('doomed');

    const next = await leases.acquireLease(cluster, { owner: 'next', wait: true, pollMs: 50, skewMs: 0 });
    // Taken only once the dead holder's expiry had passed, by this clock.
    expect(Date.now()).toBeGreaterThan(abandoned.expiresAt.getTime());
    expect((await leases.readLease(cluster))?.owner).toBe('next');
    await next.release();
    await vfs.close();
  }, 60_000);
});

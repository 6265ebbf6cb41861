/**
 * Ceph RADOS Gateway 16.2 (Debian 12's `radosgw`) for the tests: a real S3 implementation, not our
 * emulation of one (issue #32). One monitor, one in-memory OSD and the gateway on 127.0.0.1, in a
 * temp folder, started in ~2 s (rgw-cluster.ts has the configuration and the figures) by a
 * supervisor process (rgw-child.ts) that removes everything when stopped or when the process that
 * started it exits, however it exits.
 *
 * Test files normally share one gateway per Jest run: `sharedRgw()` (shared-rgw.ts). `startRgw()`
 * starts a private one (it is what the run's global setup calls).
 *
 * @example
 * ```ts
 * const rgw = await startRgw();
 * await rgw.createBucket('state', { versioning: true });
 * const vfs = await openVfs('s3://state/prefix', { env: {}, s3: rgw.s3 });
 * await rgw.stop();
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { waitForLine } from './child.js';
import { nodeEntry } from './node-entry.js';
import { RGW_CREDENTIALS, assertRgwInstalled } from './rgw-cluster.js';
import type { RgwAnnouncement } from './rgw-child.js';

export { RGW_CREDENTIALS, RGW_DNS_NAME, RGW_INSTALL_HINT } from './rgw-cluster.js';
export type { RgwAnnouncement } from './rgw-child.js';

/** The region the gateway answers for (its default zonegroup accepts any; the SDK needs one). */
export const RGW_REGION = 'us-east-1';

/** Options of {@link RgwHandle.createBucket}. */
export interface RgwBucketOptions {
  /** Turns on object versioning (every overwrite keeps the previous version). */
  versioning?: boolean;
}

/** A running gateway. */
export interface RgwHandle {
  /** `http://127.0.0.1:<port>`, the S3 API. */
  endpoint: string;
  /** What `openVfs(url, { s3 })` needs: endpoint, credentials, region, no server-side encryption. */
  s3: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    serverSideEncryption: 'none';
  };
  /** Milliseconds the cluster took from its first command to answering S3. */
  startMs: number;
  /** Creates a bucket (and turns on versioning when asked); an existing bucket of ours is kept. */
  createBucket(name: string, options?: RgwBucketOptions): Promise<void>;
  /** Stops a gateway this process started; a no-op on the run's shared gateway. */
  stop(): Promise<void>;
}

/** The handle of an announced gateway; `stop` is what stopping means for the caller. */
export function rgwHandle(announced: { endpoint: string; startMs: number }, stop: () => Promise<void>): RgwHandle {
  const s3 = {
    endpoint: announced.endpoint,
    region: RGW_REGION,
    credentials: { ...RGW_CREDENTIALS },
    serverSideEncryption: 'none' as const,
  };
  const createBucket = async (name: string, options: RgwBucketOptions = {}) => {
    const sdk = await import('@aws-sdk/client-s3');
    const client = new sdk.S3Client({ ...s3, forcePathStyle: true });
    try {
      await client.send(new sdk.CreateBucketCommand({ Bucket: name })).catch((err: Error) => {
        // Ours already (a previous test file of this process, or another worker of the run).
        if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
      });
      if (options.versioning === true)
        await client.send(
          new sdk.PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
        );
    } finally {
      client.destroy();
    }
  };
  return { endpoint: announced.endpoint, s3, startMs: announced.startMs, createBucket, stop };
}

/** The supervisor, not yet booted: in a process group of its own, with a pipe whose end stops it. */
export function spawnRgwSupervisor(env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--no-warnings', ...nodeEntry('test/servers/rgw-child.ts')], {
    cwd: REPO_ROOT,
    // Not the run's state file that a Jest worker inherits: a private gateway announces on stdout only.
    env: { ...process.env, STATESTORE_RGW_STATE: '', STATESTORE_RGW_PARENT: String(process.pid), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
}

/**
 * Stops a supervisor: SIGTERM (it kills its daemons and removes its folder), then, if it is still
 * there after 15 s, SIGKILL to its whole process group (the daemons are in it).
 */
export async function stopRgwSupervisor(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.ref(); // detached earlier: this process waits for it now
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(child), 15_000);
    await exited;
    clearTimeout(timer);
  }
  killGroup(child); // a daemon that outlived its supervisor
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // the group is empty
  }
}

/** Lets this process exit while the supervisor runs (it stops itself when this process is gone). */
export function detachRgwSupervisor(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr] as Array<Writable | Readable | null>)
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
}

/** Starts a private gateway; resolves once it answers S3 with the test user. */
export async function startRgw(): Promise<RgwHandle> {
  await assertRgwInstalled();
  const child = spawnRgwSupervisor();
  try {
    const announced = await waitForLine(child, 'rgw supervisor', (line) => {
      const message = JSON.parse(line) as RgwAnnouncement;
      if ('error' in message) throw new Error(`Ceph RADOS Gateway did not start: ${message.error}`);
      return message;
    });
    detachRgwSupervisor(child);
    return rgwHandle(announced, () => stopRgwSupervisor(child));
  } catch (err) {
    await stopRgwSupervisor(child);
    throw err;
  }
}

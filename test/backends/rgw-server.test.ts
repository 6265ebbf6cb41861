/**
 * The test gateway itself (test/servers/rgw.ts): a versioned bucket on request, and no Ceph
 * process or folder left behind when the process that started the supervisor goes away, whether
 * its pipe closes (Jest killed) or only its pid disappears.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { processAlive, processGroupMembers, waitForLine } from '../servers/child.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { spawnRgwSupervisor, stopRgwSupervisor, type RgwAnnouncement } from '../servers/rgw.js';

async function announced(supervisor: ChildProcess): Promise<{ dir: string; pids: number[] }> {
  const message = await waitForLine(supervisor, 'rgw supervisor', (line) => JSON.parse(line) as RgwAnnouncement);
  if ('error' in message) throw new Error(message.error);
  return { dir: message.dir, pids: processGroupMembers(supervisor.pid!) };
}

async function gone(supervisor: ChildProcess, dir: string, pids: number[]): Promise<void> {
  await new Promise<void>((resolve) =>
    supervisor.exitCode !== null ? resolve() : supervisor.once('exit', () => resolve()),
  );
  expect(existsSync(dir)).toBe(false);
  expect(pids.filter(processAlive)).toEqual([]);
}

it('creates a bucket with object versioning on request', async () => {
  const rgw = await sharedRgw();
  await rgw.createBucket('rgw-versioned', { versioning: true });
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({ ...rgw.s3, forcePathStyle: true });
  try {
    for (const body of ['one', 'two'])
      await client.send(new sdk.PutObjectCommand({ Bucket: 'rgw-versioned', Key: 'k', Body: body }));
    const versions = await client.send(new sdk.ListObjectVersionsCommand({ Bucket: 'rgw-versioned', Prefix: 'k' }));
    expect(versions.Versions).toHaveLength(2);
  } finally {
    client.destroy();
  }
});

it('removes every daemon and its folder when its parent goes, by pipe or by pid', async () => {
  // Closing the pipe: what Jest's exit does, even by SIGKILL.
  const piped = spawnRgwSupervisor();
  // Only the pid: a parent that handed its stdin on; here a `sleep` that is killed.
  const parent = spawn('sleep', ['120'], { stdio: 'ignore' });
  const polled = spawnRgwSupervisor({ STATESTORE_RGW_PARENT: String(parent.pid) });
  try {
    const [first, second] = await Promise.all([announced(piped), announced(polled)]);
    expect(first.pids).toHaveLength(3);
    expect(second.pids).toHaveLength(3);
    piped.stdin!.destroy();
    parent.kill('SIGKILL');
    await Promise.all([gone(piped, first.dir, first.pids), gone(polled, second.dir, second.pids)]);
  } finally {
    parent.kill('SIGKILL');
    await Promise.all([stopRgwSupervisor(piped), stopRgwSupervisor(polled)]);
  }
}, 120_000);

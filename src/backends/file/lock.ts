import { createHash } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { StateStoreError } from '../../vfs/errors.js';
import { sleep } from '../../vfs/retry.js';
import { errnoOf } from './errors.js';

/** Every file the backend keeps for itself starts with this; listings hide them and keys may not use it. */
export const RESERVED_PREFIX = '.statestore-';

export interface LockOptions {
  timeoutMs: number;
  staleMs: number;
  signal?: AbortSignal;
  key: string;
}

/**
 * Runs `fn` holding an exclusive lock on `target`, shared by every process on the machine:
 * the lock is a sibling file created with O_EXCL. An in-process mutex would not protect
 * against kops or another Node process writing the same store.
 *
 * A lock left by a crashed writer is broken when its owner process is gone (same host) or it is
 * older than `staleMs`. Waiting longer than `timeoutMs` fails with Conflict (retryable).
 */
export async function withFileLock<T>(target: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  // Hashed, so the lock name stays short whatever the length of the target's name.
  const lockPath = path.join(path.dirname(target), `${RESERVED_PREFIX}lock-${createHash('sha256').update(path.basename(target)).digest('hex').slice(0, 24)}`);
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryAcquire(lockPath)) break;
    if (await isStale(lockPath, options.staleMs)) {
      await breakLock(lockPath);
      continue;
    }
    if (Date.now() > deadline) {
      throw new StateStoreError('Conflict', `file: timed out waiting for the lock on ${JSON.stringify(options.key)}`, { key: options.key, backend: 'file' });
    }
    await sleep(Math.min(50, 1 + attempt) * Math.random() + 1, options.signal);
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function tryAcquire(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() }));
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const info = await stat(lockPath);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const owner = JSON.parse(await readFile(lockPath, 'utf8')) as { pid?: number; host?: string };
    if (owner.host === hostname() && typeof owner.pid === 'number' && owner.pid !== process.pid) {
      return !processAlive(owner.pid);
    }
    return false;
  } catch {
    // Vanished (released) or half-written (being created): not stale, just try again.
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

/** Renames the stale lock aside first, so that of several breakers only one removes it. */
async function breakLock(lockPath: string): Promise<void> {
  const aside = `${lockPath}-stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(lockPath, aside);
    await unlink(aside);
  } catch {
    // Someone else broke or released it first.
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { link, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { StateStoreError } from '../../errors.js';
import { sleep } from '../../vfs/retry.js';
import { errnoOf } from './errors.js';

/** Every file the backend keeps for itself starts with this; listings hide them and keys may not use it. */
export const RESERVED_PREFIX = '.statestore-';

/**
 * An unreadable lock (empty or half-written) older than this is broken. This version never shows
 * one (a lock appears complete, see {@link tryAcquire}); an older version killed between creating
 * its lock and writing its owner left one, which blocked every writer until `staleMs`.
 */
const UNREADABLE_LOCK_MS = 1_000;
/** A breaker's guard (held for one stat and one unlink) older than this was left by a killed breaker. */
const ABANDONED_GUARD_MS = 2_000;

export interface LockOptions {
  timeoutMs: number;
  staleMs: number;
  signal?: AbortSignal;
  key: string;
}

interface Owner {
  pid?: number;
  host?: string;
  time?: number;
  token?: string;
}

/** The lock file of `target`: a sibling, hashed so the name stays short whatever the length of the target's name. */
export function lockPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `${RESERVED_PREFIX}lock-${createHash('sha256').update(path.basename(target)).digest('hex').slice(0, 24)}`,
  );
}

/**
 * Runs `fn` holding an exclusive lock on `target`, shared by every process on the machine:
 * the lock is a sibling file that appears with link(), which fails if the name exists. An
 * in-process mutex would not protect against kops or another Node process writing the same store.
 *
 * A lock left by a crashed writer is broken when its owner process is gone (same host) or it is
 * older than `staleMs`. Waiting longer than `timeoutMs` fails with Conflict (retryable).
 */
export async function withFileLock<T>(target: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lockPath = lockPathFor(target);
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + options.timeoutMs;
  const candidate = await writeCandidate(lockPath, token);
  try {
    for (let attempt = 0; ; attempt++) {
      if (await tryAcquire(candidate, lockPath)) break;
      if (await isStale(lockPath, options.staleMs)) {
        await breakLock(lockPath, options.staleMs);
        continue;
      }
      if (Date.now() > deadline) {
        throw new StateStoreError(
          'Conflict',
          `file: timed out waiting for the lock on ${JSON.stringify(options.key)}`,
          { key: options.key, backend: 'file' },
        );
      }
      await sleep(Math.min(50, 1 + attempt) * Math.random() + 1, options.signal);
    }
  } finally {
    await unlink(candidate).catch(() => undefined);
  }
  try {
    return await fn();
  } finally {
    await release(lockPath, token);
  }
}

/** The lock's content, complete, in a temp file beside it (hidden from listings like every reserved name). */
async function writeCandidate(lockPath: string, token: string): Promise<string> {
  const candidate = path.join(path.dirname(lockPath), `${RESERVED_PREFIX}tmp-lock-${randomBytes(6).toString('hex')}`);
  const owner: Owner = { pid: process.pid, host: hostname(), time: Date.now(), token };
  await writeFile(candidate, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
  return candidate;
}

/**
 * Links the complete candidate to the lock's name. Creating the lock with O_EXCL and then writing
 * the owner into it would leave an empty lock if the writer is killed in between, and an empty
 * lock cannot be told from one being written.
 */
async function tryAcquire(candidate: string, lockPath: string): Promise<boolean> {
  try {
    await link(candidate, lockPath);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  }
}

/** Removes the lock only if it is still this holder's (it may have been broken as stale and taken by another). */
async function release(lockPath: string, token: string): Promise<void> {
  const owner = await readFile(lockPath, 'utf8').then(
    (text) => JSON.parse(text) as Owner,
    () => undefined,
  );
  if (owner?.token === token) await unlink(lockPath).catch(() => undefined);
}

/** Reads the lock and its age (since it was linked into place) from one open file, so both describe the same lock. */
async function inspect(lockPath: string): Promise<{ ageMs: number; owner: Owner | undefined } | undefined> {
  let handle;
  try {
    handle = await open(lockPath, 'r');
  } catch {
    return undefined; // released
  }
  try {
    const info = await handle.stat();
    const text = await handle.readFile('utf8');
    let owner: Owner | undefined;
    try {
      owner = JSON.parse(text) as Owner;
    } catch {
      owner = undefined;
    }
    return { ageMs: Date.now() - info.ctimeMs, owner };
  } finally {
    await handle.close();
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  const lock = await inspect(lockPath).catch(() => undefined);
  if (lock === undefined) return false; // released: just try again
  if (lock.ageMs > staleMs) return true;
  if (lock.owner === undefined) return lock.ageMs > UNREADABLE_LOCK_MS;
  const { pid, host } = lock.owner;
  if (host === hostname() && typeof pid === 'number' && pid !== process.pid) return !processAlive(pid);
  return false;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

/**
 * Breaks a stale lock under a guard, checking again that it is stale: two breakers that both saw
 * the dead writer's lock would otherwise remove it and then, the slower of them, the lock the
 * faster one had meanwhile taken, letting two writers in. A breaker killed while holding the guard
 * leaves it; it is removed once old.
 */
async function breakLock(lockPath: string, staleMs: number): Promise<void> {
  const guard = `${lockPath}-breaking`;
  try {
    await (await open(guard, 'wx', 0o600)).close();
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') {
      const left = await inspect(guard).catch(() => undefined);
      if (left !== undefined && left.ageMs > ABANDONED_GUARD_MS) await unlink(guard).catch(() => undefined);
    }
    return; // another breaker is at it: try to acquire again
  }
  try {
    if (await isStale(lockPath, staleMs)) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

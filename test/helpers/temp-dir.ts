/**
 * Private temporary folders for tests, removed together by {@link removeTempDirs} (call it from
 * `afterAll` or `afterEach`), so a test file never leaves its folders behind in the system's
 * temporary directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

/** A new empty folder under the system's temporary directory, its name starting with `prefix`. */
export async function tempDir(prefix = 'statestore-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made so far in this test file. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * package-lock.json holds no registry tarball URLs (issue 27 item 12): the project's .npmrc sets
 * omit-lockfile-registry-resolved, so whatever a contributor's own npm config or registry, an
 * install reads the locked versions by name, version and integrity and leaves the lock as it is.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/index.js';

describe('package-lock.json', () => {
  it('records no "resolved" URL, and npm in the project is told not to write any', () => {
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string; integrity?: string }>;
    };
    const packages = Object.entries(lock.packages).filter(([key]) => key !== '');
    expect(packages.length).toBeGreaterThan(100);
    expect(packages.filter(([, entry]) => entry.resolved !== undefined).map(([key]) => key)).toEqual([]);
    // Every installed package is still pinned: a version and its integrity (links have neither).
    const unpinned = packages.filter(([, entry]) => entry.version !== undefined && entry.integrity === undefined);
    expect(unpinned.map(([key]) => key)).toEqual([]);
    const setting = execFileSync('npm', ['config', 'get', 'omit-lockfile-registry-resolved'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(setting.trim()).toBe('true');
  });
});

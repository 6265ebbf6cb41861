import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/errors.js';
import { runConformance } from '../conformance/suite.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

const freshDir = (): Promise<string> => tempDir('statestore-file-');
afterAll(removeTempDirs);

/** Descriptors this process holds on files under `root` (Linux's /proc/self/fd). */
function descriptorsUnder(root: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${root}/`)) count++;
    } catch {
      // closed between the listing and the readlink
    }
  }
  return count;
}

/**
 * The file system as the file store's "server": bytes received are the sizes of the files under
 * `root` (temp files included), bytes sent the read offsets of this process's descriptors on them.
 */
function bytesUnder(root: string): { received: number; sent: number } {
  let received = 0;
  const entries = existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }) : [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    try {
      received += statSync(path.join(entry.parentPath, entry.name)).size;
    } catch {
      // renamed or removed since the listing
    }
  }
  let sent = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (!readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${root}/`)) continue;
      sent += Number(/^pos:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? 0);
    } catch {
      // closed between the listing and the read
    }
  }
  return { received, sent };
}

let storeRoot = '';
runConformance({
  name: 'file',
  open: async () => {
    storeRoot = `${await freshDir()}/store`;
    return openVfs(`file://${storeRoot}`);
  },
  largeObjectBytes: 64 * 1024 * 1024,
  connections: () => {
    const held = descriptorsUnder(storeRoot);
    return { open: held, busy: held };
  },
  transferred: () => bytesUnder(storeRoot),
});

describe('file backend', () => {
  it('opens bare paths and file:// URLs to the same folder', async () => {
    const dir = await freshDir();
    const a = await openVfs(dir);
    const b = await openVfs(`file://${dir}`);
    await a.write('x/y', 'z');
    expect(Buffer.from((await b.read('x/y')).body).toString()).toBe('z');
    expect(b.url).toBe(`file://${dir}`);
  });

  it('writes files 0600 and folders 0700', async () => {
    const dir = await freshDir();
    const vfs = await openVfs(dir);
    await vfs.write('cluster/pki/private/ca/keyset.yaml', 'secret');
    expect((await stat(path.join(dir, 'cluster/pki/private/ca/keyset.yaml'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'cluster/pki/private'))).mode & 0o777).toBe(0o700);
  });

  it('refuses a symlink that points out of the root, touching nothing outside', async () => {
    const outside = await freshDir();
    await writeFile(path.join(outside, 'secret'), 'outside');
    const dir = await freshDir();
    await mkdir(path.join(dir, 'inside'));
    await symlink(outside, path.join(dir, 'inside/escape'));
    await symlink(path.join(outside, 'secret'), path.join(dir, 'inside/file-link'));
    const vfs = await openVfs(dir);
    for (const call of [
      vfs.read('inside/escape/secret'),
      vfs.write('inside/escape/planted', 'x'),
      vfs.write('inside/escape/new/deeper', 'x'),
      vfs.read('inside/file-link'),
      vfs.write('inside/file-link', 'x'),
      // Create-only writes check the key once link() finds the name taken: refused the same.
      vfs.write('inside/file-link', 'x', { ifNoneMatch: '*' }),
      vfs.stat('inside/file-link'),
      vfs.delete('inside/escape/secret'),
      vfs.copy('inside/file-link', 'copied'),
      vfs.list({ prefix: 'inside/escape/' }),
    ]) {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
    }
    expect((await readdir(outside)).sort()).toEqual(['secret']);
  });

  it('refuses keys that use its reserved temp and lock names', async () => {
    const vfs = await openVfs(await freshDir());
    const err = await vfs.write('a/.statestore-lock-b', 'x').catch((e: unknown) => e);
    expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
  });

  it('leaves no temp or lock files behind and hides them from listings', async () => {
    const dir = await freshDir();
    const vfs = await openVfs(dir);
    const v = await vfs.write('c/config', 'one');
    await vfs.write('c/config', 'two', { ifMatch: v.version });
    await vfs.write('c/config', 'three', { ifNoneMatch: '*' }).catch(() => undefined);
    await writeFile(path.join(dir, 'c/.statestore-tmp-leftover'), 'crash debris');
    expect((await vfs.list({ prefix: 'c/' })).objects.map((o) => o.key)).toEqual(['c/config']);
    expect((await readdir(path.join(dir, 'c'))).sort()).toEqual(['.statestore-tmp-leftover', 'config']);
  });
});

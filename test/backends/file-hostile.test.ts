/**
 * Issue #14.8 on the file backend: an over-long path segment is InvalidArgument (was Unknown),
 * a URL whose path decodes to NUL is refused at open, `copy` writes 0600 whatever the source's
 * mode, and listing page by page is linear (it re-walked and stat-ed the whole tree per page).
 */
import { chmod, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

const freshDir = (): Promise<string> => tempDir('statestore-file-hostile-');
afterAll(removeTempDirs);

async function listAllKeys(vfs: Vfs, options: { prefix?: string; pageSize?: number } = {}): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of vfs.listAll(options)) keys.push(info.key);
  return keys;
}

describe('file backend, hostile input', () => {
  it('answers an over-long path segment with InvalidArgument on every call', async () => {
    const vfs = await openVfs(await freshDir());
    const long = 'x'.repeat(256);
    const calls: Array<() => Promise<unknown>> = [
      () => vfs.read(long),
      () => vfs.stat(`a/${long}`),
      () => vfs.write(`a/${long}`, 'z'),
      () => vfs.delete(long),
      () => vfs.readStream(`${long}/b`),
      () => vfs.copy('a', long),
      () => vfs.list({ prefix: `${long}/` }),
    ];
    for (const call of calls)
      await expect(call()).rejects.toMatchObject({
        code: 'InvalidArgument',
        message: expect.stringContaining('longer than 255 bytes'),
      });
    // 255 bytes is still a name.
    await vfs.write('x'.repeat(255), 'ok');
    expect((await vfs.stat('x'.repeat(255))).size).toBe(2);
  });

  it('refuses a URL whose path decodes to NUL at open', async () => {
    const dir = await freshDir();
    await expect(openVfs(`file://${dir}/a%00b`)).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('NUL'),
    });
    await expect(openVfs(`memfs://a%00b`)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('copies into a 0600 file whatever the mode of the source', async () => {
    const dir = await freshDir();
    const vfs = await openVfs(dir);
    await writeFile(path.join(dir, 'by-hand'), 'placed by hand', { mode: 0o644 });
    await chmod(path.join(dir, 'by-hand'), 0o644);
    await vfs.copy('by-hand', 'copies/one');
    expect((await stat(path.join(dir, 'copies/one'))).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await vfs.read('copies/one')).body).toString()).toBe('placed by hand');
  });

  it('lists in UTF-8 byte order across folders, page by page and by delimiter', async () => {
    const dir = await freshDir();
    const vfs = await openVfs(dir);
    const keys = ['a-c', 'a/b', 'a/b-c', 'a/b/c', 'a0', 'b/\u{e000}', 'b/\u{1f600}', 'b/z', 'c/d/e/f', 'c/d/e-f'];
    for (const key of keys.filter((k) => !keys.some((other) => other.startsWith(`${k}/`)))) await vfs.write(key, key);
    const stored = (await listAllKeys(vfs)).slice();
    const expected = [...stored].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(stored).toEqual(expected);
    for (const pageSize of [1, 2, 3]) expect(await listAllKeys(vfs, { pageSize })).toEqual(expected);
    expect(await listAllKeys(vfs, { prefix: 'a/b', pageSize: 1 })).toEqual(expected.filter((k) => k.startsWith('a/b')));
    const prefixes: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await vfs.list({ delimiter: '/', pageSize: 1, pageToken });
      prefixes.push(...page.prefixes, ...page.objects.map((o) => o.key));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(prefixes).toEqual(['a-c', 'a/', 'a0', 'b/', 'c/']);
  });

  it('lists 2,000 keys 5 at a time without re-walking the tree per page', async () => {
    const dir = await freshDir();
    for (let f = 0; f < 20; f++) {
      await mkdir(path.join(dir, `c${f}`), { recursive: true });
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => writeFile(path.join(dir, `c${f}`, `k${i}`), 'x', { mode: 0o600 })),
      );
    }
    const vfs = await openVfs(dir);
    // Work, not time: count the stat calls. A walk of the whole tree per page costs 400 pages x
    // 2,000 files = 800k stats; a linear listing stats each returned file once, plus its folders.
    // The module object itself (the sources' compiled imports read their functions from it at call time).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS module object itself is what is spied on / loaded a second time
    const stats = jest.spyOn(require('node:fs/promises') as typeof import('node:fs/promises'), 'stat');
    const keys = await listAllKeys(vfs, { pageSize: 5 });
    const calls = stats.mock.calls.length;
    stats.mockRestore();
    expect(keys).toHaveLength(2000);
    expect(new Set(keys).size).toBe(2000);
    expect(calls).toBeGreaterThanOrEqual(2000);
    expect(calls).toBeLessThan(10_000);
  });

  it('resumes a large settled folder from its cached listing, and still sees keys added between pages', async () => {
    const dir = await freshDir();
    await mkdir(path.join(dir, 'big'));
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        writeFile(path.join(dir, 'big', `k${String(i).padStart(3, '0')}`), 'x', { mode: 0o600 }),
      ),
    );
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(path.join(dir, 'big'), hourAgo, hourAgo);
    const vfs = await openVfs(dir);
    const first = await vfs.list({ pageSize: 100 });
    expect(first.objects.at(-1)!.key).toBe('big/k099');
    // Changes after the folder was cached: one key ahead of the cursor added, one removed.
    await vfs.write('big/k150a', 'new');
    await vfs.delete('big/k200');
    const rest: string[] = [];
    let pageToken = first.nextPageToken;
    while (pageToken !== undefined) {
      const page = await vfs.list({ pageSize: 100, pageToken });
      rest.push(...page.objects.map((o) => o.key));
      pageToken = page.nextPageToken;
    }
    expect(rest).toContain('big/k150a');
    expect(rest).not.toContain('big/k200');
    expect(rest).toHaveLength(200);
    expect(rest).toEqual([...rest].sort());
  });
});

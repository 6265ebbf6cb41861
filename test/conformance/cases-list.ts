import type { ListPage, Vfs } from '../../src/vfs/types.js';
import { codeOf, type ConformanceContext } from './suite.js';

async function allPages(
  vfs: Vfs,
  options: { prefix?: string; delimiter?: '/'; pageSize?: number },
): Promise<{ objects: string[]; prefixes: string[]; pages: number }> {
  const objects: string[] = [];
  const prefixes: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page: ListPage = await vfs.list({ ...options, pageToken });
    pages += 1;
    if (options.pageSize !== undefined)
      expect(page.objects.length + page.prefixes.length).toBeLessThanOrEqual(options.pageSize);
    objects.push(...page.objects.map((info) => info.key));
    prefixes.push(...page.prefixes);
    pageToken = page.nextPageToken;
    if (pages > 1000) throw new Error('listing did not end');
  } while (pageToken !== undefined);
  return { objects, prefixes, pages };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Listing: prefixes, delimiter, pagination edges, order. */
export function listCases(ctx: ConformanceContext): void {
  it('lists nothing in an empty store', async () => {
    const page = await ctx.vfs().list();
    expect(page.objects).toEqual([]);
    expect(page.prefixes).toEqual([]);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('lists recursively under a prefix, in UTF-8 byte order, with sizes', async () => {
    const vfs = ctx.vfs();
    const keys = ['c/z', 'c/a/1', 'c/a/2', 'c/B', 'c/é', 'c/a-b', 'd/other', 'c.txt'];
    for (const key of keys) await vfs.write(key, key);
    const page = await vfs.list({ prefix: 'c/' });
    expect(page.objects.map((info) => info.key)).toEqual(keys.filter((key) => key.startsWith('c/')).sort(byteOrder));
    expect(page.objects.find((info) => info.key === 'c/a/1')?.size).toBe(5);
    expect(page.prefixes).toEqual([]);
  });

  it('rolls keys up into prefixes with the "/" delimiter', async () => {
    const vfs = ctx.vfs();
    for (const key of ['cl/one/config', 'cl/one/pki/x', 'cl/two/config', 'cl/file', 'cl/three/deep/er/x'])
      await vfs.write(key, 'x');
    const page = await vfs.list({ prefix: 'cl/', delimiter: '/' });
    expect(page.objects.map((info) => info.key)).toEqual(['cl/file']);
    expect(page.prefixes).toEqual(['cl/one/', 'cl/three/', 'cl/two/']);
    const root = await vfs.list({ delimiter: '/' });
    expect(root.prefixes).toEqual(['cl/']);
    expect(root.objects).toEqual([]);
  });

  it('matches a prefix that ends in the middle of a segment', async () => {
    const vfs = ctx.vfs();
    for (const key of ['p/abc/x', 'p/abd', 'p/ab', 'p/b']) await vfs.write(key, 'x');
    expect((await allPages(vfs, { prefix: 'p/ab' })).objects).toEqual(['p/ab', 'p/abc/x', 'p/abd']);
    const rolled = await allPages(vfs, { prefix: 'p/ab', delimiter: '/' });
    expect(rolled.objects).toEqual(['p/ab', 'p/abd']);
    expect(rolled.prefixes).toEqual(['p/abc/']);
  });

  it.each([1, 2, 3, 5, 7, 100])('pages through 7 entries with pageSize %i, each exactly once', async (pageSize) => {
    const vfs = ctx.vfs();
    const keys = Array.from({ length: 7 }, (_, i) => `pg/k${i}`);
    for (const key of keys) await vfs.write(key, 'x');
    const result = await allPages(vfs, { prefix: 'pg/', pageSize });
    expect(result.objects).toEqual(keys);
    expect(result.pages).toBeGreaterThanOrEqual(Math.ceil(7 / pageSize));
  });

  it('pages through objects and prefixes mixed, each exactly once', async () => {
    const vfs = ctx.vfs();
    const keys = ['m/a', 'm/b/1', 'm/b/2', 'm/c', 'm/d/1', 'm/e', 'm/f/x/y'];
    for (const key of keys) await vfs.write(key, 'x');
    for (const pageSize of [1, 2, 3]) {
      const result = await allPages(vfs, { prefix: 'm/', delimiter: '/', pageSize });
      expect(result.objects).toEqual(['m/a', 'm/c', 'm/e']);
      expect(result.prefixes).toEqual(['m/b/', 'm/d/', 'm/f/']);
    }
  });

  it('walks every object with listAll across pages', async () => {
    const vfs = ctx.vfs();
    const keys = Array.from({ length: 12 }, (_, i) => `all/${String(i).padStart(2, '0')}/leaf`);
    for (const key of keys) await vfs.write(key, 'x');
    const seen: string[] = [];
    for await (const info of vfs.listAll({ prefix: 'all/', pageSize: 5 })) seen.push(info.key);
    expect(seen).toEqual(keys);
  });

  it('refuses a bad pageSize or delimiter with InvalidArgument', async () => {
    const vfs = ctx.vfs();
    expect(await codeOf(vfs.list({ pageSize: 0 }))).toBe('InvalidArgument');
    expect(await codeOf(vfs.list({ delimiter: ',' as '/' }))).toBe('InvalidArgument');
  });
}

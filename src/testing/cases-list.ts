import assert from 'node:assert/strict';
import type { ListPage, Vfs } from '../vfs/types.js';
import { assertAbove, assertBelow, codeOf } from './helpers.js';
import type { ConformanceContext } from './types.js';

/** Every page of a listing, checking each page's size against `pageSize`. */
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
      assertBelow(page.objects.length + page.prefixes.length, options.pageSize, 'entries in a page', true);
    for (const info of page.objects) objects.push(info.key);
    for (const prefix of page.prefixes) prefixes.push(prefix);
    pageToken = page.nextPageToken;
    if (pages > 1000) throw new Error('listing did not end');
  } while (pageToken !== undefined);
  return { objects, prefixes, pages };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Listing: prefixes, delimiter, pagination edges, order. */
export function listCases(ctx: ConformanceContext): void {
  prefixCases(ctx);
  pagingCases(ctx);
}

function prefixCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('lists nothing in an empty store', async () => {
    const page = await ctx.vfs().list();
    assert.deepEqual(page.objects, []);
    assert.deepEqual(page.prefixes, []);
    assert.equal(page.nextPageToken, undefined);
  });

  it('lists recursively under a prefix, in UTF-8 byte order, with sizes', async () => {
    const vfs = ctx.vfs();
    const keys = ['c/z', 'c/a/1', 'c/a/2', 'c/B', 'c/é', 'c/a-b', 'd/other', 'c.txt'];
    for (const key of keys) await vfs.write(key, key);
    const page = await vfs.list({ prefix: 'c/' });
    assert.deepEqual(
      page.objects.map((info) => info.key),
      keys.filter((key) => key.startsWith('c/')).sort(byteOrder),
    );
    assert.equal(page.objects.find((info) => info.key === 'c/a/1')?.size, 5);
    assert.deepEqual(page.prefixes, []);
  });

  it('rolls keys up into prefixes with the "/" delimiter', async () => {
    const vfs = ctx.vfs();
    for (const key of ['cl/one/config', 'cl/one/pki/x', 'cl/two/config', 'cl/file', 'cl/three/deep/er/x'])
      await vfs.write(key, 'x');
    const page = await vfs.list({ prefix: 'cl/', delimiter: '/' });
    assert.deepEqual(
      page.objects.map((info) => info.key),
      ['cl/file'],
    );
    assert.deepEqual(page.prefixes, ['cl/one/', 'cl/three/', 'cl/two/']);
    const root = await vfs.list({ delimiter: '/' });
    assert.deepEqual(root.prefixes, ['cl/']);
    assert.deepEqual(root.objects, []);
  });

  it('matches a prefix that ends in the middle of a segment', async () => {
    const vfs = ctx.vfs();
    for (const key of ['p/abc/x', 'p/abd', 'p/ab', 'p/b']) await vfs.write(key, 'x');
    assert.deepEqual((await allPages(vfs, { prefix: 'p/ab' })).objects, ['p/ab', 'p/abc/x', 'p/abd']);
    const rolled = await allPages(vfs, { prefix: 'p/ab', delimiter: '/' });
    assert.deepEqual(rolled.objects, ['p/ab', 'p/abd']);
    assert.deepEqual(rolled.prefixes, ['p/abc/']);
  });
}

function pagingCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  // One case per page size, named as Jest's `it.each('... %i ...')` named them before the suite shipped.
  for (const pageSize of [1, 2, 3, 5, 7, 100]) {
    it(`pages through 7 entries with pageSize ${pageSize}, each exactly once`, async () => {
      const vfs = ctx.vfs();
      const keys = Array.from({ length: 7 }, (_, i) => `pg/k${i}`);
      for (const key of keys) await vfs.write(key, 'x');
      const result = await allPages(vfs, { prefix: 'pg/', pageSize });
      assert.deepEqual(result.objects, keys);
      assertAbove(result.pages, Math.ceil(7 / pageSize), 'pages', true);
    });
  }

  it('pages through objects and prefixes mixed, each exactly once', async () => {
    const vfs = ctx.vfs();
    const keys = ['m/a', 'm/b/1', 'm/b/2', 'm/c', 'm/d/1', 'm/e', 'm/f/x/y'];
    for (const key of keys) await vfs.write(key, 'x');
    for (const pageSize of [1, 2, 3]) {
      const result = await allPages(vfs, { prefix: 'm/', delimiter: '/', pageSize });
      assert.deepEqual(result.objects, ['m/a', 'm/c', 'm/e']);
      assert.deepEqual(result.prefixes, ['m/b/', 'm/d/', 'm/f/']);
    }
  });

  it('walks every object with listAll across pages', async () => {
    const vfs = ctx.vfs();
    const keys = Array.from({ length: 12 }, (_, i) => `all/${String(i).padStart(2, '0')}/leaf`);
    for (const key of keys) await vfs.write(key, 'x');
    const seen: string[] = [];
    for await (const info of vfs.listAll({ prefix: 'all/', pageSize: 5 })) seen.push(info.key);
    assert.deepEqual(seen, keys);
  });

  it('refuses a bad pageSize or delimiter with InvalidArgument', async () => {
    const vfs = ctx.vfs();
    assert.equal(await codeOf(vfs.list({ pageSize: 0 })), 'InvalidArgument');
    assert.equal(await codeOf(vfs.list({ delimiter: ',' as '/' })), 'InvalidArgument');
  });
}

/**
 * The move's parallel listing of object stores (src/migrate/split-listing.ts) on a real S3 server,
 * Ceph RADOS Gateway 16.2 (the run's shared one): the same keys, in the same order, as one walk
 * of the store, whichever walk lists them. Small pages (4 keys) make every case cheap: folders
 * walked apart with several pages each, objects of the level between them (a root file sorting
 * right after a folder of the same name, `.` and `-` against `/`, a non-ASCII name), the first
 * walk cut where the folders walked apart begin, and keys written while it lists. Then a whole
 * move, at the server's own 1,000-key pages, of a store whose first cluster spans three pages.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { listPages, type Lister } from '../../src/migrate/listing.js';
import { splitLister } from '../../src/migrate/split-listing.js';
import type { ListOptions, ListPage, Vfs } from '../../src/vfs/types.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import type { RgwHandle } from '../servers/rgw.js';

const BUCKET = 'split-listing';
const TOKEN = randomUUID().slice(0, 8);
const small = splitLister({ pageSize: 4, splitFrom: 3, inFlight: 3, ahead: 6 });

let rgw: RgwHandle;

beforeAll(async () => {
  rgw = await sharedRgw();
  await rgw.createBucket(BUCKET);
}, 200_000);

const range = (name: string, count: number) => Array.from({ length: count }, (_, i) => `${name}${i}`);

/** Keys around the level's boundaries; the first cluster fills the first two pages and more. */
const KEYS = [
  ...range('a.example.com/pki/k', 10),
  'a.example.com/config',
  'a.example.com0',
  'a.example.com0/x',
  'b-root',
  'b.example.com.x/k',
  ...range('b.example.com/secrets/s', 9),
  'b.example.com/config',
  'b/y',
  'c',
  'c/d/e',
  'c0',
  'ü.example.com/k',
  'zz',
  'ÿ-root',
];

async function seeded(name: string, keys: readonly string[]): Promise<Vfs> {
  const vfs = await openVfs(`s3://${BUCKET}/${TOKEN}-${name}`, { env: {}, s3: { ...rgw.s3, dialect: 'rgw' } });
  const limit = pLimit(32);
  await Promise.all(keys.map((key) => limit(() => vfs.write(key, key))));
  return vfs;
}

/** `vfs` with its list requests recorded (`D` marks a delimiter listing) and `before` run ahead of each. */
function recording(vfs: Vfs, calls: string[], before?: (options: ListOptions) => Promise<void>): Vfs {
  return Object.create(vfs, {
    list: {
      value: async (options: ListOptions = {}): Promise<ListPage> => {
        calls.push(`${options.delimiter === undefined ? '' : 'D '}${options.prefix ?? ''}`);
        await before?.(options);
        return vfs.list(options);
      },
    },
  }) as Vfs;
}

async function keysOf(lister: Lister, vfs: Vfs, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of lister(vfs, { ...(prefix === undefined ? {} : { prefix }), signal: undefined }))
    for (const object of page) keys.push(object.key);
  return keys;
}

describe('split listing on Ceph RGW', () => {
  it('lists every key once, in key order, as one walk does, with the folders after the first walked apart', async () => {
    const vfs = await seeded('boundaries', KEYS);
    const plain = await keysOf(listPages, vfs);
    expect(plain).toHaveLength(KEYS.length);
    const calls: string[] = [];
    expect(await keysOf(small, recording(vfs, calls))).toEqual(plain);
    // Split indeed: one delimiter listing, and the folders after the first cluster walked on their own.
    expect(calls.filter((call) => call.startsWith('D '))).toEqual(['D ']);
    for (const folder of ['a.example.com0/', 'b.example.com.x/', 'b.example.com/', 'b/', 'c/', 'ü.example.com/'])
      expect(calls).toContain(folder);
    // A named cluster's folder (sub-folders below it): the same keys as one walk.
    const cluster = await keysOf(small, recording(vfs, []), 'b.example.com/');
    expect(cluster).toEqual(await keysOf(listPages, vfs, 'b.example.com/'));
    expect(cluster).toHaveLength(10);
  }, 60_000);

  it('lists one walk where the first page spans many folders, and a store of one page in one request', async () => {
    const vfs = await seeded('spread', ['a/1', 'b/1', 'c/1', 'd/1', 'e/1', 'f/1', 'g/1', 'h/1', 'i/1']);
    const calls: string[] = [];
    expect(await keysOf(small, recording(vfs, calls))).toEqual(await keysOf(listPages, vfs));
    expect(calls).toEqual(['', '', '']);
    const single = await seeded('single', ['a/1', 'a/2']);
    const once: string[] = [];
    expect(await keysOf(small, recording(single, once))).toEqual(['a/1', 'a/2']);
    expect(once).toEqual(['']);
  }, 60_000);

  it('stays in key order without a duplicate when keys are written between the listings', async () => {
    const vfs = await seeded('written', KEYS);
    // Written as the delimiter listing is asked: after the first pages, before the folders' walks.
    const added = ['a.example.com/pki/k9z', 'b.example.com/secrets/s9', 'b0.example.com/new', 'a.example.com/aaa'];
    const calls: string[] = [];
    const writing = recording(vfs, calls, async (options) => {
      if (options.delimiter !== undefined) await Promise.all(added.map((key) => vfs.write(key, key)));
    });
    const keys = await keysOf(small, writing);
    for (let i = 1; i < keys.length; i++) expect(keys[i - 1]! < keys[i]!).toBe(true);
    expect(keys).toEqual(expect.arrayContaining(KEYS));
    // Each listed key exists; the keys ahead of the walks that list them are seen.
    expect(keys.filter((key) => !KEYS.includes(key)).every((key) => added.includes(key))).toBe(true);
    expect(keys).toEqual(expect.arrayContaining(['a.example.com/pki/k9z', 'b.example.com/secrets/s9']));
    expect(keys).not.toContain('a.example.com/aaa'); // behind the first walk already: as one walk would miss it
  }, 60_000);

  it("fails with a folder walk's error, and stops its walks when the consumer stops", async () => {
    const vfs = await seeded('failing', KEYS);
    const failing = Object.create(vfs, {
      list: {
        value: async (options: ListOptions = {}): Promise<ListPage> => {
          if (options.prefix === 'c/') throw new Error('c/ is unreadable');
          return vfs.list(options);
        },
      },
    }) as Vfs;
    await expect(keysOf(small, failing)).rejects.toThrow('c/ is unreadable');
    // A consumer that stops after three pages: the listing ends there, and no walk asks further
    // (one request at a time: the folders' walks wait in line when it stops).
    const queued = splitLister({ pageSize: 4, splitFrom: 3, inFlight: 1, ahead: 100 });
    const calls: string[] = [];
    const keys: string[] = [];
    for await (const page of queued(recording(vfs, calls), { signal: undefined })) {
      keys.push(...page.map((object) => object.key));
      if (keys.length >= 12) break;
    }
    const asked = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(calls).toHaveLength(asked);
    expect(keys.slice(0, 12)).toEqual((await keysOf(listPages, vfs)).slice(0, 12));
  }, 60_000);

  it('stops with Aborted when the signal aborts while the folders are walked', async () => {
    const vfs = await seeded('aborted', KEYS);
    const controller = new AbortController();
    const aborting = recording(vfs, [], async (options) => {
      if (options.prefix === 'b.example.com/') controller.abort();
    });
    const walked = (async () => {
      for await (const page of small(aborting, { signal: controller.signal })) void page;
    })();
    await expect(walked).rejects.toMatchObject({ code: 'Aborted' });
  }, 60_000);

  it('moves a store whose first cluster spans three pages, then finds nothing to copy', async () => {
    const big = range('big.example.com/backups/etcd/main/b', 2100);
    const keys = [
      ...big,
      'big.example.com/config',
      ...range('next.example.com/pki/p', 700),
      'next.example.com/config',
      'root-file',
      'tiny.example.com/config',
      'tiny.example.com/pki/ca',
    ];
    const configs = ['big', 'next', 'tiny'].map((name) => `${name}.example.com/config`);
    const from = await seeded(
      'move-src',
      keys.filter((key) => !configs.includes(key)),
    );
    for (const config of configs)
      await from.write(config, `kind: Cluster\nspec:\n  configBase: ${from.url}/${config.split('/')[0]}\n`);
    const to = await openVfs(`s3://${BUCKET}/${TOKEN}-move-dst`, { env: {}, s3: { ...rgw.s3, dialect: 'rgw' } });
    const calls: string[] = [];
    const result = await moveStateStore({ from: recording(from, calls), to, createOnly: 'listing' });
    expect(calls.filter((call) => call.startsWith('D '))).toEqual(['D ']);
    expect(calls).toContain('next.example.com/');
    expect(result.clusters.map((c) => [c.cluster, c.copied])).toEqual([
      ['big.example.com', 2101],
      ['next.example.com', 701],
      ['tiny.example.com', 2],
    ]);
    expect(await keysOf(listPages, to)).toEqual((await keysOf(listPages, from)).filter((key) => key !== 'root-file'));
    const again = await moveStateStore({ from, to, createOnly: 'listing' });
    expect(again.clusters.map((c) => [c.copied, c.skipped])).toEqual([
      [0, 2101],
      [0, 701],
      [0, 2],
    ]);
  }, 180_000);
});

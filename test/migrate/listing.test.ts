/**
 * A move of every cluster lists each store once (not once per cluster), finds the clusters as
 * the folders holding a `config`, and leaves everything else alone (issue #17).
 */
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { compareKeys, mergedListing } from '../../src/migrate/listing.js';
import type { ListOptions, ListPage, ObjectInfo, Vfs } from '../../src/vfs/types.js';

const config = (base: string, cluster: string) => `kind: Cluster\nspec:\n  configBase: ${base}/${cluster}\n`;

function countingLists(vfs: Vfs, prefixes: Array<string | undefined>): Vfs {
  return Object.create(vfs, {
    listAll: {
      value: (options?: ListOptions) => {
        prefixes.push(options?.prefix);
        return vfs.listAll(options);
      },
    },
    list: {
      value: (options?: ListOptions) => {
        prefixes.push(`list:${options?.prefix ?? ''}`);
        return vfs.list(options);
      },
    },
  }) as Vfs;
}

describe('moveStateStore listings', () => {
  it('lists each store once when moving every cluster, and moves only folders with a config', async () => {
    const source = await openVfs(`memfs://listing-src-${Date.now()}`);
    const names = Array.from({ length: 12 }, (_, i) => `c${i}.example.com`);
    for (const name of names) {
      await source.write(`${name}/pki/ca`, `${name} ca`);
      await source.write(`${name}/config`, config(source.url, name));
    }
    await source.write('no-config.example.com/pki/ca', 'orphan');
    await source.write('root-file', 'not a cluster');
    const target = await openVfs(`memfs://listing-dst-${Date.now()}`);
    await target.write('c3.example.com/pki/ca', 'c3.example.com ca'); // already there: skipped

    const fromLists: Array<string | undefined> = [];
    const toLists: Array<string | undefined> = [];
    const result = await moveStateStore({ from: countingLists(source, fromLists), to: countingLists(target, toLists) });
    // One page each (the move walks pages: Vfs.list; 'list:' marks the prefix of one).
    expect(fromLists).toEqual(['list:']);
    expect(toLists).toEqual(['list:']);
    expect(result.clusters.map((c) => c.cluster)).toEqual([...names].sort());
    expect(result.clusters.find((c) => c.cluster === 'c3.example.com')).toMatchObject({ copied: 1, skipped: 1 });
    await expect(target.stat('no-config.example.com/pki/ca')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(target.stat('root-file')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it("lists only the named clusters' folders when clusters are given", async () => {
    const source = await openVfs(`memfs://listing-src2-${Date.now()}`);
    for (const name of ['a.example.com', 'b.example.com'])
      await source.write(`${name}/config`, config(source.url, name));
    const fromLists: Array<string | undefined> = [];
    const result = await moveStateStore({
      from: countingLists(source, fromLists),
      to: await openVfs(`memfs://listing-dst2-${Date.now()}`),
      clusters: ['b.example.com'],
    });
    expect(result.clusters.map((c) => c.cluster)).toEqual(['b.example.com']);
    expect(fromLists).toEqual(['list:b.example.com/']);
  });

  it('merges the two listings by key: each source file with the destination object of its key', async () => {
    const source = await openVfs(`memfs://merge-src-${Date.now()}`);
    const target = await openVfs(`memfs://merge-dst-${Date.now()}`);
    for (const key of ['a.example.com/config', 'a.example.com/pki/x', 'b.example.com/config', 'b.example.com/z'])
      await source.write(key, key);
    await source.write('root-file', 'not a cluster');
    // Destination-only keys before, between and after the source's ones are passed over.
    for (const key of ['0/early', 'a.example.com/pki/x', 'a.example.com/pki/y', 'b.example.com/z', 'zz/late'])
      await target.write(key, `dst ${key}`);
    const merged: Array<[string, string | null]> = [];
    for await (const files of mergedListing(source, target, undefined, undefined))
      for (const file of files) merged.push([file.source.key, file.listed?.key ?? null]);
    expect(merged).toEqual([
      ['a.example.com/config', null],
      ['a.example.com/pki/x', 'a.example.com/pki/x'],
      ['b.example.com/config', null],
      ['b.example.com/z', 'b.example.com/z'],
    ]);
  });

  it('refuses a listing out of key order (a config could otherwise be written before its files)', async () => {
    const source = await openVfs(`memfs://unsorted-${Date.now()}`);
    await source.write('a.example.com/config', config(source.url, 'a.example.com'));
    for (const key of ['a.example.com/pki/a', 'a.example.com/pki/z']) await source.write(key, 'k');
    const info = (key: string): ObjectInfo => ({ key, size: 1, version: '1', lastModified: new Date(0) });
    const objects = [info('a.example.com/config'), info('a.example.com/pki/z'), info('a.example.com/pki/a')];
    const unsorted = Object.create(source, {
      list: { value: async (): Promise<ListPage> => ({ objects, prefixes: [] }) },
    }) as Vfs;
    const target = await openVfs(`memfs://unsorted-dst-${Date.now()}`);
    await expect(moveStateStore({ from: unsorted, to: target })).rejects.toMatchObject({ code: 'Unknown' });
    await expect(target.stat('a.example.com/config')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('compares keys in UTF-8 byte order', () => {
    expect(compareKeys('a', 'b')).toBeLessThan(0);
    expect(compareKeys('a/', 'a')).toBeGreaterThan(0);
    expect(compareKeys('a.x/k', 'a/k')).toBeLessThan(0);
    // U+FF5E sorts before U+1F600 in UTF-8 (EF BD 9E < F0 9F 98 80), after it in UTF-16 units.
    expect(compareKeys('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
  });
});

/**
 * A move of every cluster lists each store once (not once per cluster), finds the clusters as
 * the folders holding a `config`, and leaves everything else alone (issue #17).
 */
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import type { ListOptions, Vfs } from '../../src/vfs/types.js';

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
    expect(fromLists).toEqual([undefined]);
    expect(toLists).toEqual([undefined]);
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
    expect(fromLists).toEqual(['b.example.com/']);
  });
});

import { openVfs } from '../../src/backends/registry.js';
import { runConformance } from '../conformance/suite.js';

let counter = 0;
runConformance({
  name: 'memory',
  open: () => openVfs(`memfs://conformance-${process.pid}-${++counter}`),
  boundedMemory: false,
});

describe('memory backend', () => {
  it('shares one store between two opens of the same name, and scopes a path prefix', async () => {
    const a = await openVfs('memfs://shared-name');
    const b = await openVfs('memfs://shared-name');
    await a.write('clusters/x/config', 'c');
    expect(Buffer.from((await b.read('clusters/x/config')).body).toString()).toBe('c');
    const scoped = await openVfs('memfs://shared-name/clusters');
    expect(scoped.url).toBe('memfs://shared-name/clusters');
    expect((await scoped.stat('x/config')).key).toBe('x/config');
    expect((await scoped.list({ delimiter: '/' })).prefixes).toEqual(['x/']);
  });
});

describe('memory backend, issue #14.8 and #14.9', () => {
  it('shares stores with another copy of the package loaded in the same process (ESM and CommonJS)', async () => {
    const name = `copies-${process.pid}`;
    const ours = await openVfs(`memfs://${name}`);
    await ours.write('a/b', 'from one copy');
    // A second, separate instance of the backend module, as the other module format would load.
    let Other: typeof import('../../src/backends/memory/driver.js').MemoryDriver | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS module object itself is what is spied on / loaded a second time
      Other = (require('../../src/backends/memory/driver.js') as typeof import('../../src/backends/memory/driver.js'))
        .MemoryDriver;
    });
    const theirs = new Other!(name);
    expect(Buffer.from((await theirs.read('a/b', { condition: { kind: 'none' } })).body).toString()).toBe(
      'from one copy',
    );
    const written = await theirs.write('a/c', 'from the other', { condition: { kind: 'none' } });
    // One version counter for both copies: a version never names two different writes.
    expect(written.version).not.toBe((await ours.stat('a/b')).version);
    expect((await ours.list()).objects.map((o) => o.key)).toEqual(['a/b', 'a/c']);
  });

  it('lists 20,000 keys 10 at a time without re-sorting the store per page', async () => {
    const vfs = await openVfs(`memfs://linear-${process.pid}`);
    for (let i = 0; i < 20_000; i++) await vfs.write(`c/${(i * 7919) % 20_000}`, 'x');
    // Work, not time: count the sorts. Re-sorting the store per page means 2,000 sorts of 20,000 keys.
    const sorts = jest.spyOn(Array.prototype, 'sort');
    const keys: string[] = [];
    for await (const info of vfs.listAll({ pageSize: 10 })) keys.push(info.key);
    const sortCalls = sorts.mock.calls.length;
    sorts.mockRestore();
    expect(keys).toHaveLength(20_000);
    expect(keys).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect(sortCalls).toBeLessThan(20);
  });

  it('keeps listing order through deletes and re-creates, by page and by delimiter', async () => {
    const vfs = await openVfs(`memfs://churn-${process.pid}`);
    for (const key of ['b/\u{1f600}', 'b/\u{e000}', 'a/x', 'a-y', 'a0', 'a/y/z']) await vfs.write(key, key);
    await vfs.delete('a/x');
    await vfs.write('a/x', 'again');
    await vfs.delete('a0');
    const keys: string[] = [];
    for await (const info of vfs.listAll({ pageSize: 1 })) keys.push(info.key);
    expect(keys).toEqual(['a-y', 'a/x', 'a/y/z', 'b/\u{e000}', 'b/\u{1f600}']);
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await vfs.list({ delimiter: '/', pageSize: 1, pageToken });
      names.push(...page.prefixes, ...page.objects.map((o) => o.key));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(names).toEqual(['a-y', 'a/', 'b/']);
  });
});

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

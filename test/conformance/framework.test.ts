import { resolveFramework, type TestFramework } from '../../src/testing/framework.js';
import { runConformance } from '../../src/testing/index.js';
import { openVfs } from '../../src/backends/registry.js';

/** What the suite registered with {@link recorder}'s framework. */
interface Registered {
  describes: string[];
  cases: string[];
  hooks: number;
}

/** A framework that records what the suite registers and runs nothing. */
function recorder(): { framework: TestFramework; seen: Registered } {
  const seen: Registered = { describes: [], cases: [], hooks: 0 };
  const framework: TestFramework = {
    describe: (name, body) => {
      seen.describes.push(name);
      body();
    },
    it: (name) => seen.cases.push(name),
    beforeEach: () => (seen.hooks += 1),
    afterEach: () => (seen.hooks += 1),
  };
  return { framework, seen };
}

describe('statestore/testing framework adapter', () => {
  it('registers one describe, its two hooks and 59 uniquely named cases with the framework given', () => {
    const { framework, seen } = recorder();
    runConformance({ name: 'probe', open: () => Promise.reject(new Error('not run')) }, { framework });
    expect(seen.describes).toEqual(['conformance: probe']);
    expect(seen.hooks).toBe(2);
    expect(seen.cases).toHaveLength(59);
    expect(new Set(seen.cases).size).toBe(59);
  });

  it('fails a case whose store leaves a connection busy after close(), naming the count', async () => {
    const hooks: Array<() => Promise<void>> = [];
    const framework: TestFramework = {
      describe: (_name, body) => body(),
      it: () => undefined,
      beforeEach: (hook) => hooks.push(hook),
      afterEach: (hook) => hooks.push(hook),
    };
    let run = 0;
    let busy = 1;
    runConformance(
      {
        name: 'leaky',
        open: () => openVfs(`memfs://leak-check-${++run}`),
        connections: () => ({ open: busy, busy }),
      },
      { framework },
    );
    const [before, after] = hooks;
    await before!();
    await expect(after!()).rejects.toThrow('after close(): 1 connection(s) still busy (open 1, busy 1)');
    busy = 0;
    await before!();
    await expect(after!()).resolves.toBeUndefined();
  });

  it("defaults to the test runner's globals", () => {
    const framework = resolveFramework(undefined);
    expect(framework.describe).toBe(describe);
    expect(framework.it).toBe(it);
  });

  it('names the missing globals and the node:test way out when there is no runner', () => {
    const globals = globalThis as unknown as Record<string, unknown>;
    const saved = { it: globals.it, afterEach: globals.afterEach };
    delete globals.it;
    delete globals.afterEach;
    try {
      expect(() => resolveFramework(undefined)).toThrow(/no global it, afterEach.*node:test/);
    } finally {
      Object.assign(globals, saved);
    }
  });
});

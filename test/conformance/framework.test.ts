import { resolveFramework, type TestFramework } from '../../src/testing/framework.js';
import { runConformance } from '../../src/testing/index.js';

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
  it('registers one describe, its two hooks and 55 uniquely named cases with the framework given', () => {
    const { framework, seen } = recorder();
    runConformance({ name: 'probe', open: () => Promise.reject(new Error('not run')) }, { framework });
    expect(seen.describes).toEqual(['conformance: probe']);
    expect(seen.hooks).toBe(2);
    expect(seen.cases).toHaveLength(55);
    expect(new Set(seen.cases).size).toBe(55);
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

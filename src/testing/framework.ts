// The test framework the conformance suite registers its cases with. The suite imports no test
// runner: it takes these four functions, so one suite serves Jest, Vitest, Mocha and `node:test`.

/**
 * The four functions of a BDD-style test framework that {@link runConformance} uses. Jest, Vitest
 * (with `globals: true`) and Mocha provide them as globals; `node:test` exports them, so pass
 * `import * as t from 'node:test'`.
 */
export interface TestFramework {
  /** Groups cases; called once, with the title `conformance: <name>`. */
  describe(name: string, body: () => void): unknown;
  /** Registers one case; its body returns a promise that rejects on failure. */
  it(name: string, body: () => Promise<void>): unknown;
  /** Runs before each case: the suite opens a fresh store here. */
  beforeEach(hook: () => Promise<void>): unknown;
  /** Runs after each case: the suite closes that store here. */
  afterEach(hook: () => Promise<void>): unknown;
}

const NAMES = ['describe', 'it', 'beforeEach', 'afterEach'] as const;

/**
 * The framework to use: the one given, else the globals of the running test runner. Resolved when
 * `runConformance` is called (not at import), so importing `kops-statestore/testing` needs no runner.
 */
export function resolveFramework(given: TestFramework | undefined): TestFramework {
  if (given !== undefined) return given;
  const globals = globalThis as unknown as Partial<Record<(typeof NAMES)[number], unknown>>;
  const missing = NAMES.filter((name) => typeof globals[name] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(
      `runConformance: no global ${missing.join(', ')}; run it under Jest, Vitest (globals) or Mocha, ` +
        `or pass the framework: runConformance(target, { framework: await import('node:test') })`,
    );
  }
  return globals as unknown as TestFramework;
}

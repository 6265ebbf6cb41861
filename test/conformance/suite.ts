/**
 * The backend test files' entry to the conformance suite, which ships as `kops-statestore/testing`
 * (src/testing/). A backend's test file calls `runConformance({ name, open })`; `open` must return a
 * fresh, empty store each time (a new folder, bucket prefix or memfs name), so cases never see each
 * other's objects. Jest's globals are passed explicitly, so the suite never looks them up itself.
 */
import { runConformance as run, type ConformanceTarget } from '../../src/testing/index.js';

export type { ConformanceTarget } from '../../src/testing/index.js';
export { codeOf, text } from '../../src/testing/helpers.js';

/** Registers the 59 conformance cases under `describe("conformance: <name>")` with Jest. */
export function runConformance(target: ConformanceTarget): void {
  run(target, { framework: { describe, it, beforeEach, afterEach } });
}

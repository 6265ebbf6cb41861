/**
 * `kops-statestore/testing`: the storage conformance suite every statestore backend passes, for
 * third-party backends to prove themselves with (as go-cloud's `drivertest`). It imports no test
 * runner: it registers its cases with the framework's `describe`/`it`/`beforeEach`/`afterEach`.
 * @packageDocumentation
 * @module kops-statestore/testing
 */
export { runConformance } from './suite.js';
export type { ConformanceOptions, ConformanceTarget, ConnectionCount, TransferCount } from './types.js';
export type { TestFramework } from './framework.js';

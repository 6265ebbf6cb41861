import type { Vfs } from '../vfs/types.js';
import { basicCases } from './cases-basic.js';
import { conditionCases } from './cases-conditions.js';
import { listCases } from './cases-list.js';
import { streamCases } from './cases-stream.js';
import { assertReleased } from './connections.js';
import { resolveFramework } from './framework.js';
import type { ConformanceContext, ConformanceOptions, ConformanceTarget } from './types.js';

/**
 * Registers statestore's storage conformance suite (59 cases) for one backend, like go-cloud's
 * `drivertest`: every built-in backend runs these same cases, and a third-party backend passing
 * them behaves as the rest of statestore expects (conditions, races, listing order and paging,
 * hostile keys, streaming, abort). Call it at the top level of a test file; it registers one
 * `describe("conformance: <name>")` with one `it` per case.
 *
 * Mocha users: the streaming and race cases can take longer than Mocha's default 2 s timeout.
 *
 * @example
 * A backend registered with `registerBackend` (from `kops-statestore/driver`), tested with `node:test`
 * (`node --test`); under Jest, Vitest or Mocha leave out the second argument.
 * ```ts
 * import * as test from 'node:test';
 * import { openVfs } from 'kops-statestore';
 * import { registerBackend, type BackendFactory } from 'kops-statestore/driver';
 * import { runConformance } from 'kops-statestore/testing';
 * declare const tinyBackend: BackendFactory; // your backend, schemes: ['tiny']
 *
 * registerBackend(tinyBackend);
 * let run = 0;
 * runConformance({ name: 'tiny', open: () => openVfs(`tiny://conformance-${++run}`) }, { framework: test });
 * ```
 */
export function runConformance(target: ConformanceTarget, options: ConformanceOptions = {}): void {
  const framework = resolveFramework(options.framework);
  const full: ConformanceContext['target'] = {
    largeObjectBytes: 32 * 1024 * 1024,
    boundedMemory: true,
    streamBufferBytes: 16 * 1024 * 1024,
    racers: 20,
    keyPrefixBytes: 0,
    ...target,
  };
  framework.describe(`conformance: ${target.name}`, () => {
    let current: Vfs | undefined;
    framework.beforeEach(async () => {
      current = await full.open();
    });
    framework.afterEach(async () => {
      const closing = current;
      current = undefined;
      if (closing === undefined) return;
      await closing.close();
      await assertReleased(full, 'busy', 'after close()');
    });
    const ctx: ConformanceContext = {
      target: full,
      framework,
      vfs: () => {
        if (current === undefined) throw new Error('no store open');
        return current;
      },
    };
    basicCases(ctx);
    conditionCases(ctx);
    listCases(ctx);
    streamCases(ctx);
  });
}

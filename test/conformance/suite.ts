/**
 * The one conformance suite every backend runs (like go-cloud's drivertest). A backend's test file
 * calls `runConformance({ name, open })`; `open` must return a fresh, empty store each time (a new
 * folder, bucket prefix or memfs name), so cases never see each other's objects.
 */
import type { Vfs } from '../../src/vfs/types.js';
import { basicCases } from './cases-basic.js';
import { conditionCases } from './cases-conditions.js';
import { listCases } from './cases-list.js';
import { streamCases } from './cases-stream.js';

export interface ConformanceTarget {
  /** Shown in test names as `conformance: <name>`; the count reporter groups by it. */
  name: string;
  /** A fresh, empty store. */
  open: () => Promise<Vfs>;
  /** Size of the streamed large object. Default 8 MiB. */
  largeObjectBytes?: number;
  /** Whether streaming must stay at bounded memory (false only for the memory backend). Default true. */
  boundedMemory?: boolean;
  /** Number of parallel writers in the race cases. Default 20. */
  racers?: number;
}

/** Per-test access to a fresh store, closed after each test. */
export interface ConformanceContext {
  target: Required<ConformanceTarget>;
  /** The store of the running test. */
  vfs(): Vfs;
}

export function runConformance(target: ConformanceTarget): void {
  const full: Required<ConformanceTarget> = {
    largeObjectBytes: 8 * 1024 * 1024,
    boundedMemory: true,
    racers: 20,
    ...target,
  };
  describe(`conformance: ${target.name}`, () => {
    let current: Vfs | undefined;
    beforeEach(async () => {
      current = await full.open();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const ctx: ConformanceContext = {
      target: full,
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

/** Text of a body. */
export function text(body: Uint8Array): string {
  return Buffer.from(body).toString('utf8');
}

/** The code of a rejected promise (fails the test if it resolves or throws a non-StateStoreError). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') throw err;
    return code;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

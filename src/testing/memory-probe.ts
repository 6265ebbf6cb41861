import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';

let block: Buffer | undefined;

/**
 * Incompressible chunks: one random 1 MiB block (made on first use, not at import), each copy
 * stamped with its index so chunks differ.
 */
export function* chunks(total: number): Generator<Buffer> {
  block ??= randomBytes(1024 * 1024);
  for (let sent = 0, index = 0; sent < total; sent += block.length, index++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, total - sent)));
    if (chunk.length >= 8) chunk.writeDoubleLE(index, 0);
    yield chunk;
  }
}

type Collector = (options?: { type: 'major' | 'minor' }) => void;
let gc: Collector | undefined;

/**
 * A garbage collector handle without --expose-gc, so the measure below counts live buffers only
 * (chunks already consumed but not yet collected would otherwise make a bounded stream look
 * unbounded). Made on first use, so importing the suite changes no V8 flag.
 */
function collect(type: 'major' | 'minor'): void {
  if (gc === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as Collector;
  }
  gc({ type });
}

/**
 * Tracks the peak of this process's live buffer memory while a promise runs. Each sample follows
 * a collection of the young generation, where consumed chunks die (cheap: a full collection per
 * sample made a 64 MiB round trip take 30 s in a jest worker), with a full one every tenth sample.
 * Without it tens of MiB of consumed chunks pass through between two full collections on a fast
 * disk, which made a bounded stream look unbounded.
 */
export async function peakBufferGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> {
  let samples = 0;
  const liveBuffers = (type: 'major' | 'minor' = ++samples % 10 === 0 ? 'major' : 'minor'): number => {
    collect(type);
    return process.memoryUsage().arrayBuffers;
  };
  const before = liveBuffers('major');
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, liveBuffers());
  }, 10);
  try {
    const result = await run();
    peak = Math.max(peak, liveBuffers('minor'));
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

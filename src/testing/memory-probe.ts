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
 * Tracks the peak growth of this process's live buffer memory while a promise runs. Each sample
 * follows a collection of the young generation, where consumed chunks die (cheap: a full
 * collection per sample made a 64 MiB round trip take 30 s in a jest worker), with a full one
 * every tenth sample; samples are taken between turns of the event loop, 10 ms apart.
 *
 * `process.memoryUsage().arrayBuffers` lags behind the buffers' death: during a streaming file
 * write in a loaded jest worker it read 33.5 MB of growth when a heap snapshot found 4.1 MB of
 * buffers live in all (and CI once saw 78 MB for a driver that streams): the memory of a dead
 * buffer is returned in later turns of the event loop. So a sample above `confirmAbove` bytes of
 * growth is measured again after full collections 5 ms apart, up to 20 times or until it falls
 * to `confirmAbove`, and the last figure taken while the run was still going counts: lagging
 * memory drains, a held body only grows (64 MiB held read 68-96 MiB). Once the peak passes
 * `limit` there is nothing left to confirm and samples count as read.
 */
export async function peakBufferGrowth<T>(
  run: () => Promise<T>,
  options: { confirmAbove?: number; limit?: number } = {},
): Promise<{ result: T; growth: number }> {
  let samples = 0;
  const liveBuffers = (type: 'major' | 'minor' = ++samples % 10 === 0 ? 'major' : 'minor'): number => {
    collect(type);
    return process.memoryUsage().arrayBuffers;
  };
  const before = liveBuffers('major');
  const confirmAbove = options.confirmAbove ?? Number.POSITIVE_INFINITY;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let peak = 0;
  // `final`: the sample after the run, when nothing the run held can be released any more.
  const sample = async (final = false): Promise<void> => {
    const growth = liveBuffers() - before;
    if (growth <= peak) return;
    if (growth <= confirmAbove || peak >= limit) {
      peak = growth;
      return;
    }
    let settled = growth;
    for (let i = 0; i < 20 && settled > confirmAbove; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      // A run that ended meanwhile released what it held: later figures say nothing of the
      // moment measured (a body held until the end would otherwise be missed).
      if (!running && !final) break;
      settled = liveBuffers('major') - before;
    }
    peak = Math.max(peak, settled);
  };
  let running = true;
  const sampler = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await sample();
    }
  })();
  try {
    const result = await run();
    running = false;
    await sampler;
    await sample(true);
    return { result, growth: peak };
  } finally {
    running = false;
  }
}

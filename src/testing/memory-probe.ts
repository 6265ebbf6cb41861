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

let gc: (() => void) | undefined;

/**
 * A garbage collector handle without --expose-gc, so the measure below counts live buffers only
 * (chunks already consumed but not yet collected would otherwise make a bounded stream look
 * unbounded). Made on first use, so importing the suite changes no V8 flag.
 */
function collect(): void {
  if (gc === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

/** Tracks the peak of this process's live buffer memory while a promise runs. */
export async function peakBufferGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> {
  collect();
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks % 5 === 0) collect();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 10);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

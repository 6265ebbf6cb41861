import { Readable } from 'node:stream';
import { chunks, peakBufferGrowth } from '../../src/testing/memory-probe.js';

// The conformance suite's bound on streaming memory (cases-stream.ts) is only as good as its
// probe: a consumer that holds the whole body must measure above the bound. (The other side, a
// streaming consumer measuring below it, is what every backend's conformance run checks.)
describe('peakBufferGrowth', () => {
  it('counts a body held whole, past the bound the conformance suite sets', async () => {
    const size = 64 * 1024 * 1024;
    const { result, growth } = await peakBufferGrowth(
      async () => {
        const held: Buffer[] = [];
        for await (const chunk of Readable.from(chunks(size), { highWaterMark: 1 })) {
          held.push(Buffer.from(chunk as Buffer));
          await new Promise((resolve) => setImmediate(resolve));
        }
        // As a driver that buffers the body would: it holds it while sending it on.
        await new Promise((resolve) => setTimeout(resolve, 300));
        return held.reduce((sum, chunk) => sum + chunk.length, 0);
      },
      { confirmAbove: size / 4, limit: size / 2 },
    );
    expect(result).toBe(size);
    expect(growth).toBeGreaterThanOrEqual(size / 2);
  });
});

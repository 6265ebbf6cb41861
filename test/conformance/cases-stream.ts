import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { codeOf, text, type ConformanceContext } from './suite.js';

/** Incompressible chunks: one random block, each copy stamped with its index so chunks differ. */
const BLOCK = randomBytes(1024 * 1024);
function* chunks(total: number): Generator<Buffer> {
  for (let sent = 0, index = 0; sent < total; sent += BLOCK.length, index++) {
    const chunk = Buffer.from(BLOCK.subarray(0, Math.min(BLOCK.length, total - sent)));
    if (chunk.length >= 8) chunk.writeDoubleLE(index, 0);
    yield chunk;
  }
}

function digest(total: number): string {
  const hash = createHash('sha256');
  for (const chunk of chunks(total)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * A garbage collector handle without --expose-gc, so the measure below counts live buffers only
 * (chunks already consumed but not yet collected would otherwise make a bounded stream look unbounded).
 */
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/** Tracks the peak of this process's live buffer memory while a promise runs. */
async function peakBufferGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> {
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

/** Streaming reads and writes, bounded memory, abort. */
export function streamCases(ctx: ConformanceContext): void {
  it('streams a large object in and out intact', async () => {
    const vfs = ctx.vfs();
    const size = ctx.target.largeObjectBytes;
    const { result: info, growth: writeGrowth } = await peakBufferGrowth(() =>
      vfs.writeStream('big/object', Readable.from(chunks(size))),
    );
    expect(info.size).toBe(size);
    expect((await vfs.stat('big/object')).size).toBe(size);
    const { result: hash, growth: readGrowth } = await peakBufferGrowth(async () => {
      const { body, info: readInfo } = await vfs.readStream('big/object');
      expect(readInfo.size).toBe(size);
      const h = createHash('sha256');
      for await (const chunk of body) h.update(chunk as Buffer);
      return h.digest('hex');
    });
    expect(hash).toBe(digest(size));
    if (ctx.target.boundedMemory && size >= 32 * 1024 * 1024) {
      // Bounded: far less than the object is buffered at once (parts, not the whole body).
      expect(writeGrowth).toBeLessThan(size / 2);
      expect(readGrowth).toBeLessThan(size / 2);
    }
  });

  it('streams from an async iterable and honours ifNoneMatch', async () => {
    const vfs = ctx.vfs();
    async function* parts() {
      yield Buffer.from('hello ');
      yield Buffer.from('stream');
    }
    const info = await vfs.writeStream('stream/small', parts(), { ifNoneMatch: '*' });
    expect(info.size).toBe(12);
    expect(text((await vfs.read('stream/small')).body)).toBe('hello stream');
    expect(
      await codeOf(vfs.writeStream('stream/small', Readable.from([Buffer.from('again')]), { ifNoneMatch: '*' })),
    ).toBe('AlreadyExists');
    expect(text((await vfs.read('stream/small')).body)).toBe('hello stream');
  });

  it('rejects calls with an already-aborted signal with Aborted, writing nothing', async () => {
    const vfs = ctx.vfs();
    const signal = AbortSignal.abort();
    expect(await codeOf(vfs.write('abort/a', 'x', { signal }))).toBe('Aborted');
    expect(await codeOf(vfs.read('abort/a', { signal }))).toBe('Aborted');
    expect(await codeOf(vfs.list({ signal }))).toBe('Aborted');
    expect(await codeOf(vfs.stat('abort/a'))).toBe('NotFound');
  });

  it('aborts a stream write half-way with Aborted, leaving nothing visible', async () => {
    const vfs = ctx.vfs();
    const controller = new AbortController();
    async function* slow() {
      yield Buffer.alloc(64 * 1024, 1);
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield Buffer.alloc(64 * 1024, 2);
    }
    expect(await codeOf(vfs.writeStream('abort/stream', slow(), { signal: controller.signal }))).toBe('Aborted');
    expect(await codeOf(vfs.stat('abort/stream'))).toBe('NotFound');
  });

  it('ends a stream read with Aborted when the signal fires half-way, unless every byte had arrived', async () => {
    const vfs = ctx.vfs();
    const size = 4 * 1024 * 1024;
    await vfs.writeStream('abort/read', Readable.from(chunks(size)));
    const controller = new AbortController();
    const { body } = await vfs.readStream('abort/read', { signal: controller.signal });
    let received = 0;
    let receivedAtAbort = -1;
    const outcome = await (async () => {
      for await (const chunk of body) {
        received += (chunk as Buffer).length;
        if (receivedAtAbort === -1) {
          receivedAtAbort = received;
          controller.abort();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      return 'ended';
    })().catch((err: unknown) => err);
    if (receivedAtAbort < size) expect(outcome).toMatchObject({ code: 'Aborted' });
    else expect(outcome).toBe('ended');
    expect(received).toBeLessThanOrEqual(size);
  });
}

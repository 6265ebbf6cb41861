import assert from 'node:assert/strict';
import { assertRefused } from './cases-conditions.js';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assertBelow, codeOf, text } from './helpers.js';
import { chunks, peakBufferGrowth } from './memory-probe.js';
import type { ConformanceContext } from './types.js';

function digest(total: number): string {
  const hash = createHash('sha256');
  for (const chunk of chunks(total)) hash.update(chunk);
  return hash.digest('hex');
}

/** Streaming reads and writes, bounded memory, abort. */
export function streamCases(ctx: ConformanceContext): void {
  streamRoundTripCases(ctx);
  abortCases(ctx);
}

function streamRoundTripCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('streams a large object in and out intact', async () => {
    const vfs = ctx.vfs();
    const size = ctx.target.largeObjectBytes;
    // Growth past a quarter of the object is confirmed by a heap snapshot (see peakBufferGrowth).
    const probe = { confirmAbove: size / 4, limit: size / 2 };
    const { result: info, growth: writeGrowth } = await peakBufferGrowth(
      // One chunk buffered on the test's side at a time, so the growth measured is the driver's.
      () => vfs.writeStream('big/object', Readable.from(chunks(size), { highWaterMark: 1 })),
      probe,
    );
    assert.equal(info.size, size);
    assert.equal((await vfs.stat('big/object')).size, size);
    const { result: hash, growth: readGrowth } = await peakBufferGrowth(async () => {
      const { body, info: readInfo } = await vfs.readStream('big/object');
      assert.equal(readInfo.size, size);
      const h = createHash('sha256');
      for await (const chunk of body) h.update(chunk as Buffer);
      return h.digest('hex');
    }, probe);
    assert.equal(hash, digest(size));
    if (ctx.target.boundedMemory && size >= 32 * 1024 * 1024) {
      // Bounded: far less than the object is buffered at once (parts, not the whole body).
      assertBelow(writeGrowth, size / 2, 'buffer growth while writing');
      assertBelow(readGrowth, size / 2, 'buffer growth while reading');
    }
  });

  it('streams from an async iterable and honours ifNoneMatch', async () => {
    const vfs = ctx.vfs();
    async function* parts() {
      yield Buffer.from('hello ');
      yield Buffer.from('stream');
    }
    if (!vfs.capabilities.ifNoneMatch) {
      return assertRefused(vfs, 'stream/small', vfs.writeStream('stream/small', parts(), { ifNoneMatch: '*' }));
    }
    const info = await vfs.writeStream('stream/small', parts(), { ifNoneMatch: '*' });
    assert.equal(info.size, 12);
    assert.equal(text((await vfs.read('stream/small')).body), 'hello stream');
    assert.equal(
      await codeOf(vfs.writeStream('stream/small', Readable.from([Buffer.from('again')]), { ifNoneMatch: '*' })),
      'AlreadyExists',
    );
    assert.equal(text((await vfs.read('stream/small')).body), 'hello stream');
  });
}

function abortCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('rejects calls with an already-aborted signal with Aborted, writing nothing', async () => {
    const vfs = ctx.vfs();
    const signal = AbortSignal.abort();
    assert.equal(await codeOf(vfs.write('abort/a', 'x', { signal })), 'Aborted');
    assert.equal(await codeOf(vfs.read('abort/a', { signal })), 'Aborted');
    assert.equal(await codeOf(vfs.list({ signal })), 'Aborted');
    assert.equal(await codeOf(vfs.stat('abort/a')), 'NotFound');
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
    assert.equal(await codeOf(vfs.writeStream('abort/stream', slow(), { signal: controller.signal })), 'Aborted');
    assert.equal(await codeOf(vfs.stat('abort/stream')), 'NotFound');
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
    if (receivedAtAbort < size)
      assert.equal((outcome as { code?: unknown } | null | undefined)?.code, 'Aborted', `outcome: ${String(outcome)}`);
    else assert.equal(outcome, 'ended');
    assertBelow(received, size, 'bytes received', true);
  });
}

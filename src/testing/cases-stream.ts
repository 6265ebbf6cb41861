import assert from 'node:assert/strict';
import { assertRefused } from './cases-conditions.js';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assertReleased } from './connections.js';
import { assertBelow, codeOf, text } from './helpers.js';
import { boundedRead, boundedWrite, chunks, streamLimit } from './stream-bound.js';
import type { TestFramework } from './framework.js';
import type { ConformanceContext } from './types.js';

function digest(total: number): string {
  const hash = createHash('sha256');
  for (const chunk of chunks(total)) hash.update(chunk);
  return hash.digest('hex');
}

/** Streaming reads and writes, bounded memory, abort, early stops; none may leave a connection busy. */
export function streamCases(ctx: ConformanceContext): void {
  const checked: ConformanceContext = { ...ctx, framework: { ...ctx.framework, it: releasingIt(ctx) } };
  streamRoundTripCases(checked);
  abortCases(checked);
  failedSourceCase(checked);
  earlyStopCases(checked);
}

/** `it`, with the target's connections checked after the case, while its store is still open. */
function releasingIt(ctx: ConformanceContext): TestFramework['it'] {
  return (name, body) =>
    ctx.framework.it(name, async () => {
      await body();
      await assertReleased(ctx.target, 'busy', `after "${name}"`);
    });
}

function streamRoundTripCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('streams a large object in and out intact, holding a bounded part of it', async () => {
    const vfs = ctx.vfs();
    const { target } = ctx;
    const size = target.largeObjectBytes;
    const { result: info, bound: write } = await boundedWrite(target.transferred, size, (source) =>
      vfs.writeStream('big/object', source),
    );
    assert.equal(info.size, size);
    assert.equal((await vfs.stat('big/object')).size, size);
    const hash = createHash('sha256');
    const open = async () => {
      const { body, info: readInfo } = await vfs.readStream('big/object');
      assert.equal(readInfo.size, size);
      return body;
    };
    const read = await boundedRead(target.transferred, size, open, (chunk) => hash.update(chunk));
    assert.equal(hash.digest('hex'), digest(size));
    if (!target.boundedMemory) return;
    const limit = streamLimit(target);
    if (write.ahead !== undefined)
      assertBelow(write.ahead, limit, 'bytes pulled from the source, not yet received by the server', true);
    if (read.ahead !== undefined)
      assertBelow(read.ahead, limit, 'bytes sent by the server, not yet received by the reader', true);
    assertBelow(read.queued, limit, "the read body's largest chunk or queue", true);
  });

  it('streams from an async iterable and honours ifNoneMatch', async () => {
    const vfs = ctx.vfs();
    async function* parts() {
      yield Buffer.from('hello ');
      yield Buffer.from('stream');
    }
    if (!(await vfs.loadCapabilities()).ifNoneMatch) {
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

function failedSourceCase(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('fails a stream write whose source fails half-way, leaving nothing visible', async () => {
    const vfs = ctx.vfs();
    async function* failing() {
      yield Buffer.alloc(256 * 1024, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('the source broke');
    }
    const outcome = await vfs.writeStream('abort/source', failing()).then(
      () => 'written',
      () => 'failed',
    );
    assert.equal(outcome, 'failed');
    assert.equal(await codeOf(vfs.stat('abort/source')), 'NotFound');
  });
}

/** Bytes enough that the rest of the answer cannot sit in socket buffers once a reader stops. */
const EARLY_STOP_BYTES = 8 * 1024 * 1024;

/** Writes the object the early-stop cases read, and opens a read of it with one chunk taken. */
async function startedRead(ctx: ConformanceContext, key: string) {
  const vfs = ctx.vfs();
  await vfs.writeStream(key, Readable.from(chunks(EARLY_STOP_BYTES)));
  const { body } = await vfs.readStream(key);
  const iterator = body[Symbol.asyncIterator]();
  const first = await iterator.next();
  assert.equal(first.done, false);
  return { vfs, body, iterator };
}

function earlyStopCases(ctx: ConformanceContext): void {
  const { it } = ctx.framework;
  it('releases the connection of a read whose reader stops early, and reads on', async () => {
    const { vfs, iterator } = await startedRead(ctx, 'early/break');
    await iterator.return?.(); // what `break` out of `for await` does
    await assertReleased(ctx.target, 'busy', 'after the reader stopped');
    assert.equal((await vfs.stat('early/break')).size, EARLY_STOP_BYTES);
  });

  it('releases the connection of a read stream the reader destroys', async () => {
    const { vfs, body } = await startedRead(ctx, 'early/destroy');
    body.destroy();
    await assertReleased(ctx.target, 'busy', 'after destroy()');
    assert.equal((await vfs.read('early/destroy')).body.byteLength, EARLY_STOP_BYTES);
  });

  it('ends a read stream left unread when the store is closed, with Aborted', async () => {
    const { vfs, body } = await startedRead(ctx, 'early/closed');
    const ended = new Promise<unknown>((resolve) => {
      body.once('error', resolve);
      body.once('close', () => resolve(undefined));
    });
    await vfs.close();
    assert.equal(((await ended) as { code?: unknown } | undefined)?.code, 'Aborted');
    assert.equal(body.destroyed, true);
    await assertReleased(ctx.target, 'busy', 'after close() with a stream left unread');
  });
}

/**
 * A streamed (resumable) upload to gs:// in which nothing moves for `gcs.timeoutMs` fails with a
 * retryable Unavailable error instead of waiting forever (the SDK's HTTP client never reports an
 * answer cut after its headers, so a stalled upload would otherwise hang); nothing is stored.
 * An upload that keeps moving is not affected, however long it takes in all.
 */
import { Readable } from 'node:stream';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';
import { startGcsEmulator, type GcsEmulatorHandle } from '../servers/gcs-emulator.js';

let server: GcsEmulatorHandle;
let vfs: Vfs;
const MIB = 1024 * 1024;
/**
 * The stall limit. Generous, because the end of an upload includes the emulator's answer, which a
 * loaded machine can delay by more than a second; the steady upload below still takes longer in all.
 */
const LIMIT_MS = 3000;
const STEADY_CHUNKS = 16;
const STEADY_CHUNK_BYTES = 256 * 1024;

beforeAll(async () => {
  server = await startGcsEmulator();
  vfs = await openVfs('gs://stalls/store', {
    gcs: { apiEndpoint: server.apiEndpoint, projectId: server.projectId, timeoutMs: LIMIT_MS },
  });
}, 60_000);

afterAll(async () => {
  await vfs?.close();
  await server?.stop();
});

it('fails a stalled stream upload with Unavailable (retryable), storing nothing', async () => {
  let stalled = false;
  const stalling = new Readable({
    read() {
      if (stalled) return; // never another byte, never the end
      stalled = true;
      this.push(Buffer.alloc(MIB, 7));
    },
  });
  await expect(vfs.writeStream('c/stalled', stalling)).rejects.toMatchObject({
    code: 'Unavailable',
    retryable: true,
    key: 'c/stalled',
  });
  await expect(vfs.stat('c/stalled')).rejects.toMatchObject({ code: 'NotFound' });
});

it('completes a stream upload that keeps moving, even when it takes longer than the limit in all', async () => {
  async function* slowButSteady(): AsyncGenerator<Buffer> {
    for (let i = 0; i < STEADY_CHUNKS; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250)); // 4 s in all, 0.25 s between chunks
      yield Buffer.alloc(STEADY_CHUNK_BYTES, i);
    }
  }
  const info = await vfs.writeStream('c/steady', slowButSteady());
  expect(info.size).toBe(STEADY_CHUNKS * STEADY_CHUNK_BYTES);
  const body = Buffer.from((await vfs.read('c/steady')).body);
  expect(body.length).toBe(STEADY_CHUNKS * STEADY_CHUNK_BYTES);
  expect(body[(STEADY_CHUNKS - 1) * STEADY_CHUNK_BYTES]).toBe(STEADY_CHUNKS - 1);
});

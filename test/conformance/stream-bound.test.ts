/**
 * The conformance suite's bound on streaming (src/testing/stream-bound.ts) counts the bytes a
 * driver holds between its caller and its server, not the process's memory: a driver that
 * streams passes however much else the process holds meanwhile (the old probe, which sampled
 * `process.memoryUsage().arrayBuffers`, failed it), and a driver that holds the whole object
 * fails, on a write and on a read, with the figures in the message.
 */
import { Readable } from 'node:stream';
import type { TestFramework } from '../../src/testing/framework.js';
import { runConformance, type TransferCount } from '../../src/testing/index.js';
import { chunks } from '../../src/testing/stream-bound.js';
import type { Vfs } from '../../src/vfs/types.js';

const SIZE = 32 * 1024 * 1024;

/** How the imitation driver below moves bytes: streaming, or holding the whole object first. */
interface Behaviour {
  holdWholeUpload: boolean;
  holdWholeDownload: boolean;
  /** Buffers the process holds meanwhile for something else (a neighbouring test, a cache). */
  unrelatedBytes: number;
}

/**
 * A store whose "server" keeps only each object's size (its bytes are `chunks(size)`, which the
 * suite writes) and counts what it received and sent, as a counting proxy would.
 */
function imitation(behaviour: Behaviour): { vfs: Vfs; transferred: () => TransferCount } {
  const counts: TransferCount = { received: 0, sent: 0 };
  const sizes = new Map<string, number>();
  const info = (key: string) => ({ key, size: sizes.get(key) ?? 0, version: '1', lastModified: new Date() });
  const elsewhere: Buffer[] = [];
  const vfs = {
    async writeStream(key: string, body: AsyncIterable<Uint8Array>) {
      elsewhere.push(Buffer.alloc(behaviour.unrelatedBytes, 1));
      const held: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += chunk.length;
        if (behaviour.holdWholeUpload) held.push(chunk);
        else counts.received += chunk.length;
      }
      for (const chunk of held) counts.received += chunk.length;
      sizes.set(key, size);
      return info(key);
    },
    stat: async (key: string) => info(key),
    async readStream(key: string) {
      const size = sizes.get(key) ?? 0;
      const counted = function* () {
        for (const chunk of chunks(size)) {
          counts.sent += chunk.length;
          yield chunk;
        }
      };
      const source = behaviour.holdWholeDownload ? [...counted()] : counted();
      return { body: Readable.from(source, { objectMode: false }), info: info(key) };
    },
    async close() {
      elsewhere.length = 0;
    },
  };
  return { vfs: vfs as unknown as Vfs, transferred: () => ({ ...counts }) };
}

/** Runs the suite's streaming round trip on the imitation store; resolves or rejects as the case does. */
async function roundTrip(behaviour: Behaviour): Promise<void> {
  const cases = new Map<string, () => Promise<void>>();
  const hooks: Array<() => Promise<void>> = [];
  const framework: TestFramework = {
    describe: (_name, body) => body(),
    it: (name, body) => cases.set(name, body),
    beforeEach: (hook) => hooks.push(hook),
    afterEach: (hook) => hooks.push(hook),
  };
  const store = imitation(behaviour);
  runConformance(
    { name: 'imitation', open: async () => store.vfs, largeObjectBytes: SIZE, transferred: store.transferred },
    { framework },
  );
  const run = [...cases].find(([name]) => name.startsWith('streams a large object'))?.[1];
  if (run === undefined) throw new Error('no streaming round trip registered');
  const [before, after] = hooks;
  await before!();
  try {
    await run();
  } finally {
    await after!();
  }
}

const streaming = { holdWholeUpload: false, holdWholeDownload: false, unrelatedBytes: 0 };

describe('the conformance bound on streaming counts the driver, not the process', () => {
  it('passes a streaming driver while the process holds twice the object elsewhere', async () => {
    await expect(roundTrip({ ...streaming, unrelatedBytes: 2 * SIZE })).resolves.toBeUndefined();
  });

  it('fails a driver that holds the whole upload before sending it', async () => {
    await expect(roundTrip({ ...streaming, holdWholeUpload: true })).rejects.toThrow(
      `bytes pulled from the source, not yet received by the server: ${SIZE} is not <= ${24 * 1024 * 1024}`,
    );
  });

  it('fails a driver that fetches the whole download before handing out its first chunk', async () => {
    await expect(roundTrip({ ...streaming, holdWholeDownload: true })).rejects.toThrow(
      /bytes sent by the server, not yet received by the reader: \d+ is not <= 25165824/,
    );
  });
});

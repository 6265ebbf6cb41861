/** The move's bar on a terminal (src/cli/progress.ts), fed events directly: when its total is known. */
import { Writable } from 'node:stream';
import type { MoveProgress } from '../../src/index.js';
import { Output } from '../../src/cli/output.js';
import { progressReporter } from '../../src/cli/progress.js';

/** A terminal-like stream that keeps what was drawn. */
function terminal(): Writable & { isTTY: boolean; columns: number; frames: () => string[] } {
  let drawn = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      drawn += chunk.toString('utf8');
      done();
    },
  });
  return Object.assign(stream, {
    isTTY: true,
    columns: 200,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    // eslint-disable-next-line no-control-regex -- splitting at the terminal's cursor moves is the point
    frames: () => drawn.split(/\r|\u001b\[\d*G/).filter((frame) => frame.includes(' files |')),
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the move bar', () => {
  it("keeps a planned cluster's total once the next cluster's listing ends, while their events interleave", async () => {
    const stderr = terminal();
    const bar = await progressReporter(new Output({ stderr, env: {} }));
    const file = (cluster: string): MoveProgress => ({
      type: 'file',
      cluster,
      key: `${cluster}/f`,
      bytes: 10,
      action: 'copied',
    });
    try {
      bar.onProgress({ type: 'plan', cluster: 'a.example.com', files: 4, bytes: 40 });
      bar.onProgress(file('a.example.com'));
      bar.onProgress(file('b.example.com')); // b is still being listed: the total is not known
      bar.onProgress(file('a.example.com'));
      await pause(250); // the bar draws on its own timer (10 frames a second)
      expect(stderr.frames().at(-1)).toMatch(/--% \| 3\/4\+ files/);
      bar.onProgress({ type: 'plan', cluster: 'b.example.com', files: 2, bytes: 20 });
      bar.onProgress(file('a.example.com')); // a's files after b's plan: both listed, the total is known
      await pause(250);
      expect(stderr.frames().at(-1)).toMatch(/66% \| 4\/6 files .* ETA \d+s \| a\.example\.com/);
    } finally {
      bar.stop();
    }
  });
});

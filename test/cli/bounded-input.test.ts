/**
 * Issue #25 items 7 and 10 in the CLI, in process: `-f FILE` and `-f -` are read with the 4 MiB
 * cap before any parse (560 MB on stdin ended in an untyped string-length error at 1.2 GB RSS),
 * and a table of 200,000 rows renders (its widths came from `Math.max(...column)`).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readInput } from '../../src/cli/input.js';
import { renderTable } from '../../src/cli/output.js';
import { CliError } from '../../src/cli/exit-codes.js';
import { rejection, removeTempDirs, tempDir } from '../helpers/index.js';

afterAll(removeTempDirs);

/** An endless stream of 64 KiB chunks, counting what was taken from it. */
function endless(): { stream: Readable; taken: () => number } {
  let taken = 0;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const stream = new Readable({
    read() {
      taken += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, taken: () => taken };
}

describe('-f input (#25.10)', () => {
  it('stdin past 4 MiB is InvalidArgument naming the limit, and the rest is never read', async () => {
    const { stream, taken } = endless();
    const err = await rejection(readInput('-', stream));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe(
      'standard input is larger than 4194304 bytes (INPUT_LIMITS.maxBytes), the most a document may have; nothing was read past it',
    );
    expect(taken()).toBeLessThan(5 * 1024 * 1024);
    expect(stream.destroyed).toBe(true);
  });

  it('a file past 4 MiB is refused the same way; one at the limit, and stdin under it, are read whole', async () => {
    const dir = await tempDir('statestore-input-');
    const over = path.join(dir, 'over.yaml');
    writeFileSync(over, Buffer.alloc(4 * 1024 * 1024 + 1, 'a'));
    const err = await rejection(readInput(over));
    expect(err.message).toBe(
      `${over} is larger than 4194304 bytes (INPUT_LIMITS.maxBytes), the most a document may have; nothing was read past it`,
    );
    const at = path.join(dir, 'at.yaml');
    writeFileSync(at, Buffer.alloc(4 * 1024 * 1024, 'b'));
    expect((await readInput(at)).length).toBe(4 * 1024 * 1024);
    expect(await readInput('-', Readable.from([Buffer.from('kind: Cluster\n')]))).toBe('kind: Cluster\n');
  });

  it('a missing file or a folder is a CliError that says so', async () => {
    const dir = await tempDir('statestore-input-');
    await expect(readInput(path.join(dir, 'missing.yaml'))).rejects.toThrow(
      new CliError(`cannot read ${path.join(dir, 'missing.yaml')}: no such file`),
    );
    await expect(readInput(dir)).rejects.toThrow(new CliError(`cannot read ${dir}: it is a folder`));
  });
});

describe('tables (#25.7)', () => {
  it('renders 200,000 rows (no spread of a column into Math.max)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`cluster-${i}.example.com`, String(i)]);
    const text = renderTable({ headers: ['NAME', 'N'], rows });
    expect(text.split('\n')[0]).toBe('NAME\t\t\t\tN');
    expect(text.split('\n')).toHaveLength(200_002);
  });
});

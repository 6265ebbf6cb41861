import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { INPUT_LIMITS, isStateStoreError, StateStoreError } from '../index.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Reads `-f FILE`, or standard input for `-f -` (so `get ... | sed ... | replace -f -` works), at
 * most `INPUT_LIMITS.maxBytes` (4 MiB, what a YAML document may have): past it, InvalidArgument
 * naming the limit, before anything is parsed and without reading the rest (issue #25.10: 560 MB
 * on stdin ended in an untyped string-length error at 1.2 GB RSS).
 */
export async function readInput(file: string, stdin: Readable = process.stdin): Promise<string> {
  const maxBytes = INPUT_LIMITS.maxBytes;
  const what = file === '-' ? 'standard input' : file;
  // `end` is inclusive: one byte past the limit is enough to know the file is over it.
  const stream = file === '-' ? stdin : createReadStream(file, { end: maxBytes });
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const bytes = Buffer.from(chunk as Buffer);
      length += bytes.length;
      if (length > maxBytes) {
        stream.destroy();
        throw new StateStoreError(
          'InvalidArgument',
          `${what} is larger than ${maxBytes} bytes (INPUT_LIMITS.maxBytes), the most a document may have; nothing was read past it`,
        );
      }
      chunks.push(bytes);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (isStateStoreError(err) || code === undefined || file === '-') throw err;
    throw new CliError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`,
      code === 'ENOENT' ? EXIT.NOT_FOUND : EXIT.ERROR,
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

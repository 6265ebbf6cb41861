import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from './exit-codes.js';

/** Reads `-f FILE`, or standard input for `-f -` (so `get ... | sed ... | replace -f -` works). */
export async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      code === 'ENOENT' ? EXIT.NOT_FOUND : EXIT.ERROR,
    );
  }
}

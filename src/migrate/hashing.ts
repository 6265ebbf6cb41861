import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

/** A pass-through stream that counts and MD5-hashes what flows through it. */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('md5');
  bytes = 0;

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** MD5 (hex) and size of a whole stream, reading it at bounded memory. */
export async function hashStream(stream: Readable): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: hash.digest('hex'), size };
}

/**
 * Stored CRC32 checksums, as S3 keeps them: an object uploaded with `x-amz-checksum-crc32`
 * (header or aws-chunked trailer) keeps that checksum, and GetObject/HeadObject return it when
 * the request says `x-amz-checksum-mode: ENABLED`, so the SDK validates what it downloads.
 * s3rver keeps none; this sidecar file (`<key>._S3rver_checksum-crc32`, ignored by listings)
 * does. Multipart objects have none here (S3's are composite, which the SDK does not validate).
 */
import { promises as fs } from 'node:fs';
import type { S3rverStore } from './s3rver-store.js';

export class ChecksumSidecars {
  constructor(private readonly store: S3rverStore) {}

  private file(bucket: string, key: string): string {
    return this.store.getResourcePath(bucket, key, 'checksum-crc32');
  }

  async get(bucket: string, key: string): Promise<string | undefined> {
    try {
      return (await fs.readFile(this.file(bucket, key), 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Records the checksum of a new object version, or forgets it when the version has none. */
  async set(bucket: string, key: string, crc32: string | undefined): Promise<void> {
    if (crc32 === undefined) await fs.rm(this.file(bucket, key), { force: true });
    else await fs.writeFile(this.file(bucket, key), crc32);
  }

  async copy(srcBucket: string, srcKey: string, destBucket: string, destKey: string): Promise<void> {
    await this.set(destBucket, destKey, await this.get(srcBucket, srcKey));
  }

  /** Test hook: flips the first stored byte, keeping the size, ETag and checksum (bit rot). */
  async corrupt(bucket: string, key: string): Promise<void> {
    const file = this.store.getResourcePath(bucket, key, 'object');
    const handle = await fs.open(file, 'r+');
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, 0);
      byte[0] = byte[0]! ^ 0xff;
      await handle.write(byte, 0, 1, 0);
    } finally {
      await handle.close();
    }
  }
}

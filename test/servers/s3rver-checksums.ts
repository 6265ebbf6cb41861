/**
 * Stored CRC32 checksums, as S3 keeps them: an object uploaded with `x-amz-checksum-crc32`
 * (header or aws-chunked trailer) keeps that checksum, and GetObject/HeadObject return it when
 * the request says `x-amz-checksum-mode: ENABLED`, so the SDK validates what it downloads.
 * s3rver keeps none; this sidecar file (`<key>._S3rver_checksum-crc32`, ignored by listings)
 * does. Multipart objects have none here (S3's are composite, which the SDK does not validate).
 *
 * Amazon S3 also answers CRC32C or CRC64NVME (its default for new objects since 2025) for objects
 * uploaded without a CRC32: while {@link ChecksumAnswer} asks for one of them, each single-part
 * upload also records both (`._S3rver_checksum-others`, computed with the SDK's own
 * implementations, `@aws-sdk/checksums/crc`), and GetObject/HeadObject answer the one asked
 * instead of the CRC32 (set the answer before writing the objects a test reads).
 */
import { promises as fs } from 'node:fs';
// The SDK's checksum package (a dependency of @aws-sdk/client-s3), as the reference implementation.
import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import type { S3rverStore } from './s3rver-store.js';

/** The checksum GetObject and HeadObject answer with (`POST /__s3rver/checksum-answer`). */
export type ChecksumAnswer = 'crc32' | 'crc32c' | 'crc64nvme';

type SdkHashClass = typeof Crc32cJs | typeof Crc64NvmeJs;

async function sdkChecksum(Hash: SdkHashClass, data: Buffer): Promise<string> {
  const hash = new Hash();
  hash.update(data);
  return Buffer.from(await hash.digest()).toString('base64');
}

export class ChecksumSidecars {
  constructor(private readonly store: S3rverStore) {}

  private file(bucket: string, key: string): string {
    return this.store.getResourcePath(bucket, key, 'checksum-crc32');
  }

  private othersFile(bucket: string, key: string): string {
    return this.store.getResourcePath(bucket, key, 'checksum-others');
  }

  /** Records the CRC32C and CRC64NVME of the object as stored now (after a single-part upload). */
  async recordOthers(bucket: string, key: string): Promise<void> {
    const data = await fs.readFile(this.store.getResourcePath(bucket, key, 'object'));
    const others = {
      crc32c: await sdkChecksum(Crc32cJs, data),
      crc64nvme: await sdkChecksum(Crc64NvmeJs, data),
    };
    await fs.writeFile(this.othersFile(bucket, key), JSON.stringify(others));
  }

  /** The header and value GetObject answers under `answer`, if the object has that checksum. */
  async answer(bucket: string, key: string, answer: ChecksumAnswer): Promise<[string, string] | undefined> {
    const value =
      answer === 'crc32'
        ? await this.get(bucket, key)
        : ((JSON.parse((await readOrUndefined(this.othersFile(bucket, key))) ?? '{}') as Record<string, string>)[
            answer
          ] ?? undefined);
    return value === undefined ? undefined : [`x-amz-checksum-${answer}`, value];
  }

  async get(bucket: string, key: string): Promise<string | undefined> {
    return (await readOrUndefined(this.file(bucket, key)))?.trim();
  }

  /** Records the CRC32 of a new object version, or forgets its checksums when the version has none. */
  async set(bucket: string, key: string, crc32: string | undefined): Promise<void> {
    if (crc32 !== undefined) return fs.writeFile(this.file(bucket, key), crc32);
    await fs.rm(this.file(bucket, key), { force: true });
    await fs.rm(this.othersFile(bucket, key), { force: true });
  }

  async copy(srcBucket: string, srcKey: string, destBucket: string, destKey: string): Promise<void> {
    await this.set(destBucket, destKey, await this.get(srcBucket, srcKey));
    const others = await readOrUndefined(this.othersFile(srcBucket, srcKey));
    if (others !== undefined) await fs.writeFile(this.othersFile(destBucket, destKey), others);
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

async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

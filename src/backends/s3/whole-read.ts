import { Readable } from 'node:stream';
import type { StateStoreError } from '../../errors.js';
import type { DriverReadOptions, ErrorContext } from '../../vfs/driver.js';
import { collectCapped, readTooLarge } from '../../vfs/read-cap.js';
import type { RetryPolicy } from '../../vfs/retry.js';
import type { ReadResult, ReadStreamResult } from '../../vfs/types.js';
import { resumableBody } from '../resume.js';
import { collectedBytes, type WholeBody } from './direct/commands.js';
import { readWhole } from './lazy-sdk.js';
import { bodyIsValidated, checkVersion, objectInfo, type GetOutput } from './objects.js';
import { bodyError, readRest } from './reads.js';
import type { S3Requests } from './requests.js';
import type { StoreDialect } from './store-dialect.js';

/** What the S3 driver's reads need of it. */
export interface ObjectReads {
  requests: S3Requests;
  bucket: string;
  dialect: StoreDialect;
  retry: RetryPolicy;
  /** Downloads are validated against their checksums (`options.s3.checksum`). */
  checksums: boolean;
  /** The bucket's key of a store key (the prefix before it). */
  objectKey(key: string): string;
  mapError(err: unknown, context: ErrorContext): StateStoreError;
}

/** A GetObject's answer, its info checked against the read's condition (the body released if not). */
interface Got {
  output: GetOutput;
  info: ReturnType<typeof objectInfo>;
}

/** Releases an answer's body, unless the direct path collected it (nothing to release). */
function release(output: GetOutput): void {
  if (collectedBytes(output) === undefined) output.Body?.destroy();
}

async function get(reads: ObjectReads, key: string, options: DriverReadOptions, whole?: WholeBody): Promise<Got> {
  const { signal, condition } = options;
  const input = { Bucket: reads.bucket, Key: reads.objectKey(key), ...reads.dialect.readPin(condition) };
  const command = new reads.requests.sdk.GetObjectCommand(input);
  const output = await reads.requests.send<GetOutput>(
    whole === undefined ? command : readWhole(command, whole),
    signal,
  );
  const info = objectInfo(key, output, reads.requests.kms);
  try {
    checkVersion(info, condition, 'read', reads.bucket);
  } catch (err) {
    release(output);
    throw err;
  }
  return { output, info };
}

/**
 * The body of `got` as the Vfs promises it. The SDK (or the direct path) retries a request until
 * its answer's headers arrive; a body cut off after that (a reset mid-transfer) resumes from the
 * byte reached, pinned to the ETag, within the store's retry budget. Errors while streaming
 * surface as StateStoreErrors; a consumer that stops early releases the connection.
 */
function resumable(reads: ObjectReads, key: string, options: DriverReadOptions, got: Got): Readable {
  const { signal, condition } = options;
  const { info } = got;
  const validated = reads.checksums && bodyIsValidated(got.output);
  const context: ErrorContext = { op: 'read', key, condition, ...(signal === undefined ? {} : { signal }) };
  return resumableBody(got.output.Body ?? Readable.from([]), {
    size: info.size,
    backend: 's3',
    key,
    retry: reads.retry,
    ...(signal === undefined ? {} : { signal }),
    mapError: (err) => bodyError(err, context, validated, (cause) => reads.mapError(cause, context), reads.bucket),
    reopen: (offset) =>
      readRest(reads.requests, { Bucket: reads.bucket, Key: reads.objectKey(key) }, offset, {
        key,
        version: info.version,
        dialect: reads.dialect.ifKnown,
        ...(signal === undefined ? {} : { signal }),
      }),
  });
}

/** The S3 driver's `readStream`: one GetObject, its body resumable (see {@link resumable}). */
export async function readObjectStream(
  reads: ObjectReads,
  key: string,
  options: DriverReadOptions,
): Promise<ReadStreamResult> {
  const got = await get(reads, key, options);
  return { body: resumable(reads, key, options, got), info: got.info };
}

/**
 * The S3 driver's `read`: one GetObject whose body, when small (direct/request.ts SMALL_BODY)
 * and within `maxBytes`, the direct path collects and checks against its checksum itself, handed
 * over as bytes: no stream, checksum transform or async iterator per object (a state store's
 * files are mostly a few KiB: bench/README.md, "Small reads"). A body cut while collected comes
 * back as the bytes that came, and is resumed from there as a streamed one is ({@link resumable}:
 * a ranged GET pinned to the ETag); a large one (or one the SDK sent) streams, collected up to
 * `maxBytes`. An object larger than `maxBytes` by its Content-Length is refused unread.
 */
export async function readObject(reads: ObjectReads, key: string, options: DriverReadOptions): Promise<ReadResult> {
  const cap = options.maxBytes;
  const got = await get(reads, key, options, { limit: cap ?? Infinity, keepCut: true });
  const { info, output } = got;
  if (cap !== undefined && info.size > cap) {
    release(output);
    throw readTooLarge(info, 's3', cap, String(info.size));
  }
  const bytes = collectedBytes(output) ?? (await collectCapped(resumable(reads, key, options, got), info, 's3', cap));
  return {
    body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    info: bytes.length === info.size ? info : { ...info, size: bytes.length },
  };
}

/**
 * The size cap of a whole read (`Vfs.read`'s `maxBytes`, issue #25.10): what the portable layer
 * checks for every driver, and the refusal each driver raises when it stops a read at the cap.
 */
import type { Readable } from 'node:stream';
import { StateStoreError } from '../errors.js';
import type { DriverReadOptions, VfsDriver } from './driver.js';
import type { ObjectInfo, ReadResult } from './types.js';

/** What each refusal of a capped read was about, for {@link oversizedRead}. */
const REFUSED = new WeakMap<object, { info: ObjectInfo; size: string; maxBytes: number }>();

/**
 * The refusal of a read past `maxBytes`: InvalidArgument, with the object's `info` and the size
 * seen (`"42000000"` announced, or `"over 70000"` when only the bytes that came said so) kept for
 * `oversizedRead` (the store's capped reads name the file with them). Drivers raise it where they
 * stop reading.
 */
export function readTooLarge(info: ObjectInfo, backend: string, maxBytes: number, size: string): StateStoreError {
  const err = new StateStoreError(
    'InvalidArgument',
    `${backend}: ${JSON.stringify(info.key)} is ${size} bytes, more than the ${maxBytes} bytes asked for (maxBytes); it was not read`,
    { key: info.key, backend },
  );
  REFUSED.set(err, { info, size, maxBytes });
  return err;
}

/** The object and size of a read that `err` refused as larger than its `maxBytes`; undefined for any other error. */
export function oversizedRead(err: unknown): { info: ObjectInfo; size: string; maxBytes: number } | undefined {
  return typeof err === 'object' && err !== null ? REFUSED.get(err) : undefined;
}

/**
 * A whole stream into one buffer, given up (the stream destroyed) as soon as its announced size
 * (`info.size`) or the bytes that came pass `maxBytes`: then {@link readTooLarge}. Without a cap,
 * everything is read. The stream's own failures pass as they are.
 */
export async function collectCapped(stream: Readable, info: ObjectInfo, backend: string, maxBytes?: number) {
  const cap = maxBytes ?? Infinity;
  if (info.size > cap) {
    stream.destroy();
    throw readTooLarge(info, backend, cap, String(info.size));
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    length += bytes.byteLength;
    // A backend whose announced size was wrong (or an object growing while read) still stops here.
    if (length > cap) {
      stream.destroy();
      throw readTooLarge(info, backend, cap, `over ${length}`);
    }
    chunks.push(bytes);
  }
  return chunks.length === 1 && Buffer.isBuffer(chunks[0]) ? chunks[0] : Buffer.concat(chunks);
}

/**
 * The portable layer's whole read: `maxBytes` checked (a non-negative integer), passed to the
 * driver, which stops at it; a body larger all the same (a driver that ignores the option) is
 * refused here too, so the caller never gets more than it asked for.
 */
export async function cappedRead(driver: VfsDriver, key: string, options: DriverReadOptions): Promise<ReadResult> {
  const { maxBytes } = options;
  if (maxBytes === undefined) return driver.read(key, options);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new StateStoreError('InvalidArgument', `maxBytes must be a non-negative integer, not ${String(maxBytes)}`, {
      key,
      backend: driver.backend,
    });
  const result = await driver.read(key, options);
  if (result.body.byteLength > maxBytes)
    throw readTooLarge(result.info, driver.backend, maxBytes, String(result.body.byteLength));
  return result;
}

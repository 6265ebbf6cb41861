import { collectCapped } from '../../vfs/read-cap.js';
import type { ReadResult, ReadStreamResult } from '../../vfs/types.js';

/**
 * A driver's `read` from its `readStream`: the whole body in memory, with the info of the version
 * streamed (so body and info never tear) and the size of the bytes actually read. The stream's
 * failures are StateStoreErrors already (drivers map body errors themselves) and pass as they are.
 * `cap.maxBytes` (the read's `DriverReadOptions.maxBytes`): a larger object is refused with
 * `readTooLarge` (naming `cap.backend`) by its announced size, or as soon as the bytes read pass
 * it, the stream destroyed.
 *
 * @example
 * ```ts
 * import { readAll, type DriverReadOptions, type ReadResult, type ReadStreamResult } from 'kops-statestore/driver';
 *
 * // In a driver whose readStream is its own: read() collects it, within the caller's cap.
 * declare function readStream(key: string, options: DriverReadOptions): Promise<ReadStreamResult>;
 * function read(key: string, options: DriverReadOptions): Promise<ReadResult> {
 *   return readAll(readStream(key, options), { maxBytes: options.maxBytes, backend: 'mystore' });
 * }
 * ```
 */
export async function readAll(
  streamed: Promise<ReadStreamResult>,
  cap: { maxBytes?: number | undefined; backend: string } = { backend: '' },
): Promise<ReadResult> {
  const { body: stream, info } = await streamed;
  const body = await collectCapped(stream, info, cap.backend, cap.maxBytes);
  return {
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    info: { ...info, size: body.length },
  };
}

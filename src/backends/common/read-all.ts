import type { ReadResult, ReadStreamResult } from '../../vfs/types.js';
import { collect } from './bytes.js';

/**
 * A driver's `read` from its `readStream`: the whole body in memory, with the info of the version
 * streamed (so body and info never tear) and the size of the bytes actually read. The stream's
 * failures are StateStoreErrors already (drivers map body errors themselves) and pass as they are.
 */
export async function readAll(streamed: Promise<ReadStreamResult>): Promise<ReadResult> {
  const { body: stream, info } = await streamed;
  const body = await collect(stream);
  return {
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    info: { ...info, size: body.length },
  };
}

/**
 * Reads of store content with a size cap, before any parse (issue #25.10): a file anyone with
 * bucket write access can replace (a config, an instance group, a history entry, a lease, a
 * keyset) is never read whole past the cap. The read is given up as soon as its announced size,
 * or the bytes that came, pass the cap, so a 42 MB entry costs at most the cap in memory.
 */
import { StateStoreError } from '../errors.js';
import type { ObjectInfo, ReadResult, Vfs } from '../vfs/types.js';
import { oversizedRead } from '../vfs/read-cap.js';
import { INPUT_LIMITS } from '../config/guard.js';

/** The cap of a document read: the 4 MiB a YAML document may have (`INPUT_LIMITS.maxBytes`). */
export const MAX_DOCUMENT_BYTES = INPUT_LIMITS.maxBytes;

/**
 * The cap of a history entry read (issue #25.10: entries are files anyone with bucket write access
 * can edit, and a 42 MB one was read whole): its two texts of up to 4 MiB each, which JSON may
 * double (`\n`, `"`), plus its other fields.
 */
export const MAX_HISTORY_ENTRY_BYTES = 4 * INPUT_LIMITS.maxBytes + 64 * 1024;

/** The file each refusal of {@link readCapped} was about, for {@link oversizedInfo}. */
const OVERSIZED = new WeakMap<object, ObjectInfo>();

/**
 * The size and version of the file `err` refused as too large, or undefined for any other error:
 * for a caller that treats an oversized file as a damaged one (a lease never locks a cluster).
 */
export function oversizedInfo(err: unknown): ObjectInfo | undefined {
  return typeof err === 'object' && err !== null ? OVERSIZED.get(err) : undefined;
}

/**
 * {@link Vfs.read} of at most `maxBytes` bytes: InvalidArgument naming the limit (and the key)
 * past it, never held past the cap (the Vfs's `maxBytes`: the backend gives up as soon as the
 * announced size, or the bytes that came, pass it). `what` names the file in the message
 * (`history entry ...`).
 */
export async function readCapped(
  vfs: Vfs,
  key: string,
  options: { maxBytes?: number; what?: string; signal?: AbortSignal } = {},
): Promise<ReadResult> {
  const maxBytes = options.maxBytes ?? MAX_DOCUMENT_BYTES;
  const tooLarge = (info: ObjectInfo, size: string): StateStoreError => {
    const err = new StateStoreError(
      'InvalidArgument',
      `${options.what ?? key} is ${size} bytes, more than the ${maxBytes} bytes statestore reads (maxBytes); it was not read`,
      { key, backend: vfs.backend },
    );
    OVERSIZED.set(err, info);
    return err;
  };
  const read = await vfs.read(key, { maxBytes, signal: options.signal }).catch((err: unknown) => {
    const refused = oversizedRead(err);
    throw refused === undefined ? err : tooLarge(refused.info, refused.size);
  });
  // A Vfs not made by openVfs (a caller's own wrapper) may not know maxBytes: refused here all the same.
  if (read.body.byteLength > maxBytes) throw tooLarge(read.info, String(read.body.byteLength));
  return read;
}

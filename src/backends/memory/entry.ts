import type { ObjectInfo } from '../../vfs/types.js';

/** One stored object; `info.key` is the full key in the named store. */
export interface Entry {
  body: Uint8Array;
  info: ObjectInfo;
}

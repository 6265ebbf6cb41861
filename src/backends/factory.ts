import type { StoreUrl } from '../vfs/url.js';
import type { VfsDriver } from '../vfs/driver.js';
import type { OpenVfsOptions } from './options.js';

/** A backend that `openVfs` can open, for one or more URL schemes. */
export interface BackendFactory {
  /** Lowercase schemes without `:`, e.g. `["s3", "do"]`. */
  readonly schemes: readonly string[];
  /** Opens the driver. Must throw InvalidArgument for a URL it cannot use, before any I/O. */
  open(url: StoreUrl, options: OpenVfsOptions): Promise<VfsDriver>;
}

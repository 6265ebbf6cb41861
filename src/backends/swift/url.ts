import { StateStoreError } from '../../errors.js';
import type { StoreUrl } from '../../vfs/url.js';

/** Where a `swift://container/prefix` store lives in its Swift account. */
export interface SwiftLocation {
  container: string;
  /** Object-name prefix of the store's root, `''` or ending in `/`. */
  root: string;
  /** `swift://container/prefix`, safe to print. */
  url: string;
}

/**
 * Reads `swift://container/prefix` as kops's swiftfs does (container, then the object path).
 * Swift container names are at most 256 bytes and cannot hold `/`; credentials never go in the URL.
 */
export function parseSwiftUrl(url: StoreUrl): SwiftLocation {
  const invalid = (why: string) =>
    new StateStoreError('InvalidArgument', `invalid swift URL ${JSON.stringify(url.redacted)}: ${why}`, {
      backend: 'swift',
    });
  if (url.credentials !== undefined) throw invalid('credentials do not go in the URL; use OS_* variables or options');
  if (Buffer.byteLength(url.host, 'utf8') > 256) throw invalid('the container name is longer than 256 bytes');
  return {
    container: url.host,
    root: url.path === '' ? '' : `${url.path}/`,
    url: url.path === '' ? `swift://${url.host}` : `swift://${url.host}/${url.path}`,
  };
}

/** The encoded path of an object below the storage URL: `/container/seg/ments`. */
export function objectPath(container: string, name: string): string {
  return `/${encodeURIComponent(container)}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/** The encoded path of a container below the storage URL. */
export function containerPath(container: string): string {
  return `/${encodeURIComponent(container)}`;
}

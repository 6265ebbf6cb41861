/**
 * `kops-statestore/driver`: what a storage backend implementer needs, and nothing a state-store user
 * does. Implement {@link VfsDriver}, return it from a {@link BackendFactory}, and register the
 * factory with {@link registerBackend}; `openVfs` (from `statestore`) then opens your scheme and
 * wraps the driver in the portable layer (key checks, conditions, abort, error mapping). Prove the
 * driver with `runConformance` from `kops-statestore/testing`.
 *
 * The backend table is shared by the ESM and the CommonJS copies of the package: a backend
 * registered through `require('kops-statestore/driver')` is opened by `import('kops-statestore')` too.
 *
 * @example
 * ```ts
 * import { openVfs } from 'kops-statestore';
 * import { registerBackend, type BackendFactory, type VfsDriver } from 'kops-statestore/driver';
 * declare function tinyDriver(bucket: string): VfsDriver; // your implementation of the contract
 *
 * const tiny: BackendFactory = { schemes: ['tiny'], open: async (url) => tinyDriver(url.host) };
 * registerBackend(tiny);
 * const vfs = await openVfs('tiny://bucket/prefix');
 * ```
 * @packageDocumentation
 * @module kops-statestore/driver
 */

// The driver contract.
export { NO_CONDITION } from './vfs/driver.js';
export type {
  Condition,
  DriverCopyOptions,
  DriverDeleteOptions,
  DriverOp,
  DriverReadOptions,
  DriverWriteOptions,
  DriverWriteStreamOptions,
  ErrorContext,
  VfsDriver,
} from './vfs/driver.js';
// The values a driver's methods take and return (also exported by `statestore`, for callers).
export type {
  CallOptions,
  Capabilities,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectVersion,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
  StoreFacts,
} from './vfs/types.js';

// Registering a backend.
export type { BackendFactory } from './backends/factory.js';
export { registerBackend } from './backends/registry.js';
export type { OpenVfsOptions } from './backends/options.js';
export type { StoreUrl } from './vfs/url.js';
export { loadOptionalPeer } from './backends/optional-peer.js';

// Errors and retries, as the portable layer and the built-in drivers use them.
export { StateStoreError, isStateStoreError } from './errors.js';
export type { ErrorCode, StateStoreErrorOptions, ValidationIssue } from './errors.js';
export { withRetry } from './vfs/retry.js';
export type { RetryPolicy } from './vfs/retry.js';

// Plumbing the built-in drivers share: bodies, whole reads, listing pages, HTTP and network error mapping.
export { collect, md5Hex, toBytes } from './backends/common/bytes.js';
export { readAll } from './backends/common/read-all.js';
export { readTooLarge } from './vfs/read-cap.js';
export { compareKeys, decodePageToken, encodePageToken, pageSorted } from './backends/common/paging.js';
export {
  NETWORK_ERROR_CODES,
  mapHttpStatus,
  networkErrorCode,
  type HttpErrorMapping,
} from './backends/common/http-errors.js';

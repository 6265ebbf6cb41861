/**
 * The driver contract: what a storage backend implements so that the portable layer
 * (`src/vfs/portable.ts`) can offer it as a `Vfs`. Like go-cloud's `blob/driver`, each
 * member states what the driver MUST do and what it MAY RELY ON, because the portable layer has
 * already checked it. The conformance suite (`kops-statestore/testing`) checks every "must".
 *
 * Everything the portable layer guarantees before calling a driver:
 * - keys and prefixes are valid (`validateKey`): no `..`, empty segments, NUL or over-long keys;
 * - the call's signal has not fired yet;
 * - `condition` is one of the three {@link Condition} kinds and the backend's {@link Capabilities}
 *   allow it (an unsupported condition is refused with Unsupported before any I/O);
 * - `pageSize` is a positive integer, `delimiter` is `"/"` or absent, `size` a non-negative integer.
 *
 * And after: anything a driver method throws (or rejects with) that is not already a
 * StateStoreError is passed through {@link VfsDriver.mapError}, once, with the operation, key and
 * condition of the call.
 */
import type { Readable } from 'node:stream';
import type { StateStoreError } from '../errors.js';
import type {
  CallOptions,
  Capabilities,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectVersion,
  ReadResult,
  ServerSideLocation,
  StoreFacts,
} from './types.js';

/**
 * The one precondition a driver receives, converted once from the caller's `ifMatch` /
 * `ifNoneMatch` (as Rust object_store's `PutMode::{Overwrite, Create, Update}`):
 * - `none`: unconditional (overwrite, or plain read);
 * - `absent`: create-if-absent; only on writes and copies;
 * - `version`: the object must exist at exactly `version` (compare-and-swap on writes, a pinned
 *   read on reads, a guarded delete on deletes).
 */
export type Condition =
  | {
      /** Unconditional. */
      kind: 'none';
    }
  | {
      /** Create-if-absent. */
      kind: 'absent';
    }
  | {
      /** Only at this exact version. */
      kind: 'version';
      /** The version (as in {@link ObjectInfo.version}) the object must be at. */
      version: string;
    };

/** The unconditional {@link Condition}, shared so drivers can compare by kind. */
export const NO_CONDITION: Condition = Object.freeze({ kind: 'none' });

/** The operations of the driver contract, as named in {@link ErrorContext}. */
export type DriverOp =
  | 'read'
  | 'readStream'
  | 'stat'
  | 'write'
  | 'writeStream'
  | 'delete'
  | 'list'
  | 'copy'
  | 'copyFrom'
  | 'listVersions'
  | 'readVersion'
  | 'deleteVersion';

/** What was being done when a driver call failed: {@link VfsDriver.mapError} maps by this. */
export interface ErrorContext {
  /** The driver method that failed. */
  op: DriverOp;
  /** The key of the call (the destination key of a copy); absent for `list`. */
  key?: string;
  /** The condition that was sent. A 412 means AlreadyExists under `absent`, PreconditionFailed otherwise. */
  condition: Condition;
  /** The call's signal: a failure after it fired maps to Aborted. */
  signal?: AbortSignal;
}

/** Options of {@link VfsDriver.read}, {@link VfsDriver.readStream} and {@link VfsDriver.stat}. */
export interface DriverReadOptions extends CallOptions {
  /** `none`, or `version` (fail with PreconditionFailed unless the object is at that version). */
  condition: Condition;
  /**
   * {@link VfsDriver.read} only (the caller's `maxBytes`; the portable layer has checked it is a
   * non-negative integer): for an object of more than this many bytes, `read` SHOULD reject with
   * `readTooLarge(info, backend, maxBytes, size)` (exported with this contract) without holding
   * more than `maxBytes` of its body: refuse by the size the service announces before reading any
   * of it, and stop as soon as the bytes that came pass it (`readAll(stream, { maxBytes, backend })`
   * does both for a driver whose `read` is its `readStream` collected).
   * The portable layer refuses a larger body any driver returns, so a driver that ignores it stays
   * correct, but then holds the whole object first. Every built-in driver honours it.
   */
  maxBytes?: number;
}

/** Options of {@link VfsDriver.write}. */
export interface DriverWriteOptions extends CallOptions {
  /** `none` (overwrite), `absent` (create-if-absent) or `version` (compare-and-swap). */
  condition: Condition;
  /** Content type to store, where the backend keeps one. */
  contentType?: string;
  /**
   * The caller's `durability` (see the Vfs's `WriteOptions`). Optional for a driver: one that ignores it keeps
   * every write durable on return, which satisfies `deferred` too. A driver that defers must make
   * the object durable before its next write without `deferred` takes effect, and in `close()`.
   */
  durability?: 'immediate' | 'deferred';
}

/** Options of {@link VfsDriver.writeStream}. */
export interface DriverWriteStreamOptions extends DriverWriteOptions {
  /** The size, when the caller knows it; lets a driver pick a single-request upload. */
  size?: number;
}

/** Options of {@link VfsDriver.copyFromLocation}. */
export interface DriverCopyOptions extends DriverWriteOptions {
  /**
   * The source as the caller last listed it. A driver may take the copy's size from here instead
   * of asking the service again only when the copy's own checksum proves it copied these bytes.
   */
  sourceInfo?: ObjectInfo;
  /**
   * What to do with an `absent` condition the service's copy cannot enforce (the caller's
   * `ifNoneMatchInService`; the portable layer has checked it is one of the two or absent):
   * - `enforce` or absent: MUST still enforce it. Either by a way of copying that does (the
   *   bytes through this process to a create-if-absent write, pinned to the source's version),
   *   or by resolving to undefined before any I/O so that the caller streams to a write that does.
   * - `best-effort`: SHOULD copy inside the service; MUST send the condition where the service's
   *   copy enforces it, MAY copy without it where it does not (a key created meanwhile is then
   *   replaced). A driver that cannot copy inside the service without the condition MAY treat it
   *   as `enforce`. A `version` condition MUST be enforced either way.
   */
  ifNoneMatchInService?: 'enforce' | 'best-effort';
}

/** Options of {@link VfsDriver.delete}. */
export interface DriverDeleteOptions extends CallOptions {
  /** `none`, or `version` (only when `capabilities.deleteIfMatch`). */
  condition: Condition;
}

/**
 * A storage backend. Implement it, return it from a `BackendFactory`, and `openVfs` wraps it
 * into a `Vfs` (the storage interface of `statestore`). A driver must:
 * - never put credentials in an error message or an `ObjectInfo`;
 * - refuse at open (in its factory) a URL it cannot use, with InvalidArgument, rather than failing
 *   every later call;
 * - refuse a key its storage cannot hold (a path segment over NAME_MAX, say) with InvalidArgument;
 * - create what it stores readable by the owner only, where the storage has permissions (file: 0600).
 */
export interface VfsDriver {
  /** Canonical URL of the store's root, without credentials, e.g. `s3://bucket/prefix`. */
  readonly url: string;
  /** The backend's name in messages and errors: `memory`, `file`, `s3`, `gcs`, `azure`. */
  readonly backend: string;
  /**
   * What the driver enforces. Must not change after open, except once, by
   * {@link VfsDriver.loadCapabilities}, from a lower bound to what the backend learnt.
   */
  readonly capabilities: Capabilities;

  /**
   * OPTIONAL. Learns what `capabilities` could not say at open (the S3 driver's probed dialect),
   * after which they are final. The portable layer calls it before every conditional write, copy
   * and delete, and in `Vfs.loadCapabilities`; never for reads. Omit it when capabilities are
   * final at open.
   */
  loadCapabilities?(options: { signal?: AbortSignal }): Promise<void>;

  /**
   * Reads a whole object. Must reject with NotFound for a missing key; under a `version`
   * condition, with PreconditionFailed when the object is at another version or missing. The
   * body and `info` must describe the same version (no torn read across a concurrent write).
   */
  read(
    key: string,
    options: DriverReadOptions,
  ): Promise<{
    /** The whole content. */
    body: Uint8Array;
    /** The version and size the content is of. */
    info: ObjectInfo;
  }>;

  /**
   * Like {@link VfsDriver.read}, streaming: memory must stay bounded whatever the size, and every
   * chunk must come from the version in `info` (a driver re-reading ranges pins them to it).
   * Bounded means backpressure: MUST NOT take more of the answer from the server than a fixed
   * read-ahead (documented by the driver; the conformance suite's `streamBufferBytes`, 16 MiB by
   * default) beyond what the reader has taken, neither before the promise resolves nor while the
   * reader pauses, and no chunk or `readableLength` above it. A failure after the promise
   * resolved must surface as a StateStoreError on the stream (the driver maps it itself with
   * {@link VfsDriver.mapError}: the portable layer never sees it).
   */
  readStream(
    key: string,
    options: DriverReadOptions,
  ): Promise<{
    /** The content, streamed; every chunk of the version in `info`. */
    body: Readable;
    /** The version and size the stream delivers. */
    info: ObjectInfo;
  }>;

  /** The object's info without its body. Same rejections as {@link VfsDriver.read}. */
  stat(key: string, options: DriverReadOptions): Promise<ObjectInfo>;

  /**
   * Writes a whole object atomically: readers see the old or the new content, never a mix.
   * Under `absent`, a lost race must reject with AlreadyExists and leave the object unchanged (of
   * N racing creators exactly one succeeds). Under `version`, a lost race must reject with
   * PreconditionFailed (or Conflict, retryable) and leave the object unchanged. May rely on:
   * `body` is a string or a Uint8Array.
   */
  write(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo>;

  /**
   * Like {@link VfsDriver.write}, from a stream, at bounded memory: MUST NOT pull more from `body`
   * than a fixed number of bytes (its part or block size times the parts in flight, documented by
   * the driver; the conformance suite's `streamBufferBytes`, 16 MiB by default) beyond what the
   * server has received, whatever the stream's length. Nothing may be visible at the key until
   * the stream ended and every byte is stored; an aborted or failed upload must leave no partial
   * object (and should leave no orphaned parts).
   */
  writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo>;

  /**
   * Deletes an object. Deleting a missing key must succeed under `none`; under `version` it must
   * reject with PreconditionFailed, as must a version mismatch.
   */
  delete(key: string, options: DriverDeleteOptions): Promise<void>;

  /**
   * One page of a listing, in ascending UTF-8 byte order of keys, keys relative to the root.
   * Each page must resume from its token at a cost that does not grow with the keys already
   * listed (listing n keys page by page is O(n)). With `delimiter`, keys below the next `/` are
   * rolled into `prefixes`. May return fewer entries than `pageSize`; must return a token while
   * entries remain. A malformed `pageToken` must reject with InvalidArgument.
   */
  list(options: ListOptions): Promise<ListPage>;

  /**
   * Copies inside this store (inside the service where `capabilities.serverSideCopy`). NotFound
   * for a missing source; conditions apply to the destination as in {@link VfsDriver.write}.
   */
  copy(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo>;

  /**
   * Where `key` lives inside its service, so that another store of the same service can copy it
   * without streaming. Omit it (or return undefined) when the backend has no such copies.
   */
  serverSideLocation?(key: string): ServerSideLocation | undefined;

  /**
   * Copies from a location another store's `serverSideLocation` gave. Must resolve to undefined,
   * before any I/O, when it cannot (another service or identity); the caller then streams.
   */
  copyFromLocation?(
    source: ServerSideLocation,
    destinationKey: string,
    options: DriverCopyOptions,
  ): Promise<ObjectInfo | undefined>;

  /**
   * The versions the provider keeps of `key` (object versioning), newest first, deletions
   * included. Omit it when the backend keeps none.
   */
  listObjectVersions?(key: string, options: { signal?: AbortSignal }): Promise<ObjectVersion[]>;

  /** Reads one version `listObjectVersions` gave; NotFound when there is no such version. */
  readObjectVersion?(key: string, versionId: string, options: { signal?: AbortSignal }): Promise<ReadResult>;

  /**
   * Deletes one version `listObjectVersions` gave, for good (S3 `DeleteObject` with `VersionId`):
   * when it was the newest, the version before it becomes the object again. No delete marker is
   * left. MUST NOT touch any other version; a version that is not there is no error.
   */
  deleteObjectVersion?(key: string, versionId: string, options: { signal?: AbortSignal }): Promise<void>;

  /**
   * Turns anything this driver's SDK or system calls threw into a StateStoreError, by the
   * context's operation and the condition SENT (a 412 is AlreadyExists under `absent`, a 404 is
   * PreconditionFailed under `version`). Must be total (never throw), must not put credentials or
   * the SDK's raw message in `message`, and should keep the original as `cause`. Must map a
   * failure after `context.signal` fired to Aborted.
   */
  mapError(err: unknown, context: ErrorContext): StateStoreError;

  /**
   * Why a capability is false, in the service's terms (e.g. "this S3 server ignores If-Match on
   * DeleteObject (S3 dialect ...)"), for the Unsupported error the portable layer raises. Optional:
   * without it the message says only that the backend cannot enforce the condition.
   */
  explainUnsupported?(capability: 'ifMatch' | 'ifNoneMatch' | 'deleteIfMatch'): string;

  /**
   * OPTIONAL. What only the backend can say about its store, for `probeStore` (`statestore
   * doctor`): object versioning and default encryption of the bucket or container. MUST make only
   * read requests, MUST leave a field out when the backend cannot tell (no such setting, or no
   * permission to read it: a refusal is not a failure of the call), and MUST NOT throw for that;
   * it MAY throw for the store being unreachable. MUST NOT put credentials in the strings.
   */
  describeStore?(options: { signal?: AbortSignal }): Promise<StoreFacts>;

  /** Releases sockets and handles. Called once; the driver is not used afterwards. */
  close(): Promise<void>;
}

/**
 * The Vfs: what a state store needs from a storage backend, and nothing more, as callers see it.
 * Backends implement the narrower driver contract (`src/vfs/driver.ts`); the portable layer
 * (`src/vfs/portable.ts`) turns a driver into a Vfs. Obligations are written on each member as
 * "must"; the conformance suite (`kops-statestore/testing`) checks them on every backend.
 */
import type { Readable } from 'node:stream';

/** Options every call accepts. */
export interface CallOptions {
  /**
   * Cancels the call. An aborted call must reject with code Aborted, and must not leave a
   * partially written object visible.
   */
  signal?: AbortSignal;
}

/** What a backend knows about one stored object. */
export interface ObjectInfo {
  /** The key relative to the store's root. */
  key: string;
  /** Size in bytes. */
  size: number;
  /**
   * Opaque version token (an ETag, a GCS generation, an inode-and-mtime stamp). Two reads of an
   * unchanged object must give the same version; a write that changes the content must change it
   * (rewriting identical bytes may keep it, as S3's ETag does: harmless for compare-and-swap, since
   * the object is then exactly what the caller read). Pass it back as `ifMatch`.
   */
  version: string;
  /** Lowercase hex MD5 of the content, when the backend knows it without reading the object. */
  md5?: string;
  /**
   * Where the backend has one: a stamp that changes with every change to the object, including
   * those `version` may not show (file backend: inode, size, modification and change time, so a
   * rewrite at the same size with its mtime set back shows too). For callers that keep what they
   * derived from an object (a digest) between runs; it is no condition for writes (a hard link
   * or chmod changes it too).
   */
  changeStamp?: string;
  /** Time of the last write. */
  lastModified: Date;
  /** The stored content type, where the backend keeps one. */
  contentType?: string;
}

/** The result of {@link Vfs.read}. */
export interface ReadResult {
  /** The whole content. */
  body: Uint8Array;
  /** The object's size and version, of exactly the content returned. */
  info: ObjectInfo;
}

/** The result of {@link Vfs.readStream}. */
export interface ReadStreamResult {
  /** The content; consume it or destroy it. */
  body: Readable;
  /** The object's size and version; the stream yields that version's content only. */
  info: ObjectInfo;
}

/** Options of {@link Vfs.read}, {@link Vfs.readStream} and {@link Vfs.stat}. */
export interface ReadOptions extends CallOptions {
  /** Fail with PreconditionFailed unless the current version is this one. */
  ifMatch?: string;
}

/** Options of {@link Vfs.read}. */
export interface WholeReadOptions extends ReadOptions {
  /**
   * The most bytes the caller takes. A larger object is refused with InvalidArgument (a message
   * naming the limit) and is never held past the cap: the backend gives up as soon as the size
   * it announces, or the bytes that came, pass it. For content anyone with write access to the
   * store can replace (a config, a lease): a 42 MB one costs at most the cap in memory.
   *
   * @example
   * ```ts
   * import { openVfs } from 'kops-statestore';
   *
   * const vfs = await openVfs('memfs://max-bytes-example');
   * await vfs.write('cluster/config', 'kind: Cluster\n');
   * const { body } = await vfs.read('cluster/config', { maxBytes: 4 * 1024 * 1024 });
   * ```
   */
  maxBytes?: number;
}

/**
 * Options of {@link Vfs.write}, {@link Vfs.writeStream} and {@link Vfs.copy}.
 * `ifMatch` and `ifNoneMatch` are mutually exclusive; without either the write overwrites.
 */
export interface WriteOptions extends CallOptions {
  /**
   * Compare-and-swap: write only if the object exists at this version. A lost race must reject
   * with PreconditionFailed (or Conflict, which is retryable) and must not change the object.
   */
  ifMatch?: string;
  /**
   * Create-if-absent: write only if no object has the key. A lost race must reject with
   * AlreadyExists and must not change the object. Of N racing creators exactly one succeeds.
   */
  ifNoneMatch?: '*';
  /** Content type to store, where the backend keeps one. */
  contentType?: string;
  /**
   * `deferred`: the backend may return before the object is durable across a power loss. The
   * write stays atomic (a reader, or a process that crashed, sees the old or the new object, never
   * a part of one); the object becomes durable no later than the next write through the same Vfs
   * without this option, or its `close()`. For many writes published by one last write
   * (moveStateStore writes each cluster's config last). Backends whose writes are durable when
   * they return (object stores, memory) ignore it. Default `immediate`.
   */
  durability?: 'immediate' | 'deferred';
}

/** Options of {@link Vfs.writeStream}. */
export interface WriteStreamOptions extends WriteOptions {
  /** The size, when known; lets a backend pick a single-request upload. */
  size?: number;
}

/** Options of {@link Vfs.copyFrom}. */
export interface CopyFromOptions extends WriteOptions {
  /**
   * The source object as the caller last listed it. A backend may take the copy's size from here
   * instead of asking the service again, but only when the copy's own checksum proves it copied
   * these bytes (`md5` equal); and it may use `size` to pick a multipart copy for large objects.
   */
  sourceInfo?: ObjectInfo;
  /**
   * What the backend must do with `ifNoneMatch` where the service's own copy cannot enforce it
   * (Ceph RGW 16.2's CopyObject and CompleteMultipartUpload ignore `If-None-Match: *`):
   * - `enforce` (default): enforce it anyway. The backend moves the bytes through this process to
   *   a write that enforces it (on S3: a GET pinned to the source's ETag, then a PutObject with
   *   `If-None-Match: *`), or resolves to undefined so that the caller streams them; a key taken
   *   meanwhile is refused with AlreadyExists, as on {@link Vfs.write}.
   * - `best-effort`: copy inside the service all the same, with the condition where the service's
   *   copy enforces it (AWS S3: it is sent, and a taken key is still refused) and without it where
   *   it does not. There, a key another writer creates at the destination after the caller
   *   checked it is absent is replaced: the caller's own check (a listing, say) is the only one.
   *   For callers that checked the destination just before and accept that race for one request
   *   per copy (`moveStateStore`'s `createOnly: 'listing'`).
   *
   * `ifMatch` is always enforced, whatever this says.
   */
  ifNoneMatchInService?: 'enforce' | 'best-effort';
}

/** Options of {@link Vfs.delete}. */
export interface DeleteOptions extends CallOptions {
  /** Delete only if the object is at this version (backends with `capabilities.deleteIfMatch`). */
  ifMatch?: string;
}

/** Options of {@link Vfs.list}. */
export interface ListOptions extends CallOptions {
  /** Only keys starting with this string (may end in the middle of a segment). Default: all. */
  prefix?: string;
  /** With `"/"`, keys below the next `/` after the prefix are rolled up into `prefixes`. */
  delimiter?: '/';
  /** At most this many entries (objects plus prefixes) per page; backends may return fewer. */
  pageSize?: number;
  /** The `nextPageToken` of the previous page. */
  pageToken?: string;
}

/** One page of a listing, in ascending key order (UTF-8 byte order). */
export interface ListPage {
  /** The objects of this page, in key order (with a delimiter: those directly under the prefix). */
  objects: ObjectInfo[];
  /** With a delimiter: the common prefixes, each ending in `/`. */
  prefixes: string[];
  /** Present when more entries follow; absent on the last page. */
  nextPageToken?: string;
}

/** Options of {@link Vfs.listAll}. */
export interface ListAllOptions extends CallOptions {
  /** Only keys starting with this (e.g. `prod.example.com/`). Default: every key of the store. */
  prefix?: string;
  /** Keys asked for per request; the backend may return fewer. Default: the backend's own. */
  pageSize?: number;
}

/** What a backend can promise. The portable layer refuses, before any I/O, what it cannot. */
export interface Capabilities {
  /** Enforces `ifMatch` on write and copy. */
  ifMatch: boolean;
  /** Enforces `ifNoneMatch: "*"` on write and copy. */
  ifNoneMatch: boolean;
  /** Enforces `ifMatch` on delete. */
  deleteIfMatch: boolean;
  /** `copy` happens inside the service, without streaming through this process. */
  serverSideCopy: boolean;
  /** ObjectInfo carries `md5`. */
  md5: boolean;
}

/** A storage backend as the rest of statestore sees it. Obtain one with `openVfs()`. */
export interface Vfs {
  /** Canonical URL of the store's root, without credentials, e.g. `s3://bucket/prefix`. */
  readonly url: string;
  /** The backend's name: `memory`, `file`, `s3`, `gcs`, `azure`. */
  readonly backend: string;
  /**
   * What this backend enforces; a call needing something it lacks is refused before any I/O.
   * Final for most backends at open; an S3 store whose dialect is probed (`options.s3.dialect`)
   * learns it on its first conditional write, and until then promises only what every S3 server
   * enforces (no conditions): read {@link Vfs.loadCapabilities} before deciding on conditions.
   */
  readonly capabilities: Capabilities;
  /**
   * The final capabilities, asking the backend what it must still learn first (an S3 store's
   * probed dialect: about 18 requests, once per endpoint and bucket in the process). Reads and
   * listings never need it; call it before choosing how to write by what the store enforces.
   *
   * @example
   * ```ts
   * import { openVfs } from 'kops-statestore';
   *
   * const vfs = await openVfs('memfs://capabilities-example');
   * const { ifNoneMatch } = await vfs.loadCapabilities();
   * await vfs.write('cluster/config', 'kind: Cluster\n', ifNoneMatch ? { ifNoneMatch: '*' } : {});
   * ```
   */
  loadCapabilities(options?: CallOptions): Promise<Capabilities>;
  /**
   * Must reject with NotFound when the key does not exist; with `maxBytes`, with InvalidArgument
   * for a larger object, having held no more than `maxBytes` of it.
   */
  read(key: string, options?: WholeReadOptions): Promise<ReadResult>;
  /** Must reject with NotFound when the key does not exist. Memory stays bounded whatever the size. */
  readStream(key: string, options?: ReadOptions): Promise<ReadStreamResult>;
  /** Must reject with NotFound when the key does not exist. */
  stat(key: string, options?: ReadOptions): Promise<ObjectInfo>;
  /** Writes the whole object atomically: readers see the old or the new content, never a mix. */
  write(key: string, body: Uint8Array | string, options?: WriteOptions): Promise<ObjectInfo>;
  /** Like write, from a stream, at bounded memory. Nothing is visible until the stream ends. */
  writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: WriteStreamOptions,
  ): Promise<ObjectInfo>;
  /** Idempotent: deleting a missing key succeeds (unless `ifMatch` is given: then PreconditionFailed). */
  delete(key: string, options?: DeleteOptions): Promise<void>;
  /** One page of keys under a prefix. */
  list(options?: ListOptions): Promise<ListPage>;
  /** Every object under a prefix, recursively, page by page. */
  listAll(options?: ListAllOptions): AsyncIterable<ObjectInfo>;
  /** Copies inside this store (server-side where `capabilities.serverSideCopy`). NotFound for a missing source. */
  copy(sourceKey: string, destinationKey: string, options?: WriteOptions): Promise<ObjectInfo>;
  /**
   * Copies `sourceKey` of another store into this one inside the service (no bytes through this
   * process), when both stores are on one service with the same endpoint and credentials. Must
   * resolve to undefined, before any I/O, when it cannot; the caller then streams instead.
   * Conditions apply to the destination as in {@link Vfs.write}.
   */
  copyFrom?(
    source: Vfs,
    sourceKey: string,
    destinationKey: string,
    options?: CopyFromOptions,
  ): Promise<ObjectInfo | undefined>;
  /**
   * Where `key` lives inside its service, for another store's `copyFrom`; undefined when the
   * backend has no server-side copy across stores.
   */
  serverSideLocation?(key: string): ServerSideLocation | undefined;
  /**
   * The versions the provider keeps of `key`, newest first (the bucket's object versioning).
   * Unsupported on a backend that keeps none through statestore.
   */
  listObjectVersions?(key: string, options?: CallOptions): Promise<ObjectVersion[]>;
  /** Reads one version `listObjectVersions` gave. NotFound for an unknown one. */
  readObjectVersion?(key: string, versionId: string, options?: CallOptions): Promise<ReadResult>;
  /**
   * Deletes one version `listObjectVersions` gave, for good; when it was the newest, the version
   * before it is the object again. Unsupported on a backend that keeps no versions.
   */
  deleteObjectVersion?(key: string, versionId: string, options?: CallOptions): Promise<void>;
  /**
   * What only the backend can say about the store (object versioning, default encryption); a
   * field left out is unknown. Absent when the backend has nothing to say.
   */
  describeStore?(options?: CallOptions): Promise<StoreFacts>;
  /** Releases sockets and handles. The Vfs must not be used afterwards. */
  close(): Promise<void>;
  /** {@link Vfs.close}, for `await using vfs = await openVfs(url)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * One version a provider keeps of an object where the bucket has object versioning (S3
 * `versionId`), kops's writes included. Listed by {@link Vfs.listObjectVersions}.
 */
export interface ObjectVersion {
  /** The provider's id of this version (S3 `versionId`; `null` for one written before versioning was on). */
  versionId: string;
  /** The object's version as `read` reports it for this content (S3: its ETag); undefined for a deletion. */
  version?: string;
  /** When the provider stored it. */
  lastModified: Date;
  /** Its size in bytes (0 for a deletion). */
  size: number;
  /** Whether it is the version stored now. */
  isLatest: boolean;
  /** A deletion (an S3 delete marker): it has no content. */
  deleted: boolean;
}

/** An object's address inside its service, for server-side copies between two stores. */
export interface ServerSideLocation {
  /** The service and the identity used to reach it (endpoint, credentials); copies need both equal. */
  service: string;
  /** Who reaches it (the endpoint and the access key id or credential source, never a secret). */
  identity: string;
  /** The bucket or container. */
  bucket: string;
  /** The object's full key in the bucket (the store's prefix included). */
  key: string;
}

/** What `Vfs.describeStore` (a driver's `describeStore`) reports; a field left out is unknown. */
export interface StoreFacts {
  /** Object versioning of the bucket or container: every overwrite keeps the old version. */
  versioning?: 'enabled' | 'suspended' | 'off';
  /** The store's default encryption, as the service names it (`AES256`, `aws:kms`), or `none`. */
  defaultEncryption?: string;
  /**
   * S3 family only: the conditional requests the store sends (its `S3Dialect`, docs/backends.md):
   * `name` as `formatS3Dialect` prints it (`aws`, `rgw`, `none`, or what the server honours,
   * `if-match=unquoted, put-if-none-match`), whether it was `probed` from the server at open, and
   * the setting that chose it: `options.s3.dialect`, `STATESTORE_S3_DIALECT`, or `default` (`auto`:
   * `aws` on AWS's own endpoints, probed elsewhere).
   */
  s3Dialect?: {
    /** The dialect as `formatS3Dialect` prints it. */
    name: string;
    /** Whether it was probed from the server at open (`auto` on a non-AWS endpoint, or `probe`). */
    probed: boolean;
    /** The setting that chose it; `default` when neither was set. */
    setBy: 'options.s3.dialect' | 'STATESTORE_S3_DIALECT' | 'default';
  };
}

import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { StateStoreError } from '../../errors.js';
import {
  NO_CONDITION,
  type Condition,
  type DriverCopyOptions,
  type DriverDeleteOptions,
  type DriverOp,
  type DriverReadOptions,
  type DriverWriteOptions,
  type DriverWriteStreamOptions,
  type ErrorContext,
  type VfsDriver,
} from '../../vfs/driver.js';
import type {
  Capabilities,
  ListOptions,
  ListPage,
  ObjectInfo,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
} from '../../vfs/types.js';
import type { OpenVfsOptions } from '../options.js';
import { toBytes } from '../common/bytes.js';
import { prefixedName, S3_KEY_LIMIT } from '../common/key-limit.js';
import type { S3Sdk } from './types.js';
import { copyInto, uploadStaged, type CopyPlan } from './copy.js';
import { honours, ifMatchField, writeConditions, type S3Dialect } from './dialect.js';
import { StoreDialect } from './store-dialect.js';
import { mapS3Error } from './errors.js';
import { s3Identity } from './identity.js';
import { MAX_PARTS, MAX_SINGLE_COPY, parts, uploadMultipart, type MultipartContext } from './multipart.js';
import {
  checkVersion,
  listInput,
  listPageFrom,
  md5OfEtag,
  objectInfo,
  type HeadFields,
  type ListOutput,
} from './objects.js';
import type { S3Requests } from './requests.js';
import { readObject, readObjectStream, type ObjectReads } from './whole-read.js';
import { describeBucket } from './diagnose.js';
import type { S3Location } from './url.js';

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** The operations whose requests carry the store's encryption header. */
const WRITES: ReadonlySet<string> = new Set(['write', 'writeStream', 'copy', 'copyFrom']);

/**
 * The driver over one S3 bucket and prefix. Conditions are S3's own (`If-None-Match: *`,
 * `If-Match`), so races are decided by the service; the version is the ETag. Its methods throw
 * the SDK's errors as they are, and the portable layer maps them once with {@link S3Driver.mapError};
 * the driver maps only where the failing request is not the call's own (a copy's source, a
 * multipart part, a body stream).
 *
 * What the server honours is its {@link S3Dialect} (given, or probed on the first conditional
 * request: store-dialect.ts), and the capabilities follow from it (`dialectCapabilities`). Every `If-Match` carries the ETag in the
 * form the server wants. Where one request ignores a condition another honours, the driver goes
 * the other way, never sending a condition the server would drop: a conditional copy whose
 * CopyObject ignores it (Ceph RGW 16.2 overwrites under `If-None-Match: *`) is completed as
 * UploadPartCopy parts where CompleteMultipartUpload honours it, else read (pinned) and written
 * with a conditional PutObject (copy.ts `copyInto`, at most 5 GiB; `ifNoneMatchInService:
 * 'best-effort'` copies without it instead); a conditional stream of more than one part whose
 * completion ignores it is staged, then written the same way (copy.ts `uploadStaged`). What no request
 * honours is a false capability, refused with Unsupported before any I/O, naming what the server
 * ignores ({@link S3Driver.explainUnsupported}): `deleteIfMatch` where DeleteObject ignores
 * `If-Match`; `ifMatch` (no merges, no leases) and `ifNoneMatch` (no leases, no create-only
 * copies) where PutObject ignores them. Reads stay pinned on every dialect (ETags compared).
 */
export class S3Driver implements VfsDriver {
  readonly backend = 's3';
  readonly url: string;
  private readonly requests: S3Requests;
  private readonly sdk: S3Sdk;
  private readonly root: string;
  private readonly partSize: number;
  private readonly copyThreshold: number;
  private readonly checksums: boolean;
  /** Who this store talks to (see s3Identity): fixed for the store's life, so computed once, not per copy. */
  private readonly identity: string;
  /** What reads need of the driver (whole-read.ts). */
  private readonly reads: ObjectReads;

  constructor(
    requests: S3Requests,
    private readonly location: S3Location,
    private readonly options: OpenVfsOptions,
    private readonly dialect: StoreDialect,
  ) {
    this.requests = requests;
    this.sdk = requests.sdk;
    const s3 = options.s3 ?? {};
    this.url = location.url;
    this.root = location.prefix === '' ? '' : `${location.prefix}/`;
    this.partSize = s3.partSize ?? DEFAULT_PART_SIZE;
    this.copyThreshold = Math.min(s3.multipartCopyThreshold ?? MAX_SINGLE_COPY, MAX_SINGLE_COPY);
    this.checksums = (s3.checksum ?? 'when_supported') === 'when_supported';
    this.identity = s3Identity(location);
    this.reads = {
      requests,
      bucket: location.bucket,
      dialect,
      retry: options.retry ?? {},
      checksums: this.checksums,
      objectKey: (key) => this.objectKey(key),
      mapError: (err, context) => this.mapError(err, context),
    };
  }

  /** The dialect's (store-dialect.ts): until a probed one is known, those of every S3 server. */
  get capabilities(): Capabilities {
    return this.dialect.capabilities;
  }

  loadCapabilities = async (): Promise<void> => void (await this.dialect.load());

  read(key: string, options: DriverReadOptions): Promise<ReadResult> {
    return readObject(this.reads, key, options);
  }

  readStream(key: string, options: DriverReadOptions): Promise<ReadStreamResult> {
    return readObjectStream(this.reads, key, options);
  }

  async stat(key: string, options: DriverReadOptions): Promise<ObjectInfo> {
    const info = await this.head(key, options.condition, options.signal);
    checkVersion(info, options.condition, 'stat', this.location.bucket);
    return info;
  }

  async write(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo> {
    this.objectKey(key); // Too long: refused before the write asks anything (encryption, ...).
    return this.putSingle(key, Buffer.from(toBytes(body)), options);
  }

  async writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo> {
    this.objectKey(key);
    const partSize = Math.max(this.partSize, options.size === undefined ? 0 : Math.ceil(options.size / MAX_PARTS));
    const iterator = parts(body, partSize)[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return this.putSingle(key, Buffer.alloc(0), options);
    // The whole stream fitted in one part: one PutObject, no upload to clean up.
    if (first.value.length < partSize) return this.putSingle(key, first.value, options);
    const fields = await this.requests.writeFields(options.signal);
    const dialect = await this.dialect.forWrite(options.condition);
    const result = honours(dialect, 'complete', options.condition)
      ? await uploadMultipart(this.multipart('writeStream', key, options, fields, dialect), first.value, iterator)
      : await this.stagedUpload(key, options, fields, dialect, first.value, iterator);
    if (options.size !== undefined && options.size !== result.size) {
      throw new StateStoreError(
        'InvalidArgument',
        `s3: the stream had ${result.size} bytes, not the ${options.size} announced`,
        { key, backend: 's3' },
      );
    }
    return {
      key,
      size: result.size,
      version: result.etag,
      md5: result.md5,
      lastModified: new Date(),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    };
  }

  async delete(key: string, options: DriverDeleteOptions): Promise<void> {
    const dialect = await this.dialect.forWrite(options.condition);
    await this.requests.send(
      new this.sdk.DeleteObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(key),
        ...ifMatchField(dialect, options.condition),
      }),
      options.signal,
    );
  }

  async list(options: ListOptions): Promise<ListPage> {
    const command = new this.sdk.ListObjectsV2Command(listInput(this.location.bucket, this.root, options));
    const output = await this.requests.send<ListOutput>(command, options.signal);
    return listPageFrom(output, this.root, this.requests.kms);
  }

  async copy(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const { signal } = options;
    this.objectKey(destinationKey);
    // The source's own failures are about the source (NotFound), whatever the destination's condition.
    const source = await this.head(sourceKey, NO_CONDITION, signal, this.context('stat', sourceKey, signal));
    const contentType = source.contentType === undefined ? {} : { contentType: source.contentType };
    const fields = await this.requests.writeFields(signal);
    // Pinned to the source's ETag, in the dialect's form: a copy always knows the dialect.
    const dialect = await this.dialect.load();
    const multipart = this.multipart('copy', destinationKey, { ...options, ...contentType }, fields, dialect);
    const from = {
      bucket: this.location.bucket,
      key: this.objectKey(sourceKey),
      size: source.size,
      etag: source.version,
    };
    const copied = await copyInto(multipart, from, this.copyPlan(fields, true));
    const md5 = md5OfEtag(copied.etag, this.requests.kms) ?? source.md5;
    return {
      key: destinationKey,
      size: source.size,
      version: copied.etag,
      ...(md5 === undefined ? {} : { md5 }),
      lastModified: copied.lastModified,
      ...contentType,
    };
  }

  /** This store's address for another S3 store's `copyFrom`: same endpoint and credentials only. */
  serverSideLocation(key: string): ServerSideLocation {
    return { service: 's3', identity: this.identity, bucket: this.location.bucket, key: this.objectKey(key) };
  }

  /** CopyObject from another bucket or prefix of the same endpoint; undefined when it cannot. */
  async copyFromLocation(
    source: ServerSideLocation,
    destinationKey: string,
    options: DriverCopyOptions,
  ): Promise<ObjectInfo | undefined> {
    if (source.service !== 's3' || source.identity !== this.identity) return undefined;
    const { signal } = options;
    this.objectKey(destinationKey);
    // Known after the first copy: no promise to wait for on each of a move's thousands.
    const fields = this.requests.knownWriteFields() ?? (await this.requests.writeFields(signal));
    const dialect = this.dialect.ifKnown ?? (await this.dialect.load());
    const multipart = this.multipart('copyFrom', destinationKey, options, fields, dialect);
    const listed = options.sourceInfo;
    // Over CopyObject's 5 GiB limit, the copy goes in ranges, each pinned to the listed version.
    const from = { bucket: source.bucket, key: source.key, size: listed?.size, etag: listed?.version };
    const plan = this.copyPlan(fields, false, options.ifNoneMatchInService);
    const { etag, lastModified } = await copyInto(multipart, from, plan);
    const md5 = md5OfEtag(etag, this.requests.kms);
    // The copy's ETag is the MD5 of what it holds: when it is the listed MD5, the listed size is
    // the copy's size too, and the HEAD that would report it can be saved. A multipart copy's
    // ETag is no MD5: it keeps the listed one, as the listed size (its parts covered exactly that).
    if (listed !== undefined && listed.size > this.copyThreshold) {
      const listedMd5 = listed.md5 === undefined ? {} : { md5: listed.md5 };
      return { key: destinationKey, size: listed.size, version: etag, ...listedMd5, lastModified };
    }
    if (md5 !== undefined && listed?.md5 === md5)
      return { key: destinationKey, size: listed.size, version: etag, md5, lastModified };
    const head = await this.head(destinationKey, NO_CONDITION, signal, this.context('stat', destinationKey, signal));
    return { ...head, version: etag || head.version, ...(md5 === undefined ? {} : { md5 }), lastModified };
  }

  /** Maps by S3 error name, then HTTP status and condition sent (shared), then network code. */
  mapError(err: unknown, context: ErrorContext): StateStoreError {
    const sse = WRITES.has(context.op) ? this.requests.sse : undefined;
    return mapS3Error(err, { ...context, bucket: this.location.bucket, endpoint: this.location.endpoint, sse });
  }

  /** Why a capability is false: what this server ignores, and the option that says so. */
  explainUnsupported(capability: 'ifMatch' | 'ifNoneMatch' | 'deleteIfMatch'): string {
    return this.dialect.explain(capability);
  }

  // The doctor's question is what the store would do: the dialect is loaded (probed if need be).
  describeStore = async (o: { signal?: AbortSignal }) =>
    describeBucket(this.requests, this.location, await this.dialect.load(), o.signal);

  close(): Promise<void> {
    return this.requests.close();
  }

  /** HeadObject; failures are mapped here under `mapAs` when it is given (see S3Requests.send). */
  private async head(key: string, condition: Condition, signal?: AbortSignal, mapAs?: ErrorContext) {
    const output = await this.requests.send<HeadFields>(
      new this.sdk.HeadObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(key),
        ...this.dialect.readPin(condition),
      }),
      signal,
      mapAs === undefined ? undefined : (err) => this.mapError(err, mapAs),
    );
    return objectInfo(key, output, this.requests.kms);
  }

  private copyPlan(fields: Record<string, string>, pinned: boolean, inService?: CopyPlan['ifNoneMatchInService']) {
    return { fields, threshold: this.copyThreshold, partSize: this.partSize, pinned, ifNoneMatchInService: inService };
  }

  private async putSingle(key: string, body: Buffer, options: DriverWriteOptions): Promise<ObjectInfo> {
    const fields = await this.requests.writeFields(options.signal);
    const dialect = await this.dialect.forWrite(options.condition);
    const output = await this.requests.send<{ ETag?: string }>(
      new this.sdk.PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: body.length,
        ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        ...fields,
        ...writeConditions(dialect, options.condition, 'put'),
      }),
      options.signal,
    );
    return {
      key,
      size: body.length,
      version: output.ETag ?? '',
      md5: createHash('md5').update(body).digest('hex'),
      // PutObject does not return the time; the client clock is close enough for display.
      lastModified: new Date(),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    };
  }

  /**
   * What the multipart helpers need. Only the completion carries the call's condition, so only
   * its failure is left to the portable layer; parts and the upload's creation are mapped here
   * as unconditional requests (a part's 404 NoSuchUpload is not a lost compare-and-swap).
   */
  private multipart(
    op: DriverOp,
    key: string,
    options: DriverWriteOptions,
    fields: Record<string, string>,
    dialect: S3Dialect,
  ) {
    const unconditional = this.context(op, key, options.signal);
    const context: MultipartContext = {
      sdk: this.sdk,
      bucket: this.location.bucket,
      objectKey: this.objectKey(key),
      send: <T>(command: object, final = false) =>
        this.requests.send<T>(command, options.signal, final ? undefined : (err) => this.mapError(err, unconditional)),
      createFields: {
        ...fields,
        ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        ...(this.checksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
      },
      condition: options.condition,
      dialect,
      checksums: this.checksums,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    return context;
  }

  /** A conditional stream the completion cannot carry: staged, then PutObject (uploadStaged, copy.ts). */
  private stagedUpload(
    key: string,
    options: DriverWriteOptions,
    fields: Record<string, string>,
    dialect: S3Dialect,
    first: Buffer,
    rest: AsyncIterator<Buffer>,
  ) {
    const scratch = `.statestore-staging-${randomBytes(8).toString('hex')}`;
    const stage = this.multipart('writeStream', scratch, { ...options, condition: NO_CONDITION }, fields, dialect);
    const target = this.multipart('writeStream', key, options, fields, dialect);
    return uploadStaged(stage, target, { first, rest }, this.copyPlan(fields, true));
  }

  /** The object key of a store key, refused before any request when S3 would refuse its length. */
  private objectKey(key: string): string {
    return prefixedName(this.root, key, S3_KEY_LIMIT);
  }

  private context(op: DriverOp, key: string, signal: AbortSignal | undefined): ErrorContext {
    return { op, key, condition: NO_CONDITION, ...(signal === undefined ? {} : { signal }) };
  }
}

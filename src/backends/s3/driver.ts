import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type {
  Capabilities,
  CopyFromOptions,
  DeleteOptions,
  ListOptions,
  ListPage,
  ObjectInfo,
  ReadOptions,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
  VfsDriver,
  WriteOptions,
  WriteStreamOptions,
} from '../../vfs/types.js';
import type { OpenVfsOptions } from '../options.js';
import { collect, toBytes } from '../driver-utils.js';
import { resumableBody } from '../resume.js';
import { createClient, createProbeClient, type S3Sdk } from './client.js';
import { toStateStoreError, type S3ErrorContext } from './errors.js';
import {
  MAX_PARTS,
  MAX_SINGLE_COPY,
  copyMultipart,
  encodeCopySourceKey,
  parts,
  uploadMultipart,
  type MultipartContext,
} from './multipart.js';
import type { S3Location } from './url.js';
import {
  checkAcl,
  fieldsFor,
  fieldsFromBucket,
  writePolicy,
  type WriteFields,
  type WritePolicy,
} from './write-settings.js';

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** The metadata fields S3 returns for one object (GetObject, HeadObject). */
interface HeadFields {
  ETag?: string;
  ContentLength?: number;
  LastModified?: Date;
  ContentType?: string;
  ServerSideEncryption?: string;
}

/**
 * The Vfs over one S3 bucket and prefix. Conditions are S3's own (`If-None-Match: *`,
 * `If-Match`), so races are decided by the service; the version is the ETag.
 */
export class S3Driver implements VfsDriver {
  readonly backend = 's3';
  readonly capabilities: Capabilities = {
    ifMatch: true,
    ifNoneMatch: true,
    deleteIfMatch: true,
    serverSideCopy: true,
    md5: true,
  };
  readonly url: string;
  private client: Promise<S3Client> | undefined;
  private readonly root: string;
  private readonly partSize: number;
  private readonly copyThreshold: number;
  private readonly policy: WritePolicy;
  /** The write headers once decided (kops asks an `s3://` bucket once); see write-settings.ts. */
  private fields: Promise<WriteFields> | undefined;
  /** Whether written objects are SSE-KMS (their ETags are not MD5s); known after the first write. */
  private kms: boolean;
  private readonly checksums: boolean;

  constructor(
    private readonly sdk: S3Sdk,
    private readonly location: S3Location,
    private readonly options: OpenVfsOptions,
  ) {
    const s3 = options.s3 ?? {};
    this.url = location.url;
    this.root = location.prefix === '' ? '' : `${location.prefix}/`;
    this.partSize = s3.partSize ?? DEFAULT_PART_SIZE;
    this.copyThreshold = Math.min(s3.multipartCopyThreshold ?? MAX_SINGLE_COPY, MAX_SINGLE_COPY);
    this.checksums = (s3.checksum ?? 'when_supported') === 'when_supported';
    this.policy = writePolicy(location.scheme, options);
    this.kms = this.policy.sse === 'aws:kms';
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { body: stream, info } = await this.readStream(key, options);
    let body: Buffer;
    try {
      body = await collect(stream);
    } catch (err) {
      throw toStateStoreError(err, this.ctx('read', key, options.signal));
    }
    return {
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      info: { ...info, size: body.length },
    };
  }

  async readStream(key: string, options: ReadOptions = {}): Promise<ReadStreamResult> {
    const ctx = this.ctx('read', key, options.signal, options.ifMatch === undefined ? undefined : 'ifMatch');
    const output = await this.send<HeadFields & { Body?: Readable }>(
      new this.sdk.GetObjectCommand({
        Bucket: this.location.bucket,
        Key: this.root + key,
        ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      }),
      ctx,
    );
    const info = this.info(key, output);
    const first = output.Body ?? Readable.from([]);
    try {
      this.checkVersion(info, options.ifMatch, ctx);
    } catch (err) {
      first.destroy();
      throw err;
    }
    // The SDK retries a request until its answer's headers arrive; a body cut off after that (a
    // reset mid-transfer) resumes from the byte reached, pinned to the ETag, within the store's
    // retry budget. Errors while streaming surface as StateStoreErrors; a consumer that stops
    // early releases the connection.
    const body = resumableBody(first, {
      size: info.size,
      backend: 's3',
      key,
      retry: this.options.retry ?? {},
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      mapError: (err) => toStateStoreError(err, ctx),
      reopen: async (offset) => {
        try {
          const rest = await this.send<{ Body?: Readable }>(
            new this.sdk.GetObjectCommand({
              Bucket: this.location.bucket,
              Key: this.root + key,
              Range: `bytes=${offset}-`,
              IfMatch: info.version,
            }),
            { ...ctx, condition: 'ifMatch' },
          );
          return rest.Body ?? Readable.from([]);
        } catch (err) {
          if (!isStateStoreError(err, 'PreconditionFailed')) throw err;
          throw new StateStoreError(
            'Conflict',
            `s3: read ${JSON.stringify(key)}: the object changed while it was read`,
            { key, backend: 's3', cause: err },
          );
        }
      },
    });
    return { body, info };
  }

  async stat(key: string, options: ReadOptions = {}): Promise<ObjectInfo> {
    const ctx = this.ctx('stat', key, options.signal, options.ifMatch === undefined ? undefined : 'ifMatch');
    const output = await this.send<HeadFields>(
      new this.sdk.HeadObjectCommand({
        Bucket: this.location.bucket,
        Key: this.root + key,
        ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      }),
      ctx,
    );
    const info = this.info(key, output);
    this.checkVersion(info, options.ifMatch, ctx);
    return info;
  }

  async write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    return this.putSingle(key, Buffer.from(toBytes(body)), options);
  }

  async writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: WriteStreamOptions = {},
  ): Promise<ObjectInfo> {
    const partSize = Math.max(this.partSize, options.size === undefined ? 0 : Math.ceil(options.size / MAX_PARTS));
    const ctx = this.ctx('write', key, options.signal, conditionOf(options));
    const iterator = parts(body, partSize)[Symbol.asyncIterator]();
    let first: IteratorResult<Buffer>;
    try {
      first = await iterator.next();
    } catch (err) {
      throw toStateStoreError(err, ctx);
    }
    if (first.done) return this.putSingle(key, Buffer.alloc(0), options);
    if (first.value.length < partSize) {
      // The whole stream fitted in one part: one PutObject, no upload to clean up.
      return this.putSingle(key, first.value, options);
    }
    const multipart = this.multipart(key, options, ctx, await this.writeFields(ctx));
    const result = await uploadMultipart(multipart, first.value, {
      next: async () => {
        try {
          return await iterator.next();
        } catch (err) {
          throw toStateStoreError(err, ctx);
        }
      },
    });
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

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const ctx = this.ctx('delete', key, options.signal, options.ifMatch === undefined ? undefined : 'ifMatch');
    await this.send(
      new this.sdk.DeleteObjectCommand({
        Bucket: this.location.bucket,
        Key: this.root + key,
        ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      }),
      ctx,
    );
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const ctx = this.ctx('list', undefined, options.signal);
    const output = await this.send<{
      Contents?: Array<{ Key?: string; Size?: number; ETag?: string; LastModified?: Date }>;
      CommonPrefixes?: Array<{ Prefix?: string }>;
      IsTruncated?: boolean;
      NextContinuationToken?: string;
      EncodingType?: string;
    }>(
      new this.sdk.ListObjectsV2Command({
        Bucket: this.location.bucket,
        Prefix: this.root + (options.prefix ?? ''),
        ...(options.delimiter === undefined ? {} : { Delimiter: options.delimiter }),
        MaxKeys: Math.min(options.pageSize ?? 1000, 1000),
        ...(options.pageToken === undefined ? {} : { ContinuationToken: options.pageToken }),
        // Keys are URL-encoded in the XML, so any character (even ones XML 1.0 cannot carry) survives.
        EncodingType: 'url',
      }),
      ctx,
    );
    const decode = (value: string) =>
      output.EncodingType === 'url' ? decodeURIComponent(value.replace(/\+/g, ' ')) : value;
    const objects = (output.Contents ?? []).map((entry) => {
      const fullKey = decode(entry.Key ?? '');
      const etag = entry.ETag ?? '';
      const md5 = this.md5Of(etag);
      return {
        key: fullKey.slice(this.root.length),
        size: entry.Size ?? 0,
        version: etag,
        ...(md5 === undefined ? {} : { md5 }),
        lastModified: entry.LastModified ?? new Date(0),
      };
    });
    const prefixes = (output.CommonPrefixes ?? []).map((entry) => decode(entry.Prefix ?? '').slice(this.root.length));
    return {
      objects,
      prefixes,
      ...(output.IsTruncated && output.NextContinuationToken ? { nextPageToken: output.NextContinuationToken } : {}),
    };
  }

  async copy(sourceKey: string, destinationKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const source = await this.stat(sourceKey, options.signal === undefined ? {} : { signal: options.signal });
    const ctx = this.ctx('copy', destinationKey, options.signal, conditionOf(options));
    const fields = await this.writeFields(ctx);
    const multipart = this.multipart(
      destinationKey,
      { ...options, ...(source.contentType === undefined ? {} : { contentType: source.contentType }) },
      ctx,
      fields,
    );
    let etag: string;
    let lastModified = new Date();
    if (source.size > this.copyThreshold) {
      etag = await copyMultipart(
        multipart,
        { bucket: this.location.bucket, key: this.root + sourceKey, size: source.size, etag: source.version },
        this.partSize,
      );
    } else {
      const output = await this.send<{ CopyObjectResult?: { ETag?: string; LastModified?: Date } }>(
        new this.sdk.CopyObjectCommand({
          Bucket: this.location.bucket,
          Key: this.root + destinationKey,
          CopySource: `${this.location.bucket}/${encodeCopySourceKey(this.root + sourceKey)}`,
          CopySourceIfMatch: source.version,
          ...fields,
          ...multipart.conditions,
        }),
        ctx,
      );
      etag = output.CopyObjectResult?.ETag ?? '';
      lastModified = output.CopyObjectResult?.LastModified ?? lastModified;
    }
    const md5 = this.md5Of(etag) ?? source.md5;
    return {
      key: destinationKey,
      size: source.size,
      version: etag,
      ...(md5 === undefined ? {} : { md5 }),
      lastModified,
      ...(source.contentType === undefined ? {} : { contentType: source.contentType }),
    };
  }

  /** This store's address for another S3 store's `copyFrom`: same endpoint and credentials only. */
  serverSideLocation(key: string): ServerSideLocation {
    return { service: 's3', identity: this.identity(), bucket: this.location.bucket, key: this.root + key };
  }

  /** CopyObject from another bucket or prefix of the same endpoint; undefined when it cannot. */
  async copyFromLocation(
    source: ServerSideLocation,
    destinationKey: string,
    options: CopyFromOptions,
  ): Promise<ObjectInfo | undefined> {
    if (source.service !== 's3' || source.identity !== this.identity()) return undefined;
    const ctx = this.ctx('copy', destinationKey, options.signal, conditionOf(options));
    const fields = await this.writeFields(ctx);
    const multipart = this.multipart(destinationKey, options, ctx, fields);
    const listed = options.sourceInfo;
    if (listed !== undefined && listed.size > this.copyThreshold) {
      // Over CopyObject's 5 GiB limit: copy in ranges, each pinned to the listed version.
      const etag = await copyMultipart(
        multipart,
        { bucket: source.bucket, key: source.key, size: listed.size, etag: listed.version },
        this.partSize,
      );
      return {
        key: destinationKey,
        size: listed.size,
        version: etag,
        ...(listed.md5 === undefined ? {} : { md5: listed.md5 }),
        lastModified: new Date(),
      };
    }
    const output = await this.send<{ CopyObjectResult?: { ETag?: string; LastModified?: Date } }>(
      new this.sdk.CopyObjectCommand({
        Bucket: this.location.bucket,
        Key: this.root + destinationKey,
        CopySource: `${source.bucket}/${encodeCopySourceKey(source.key)}`,
        ...fields,
        ...multipart.conditions,
      }),
      ctx,
    );
    const etag = output.CopyObjectResult?.ETag ?? '';
    const md5 = this.md5Of(etag);
    const lastModified = output.CopyObjectResult?.LastModified ?? new Date();
    // The copy's ETag is the MD5 of what it holds: when it is the listed MD5, the listed size is
    // the copy's size too, and the HEAD that would report it can be saved.
    if (md5 !== undefined && listed?.md5 === md5)
      return { key: destinationKey, size: listed.size, version: etag, md5, lastModified };
    const head = await this.stat(destinationKey, options.signal === undefined ? {} : { signal: options.signal });
    return { ...head, version: etag || head.version, ...(md5 === undefined ? {} : { md5 }), lastModified };
  }

  /**
   * Two stores may copy server-side only when one client could do both: the same endpoint (or
   * AWS itself) and the same static credentials (or both the default chain).
   */
  private identity(): string {
    const credentials = this.location.credentials;
    const who =
      credentials === undefined
        ? 'default-chain'
        : typeof credentials === 'function'
          ? `provider-${providerId(credentials)}`
          : credentials.accessKeyId;
    return `${this.location.endpoint ?? 'aws'}|${who}`;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) (await client.catch(() => undefined))?.destroy();
  }

  private async putSingle(key: string, body: Buffer, options: WriteOptions): Promise<ObjectInfo> {
    const ctx = this.ctx('write', key, options.signal, conditionOf(options));
    const fields = await this.writeFields(ctx);
    const output = await this.send<{ ETag?: string }>(
      new this.sdk.PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.root + key,
        Body: body,
        ContentLength: body.length,
        ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        ...fields,
        ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
        ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      }),
      ctx,
    );
    const etag = output.ETag ?? '';
    return {
      key,
      size: body.length,
      version: etag,
      md5: createHash('md5').update(body).digest('hex'),
      // PutObject does not return the time; the client clock is close enough for display.
      lastModified: new Date(),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    };
  }

  private multipart(
    key: string,
    options: WriteOptions,
    ctx: S3ErrorContext,
    fields: Record<string, string>,
  ): MultipartContext {
    return {
      sdk: this.sdk,
      bucket: this.location.bucket,
      objectKey: this.root + key,
      send: <T>(command: object, final = false) =>
        this.send<T>(command, final ? ctx : ({ ...ctx, condition: undefined } as S3ErrorContext)),
      createFields: {
        ...fields,
        ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        ...(this.checksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
      },
      conditions: {
        ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
        ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
      },
      checksums: this.checksums,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
  }

  /**
   * The ACL and SSE fields of every write (kops's rules, options first; see write-settings.ts).
   * An `s3://` store without an explicit `serverSideEncryption` asks its bucket once, on the first
   * write; a failed question is not cached when the client itself could not be made.
   */
  private async writeFields(ctx: S3ErrorContext): Promise<Record<string, string>> {
    checkAcl(this.policy);
    if (this.fields === undefined) {
      const pending =
        this.policy.sse === 'ask-bucket' ? this.askBucket(ctx) : Promise.resolve(fieldsFor(this.policy, undefined));
      this.fields = pending;
      pending.catch(() => {
        if (this.fields === pending) this.fields = undefined;
      });
    }
    const decided = await this.fields;
    this.kms = decided.kms;
    return decided.fields;
  }

  private async askBucket(ctx: S3ErrorContext): Promise<WriteFields> {
    let region: string;
    try {
      region = await (await this.getClient(ctx.signal)).config.region();
    } catch (err) {
      throw toStateStoreError(err, ctx);
    }
    return fieldsFromBucket(
      this.policy,
      () => createProbeClient(this.sdk, this.location, this.options, region),
      this.sdk,
      this.location.bucket,
    );
  }

  /** Sends one command on the store's client, mapping any failure. */
  private async send<T>(command: object, ctx: S3ErrorContext): Promise<T> {
    try {
      const client = await this.getClient(ctx.signal);
      return (await client.send(
        command as Parameters<S3Client['send']>[0],
        ctx.signal === undefined ? {} : { abortSignal: ctx.signal },
      )) as T;
    } catch (err) {
      throw toStateStoreError(err, ctx);
    }
  }

  private getClient(signal?: AbortSignal): Promise<S3Client> {
    if (this.client === undefined) {
      const pending = createClient(this.sdk, this.location, this.options, signal);
      this.client = pending;
      pending.catch(() => {
        if (this.client === pending) this.client = undefined;
      });
    }
    return this.client;
  }

  private ctx(
    op: string,
    key: string | undefined,
    signal: AbortSignal | undefined,
    condition?: 'ifMatch' | 'ifNoneMatch',
  ): S3ErrorContext {
    return {
      op,
      bucket: this.location.bucket,
      ...(key === undefined ? {} : { key }),
      ...(condition === undefined ? {} : { condition }),
      ...(signal === undefined ? {} : { signal }),
    };
  }

  private info(key: string, head: HeadFields, size?: number): ObjectInfo {
    const etag = head.ETag ?? '';
    const md5 = this.md5Of(etag, head.ServerSideEncryption);
    return {
      key,
      size: size ?? head.ContentLength ?? 0,
      version: etag,
      ...(md5 === undefined ? {} : { md5 }),
      lastModified: head.LastModified ?? new Date(0),
      ...(head.ContentType === undefined ? {} : { contentType: head.ContentType }),
    };
  }

  /** A single-part ETag is the content's MD5, except under SSE-KMS (and SSE-C), where it is not. */
  private md5Of(etag: string, sse?: string): string | undefined {
    const kms = sse === undefined ? this.kms : sse.startsWith('aws:kms');
    const hex = etag.replace(/"/g, '');
    return !kms && /^[0-9a-f]{32}$/.test(hex) ? hex : undefined;
  }

  /** S3 already refused a mismatch with 412; this guards against services that ignore If-Match on reads. */
  private checkVersion(info: ObjectInfo, ifMatch: string | undefined, ctx: S3ErrorContext): void {
    if (
      ifMatch !== undefined &&
      ifMatch !== info.version &&
      ifMatch.replace(/"/g, '') !== info.version.replace(/"/g, '')
    ) {
      throw new StateStoreError(
        'PreconditionFailed',
        `s3: ${ctx.op} key ${JSON.stringify(ctx.key)} in bucket ${JSON.stringify(ctx.bucket)}: the object is not at the expected version`,
        { key: ctx.key, backend: 's3' },
      );
    }
  }
}

function conditionOf(options: WriteOptions): 'ifMatch' | 'ifNoneMatch' | undefined {
  if (options.ifNoneMatch !== undefined) return 'ifNoneMatch';
  if (options.ifMatch !== undefined) return 'ifMatch';
  return undefined;
}

/** Credential provider functions get stable ids: only the same function counts as the same identity. */
const providerIds = new WeakMap<object, number>();
let nextProviderId = 1;
function providerId(provider: object): number {
  const known = providerIds.get(provider);
  if (known !== undefined) return known;
  const id = nextProviderId++;
  providerIds.set(provider, id);
  return id;
}

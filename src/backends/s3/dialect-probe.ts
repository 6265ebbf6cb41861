import { randomBytes } from 'node:crypto';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import { NO_CONDITION } from '../../vfs/driver.js';
import { parseStoreUrl } from '../../vfs/url.js';
import type { OpenVfsOptions } from '../options.js';
import { unquotedEtag } from '../common/etag.js';
import { loadS3Sdk } from './client.js';
import { formatS3Dialect, type S3Dialect } from './dialect.js';
import { mapS3Error, s3ErrorCode, s3Status } from './errors.js';
import { s3Identity } from './identity.js';
import { S3Requests } from './requests.js';
import type { S3Sdk } from './types.js';
import { resolveS3Location, type S3Location } from './url.js';

/**
 * Asks an S3 server which conditional headers it honours, on scratch keys under the store's
 * prefix (`.statestore-dialect-probe-<random>-...`), deleted afterwards (best effort: a probe cut
 * short leaves at most four small objects and one multipart upload behind). Three chains run
 * side by side, so it takes about eight round trips (15-17 requests):
 *
 * | step | request (key)                                                  | honoured when                  | decides               |
 * |------|----------------------------------------------------------------|--------------------------------|-----------------------|
 * | 1    | PutObject `put`, then again with If-None-Match: *              | 412                            | `putIfNoneMatch`      |
 * | 2    | PutObject `put` If-Match: a wrong ETag; its ETag as returned; unquoted | 412, then the first 2xx (2xx to the wrong one: `ignored`) | `ifMatch` |
 * | 3    | DeleteObject `put` If-Match: a wrong ETag (step 2's form), HeadObject | 412 and the key still there | `deleteIfMatch`       |
 * | 4    | CopyObject `copy-src` -> `copy` (existing), If-None-Match: *   | 412                            | `copyIfNoneMatch`     |
 * | 5    | one-part upload to `complete` (existing), completed with If-None-Match: * | 412                 | `completeIfNoneMatch` |
 *
 * A 501 NotImplemented means not honoured; a 409 ConditionalRequestConflict is asked again. Any
 * other answer fails the probe: 403 as PermissionDenied naming `options.s3.dialect` (set it to
 * skip the probe), the rest as the S3 error it is (an `InvalidRequest` to the encryption header
 * names `serverSideEncryption`).
 */
export interface DialectProbeTarget {
  sdk: S3Sdk;
  bucket: string;
  /** The store's key prefix with its trailing `/`, or `''`. */
  root: string;
  /** Sends one command; rejects with the SDK's own error. */
  send<T>(command: object): Promise<T>;
  /** The ACL and SSE fields of a write (the probe writes as the store would). */
  writeFields(): Promise<Record<string, string>>;
}

/** What one conditional request got: done, refused with 412, or refused as not implemented. */
type Answer = 'done' | 'refused' | 'unimplemented';

/** A wrong ETag: the MD5 of nothing that the probe writes. */
const WRONG_ETAG = '"00000000000000000000000000000001"';

/** Runs the probe (see the table above). */
export async function runDialectProbe(target: DialectProbeTarget): Promise<S3Dialect> {
  const probe = new Probe(target);
  try {
    const [putSide, copyIfNoneMatch, completeIfNoneMatch] = await Promise.all([
      probe.putChain(),
      probe.copyChain(),
      probe.completeChain(),
    ]);
    return { ...putSide, copyIfNoneMatch, completeIfNoneMatch };
  } finally {
    await probe.cleanUp();
  }
}

class Probe {
  private readonly base: string;
  private readonly written = new Set<string>();
  private upload: { key: string; id: string } | undefined;

  constructor(private readonly t: DialectProbeTarget) {
    this.base = `${t.root}.statestore-dialect-probe-${randomBytes(6).toString('hex')}`;
  }

  async putChain(): Promise<Pick<S3Dialect, 'ifMatch' | 'putIfNoneMatch' | 'deleteIfMatch'>> {
    const key = `${this.base}-put`;
    let etag = await this.put(key);
    const create = await this.ask(() => this.put(key, { IfNoneMatch: '*' }));
    const putIfNoneMatch = create.answer === 'refused';
    etag = create.etag ?? etag;
    const ifMatch = await this.ifMatchForm(key, etag);
    const wrong = ifMatch === 'unquoted' ? unquotedEtag(WRONG_ETAG) : WRONG_ETAG;
    const removed = await this.ask(() => this.deleteObject(key, wrong));
    const kept = await this.exists(key);
    return { ifMatch, putIfNoneMatch, deleteIfMatch: removed.answer === 'refused' && kept };
  }

  async copyChain(): Promise<boolean> {
    const source = `${this.base}-copy-src`;
    const key = `${this.base}-copy`;
    await Promise.all([this.put(source), this.put(key)]);
    const fields = await this.t.writeFields();
    const copied = await this.ask(async () => {
      this.written.add(key);
      await this.t.send(
        new this.t.sdk.CopyObjectCommand({
          Bucket: this.t.bucket,
          Key: key,
          CopySource: `${this.t.bucket}/${source.split('/').map(encodeURIComponent).join('/')}`,
          IfNoneMatch: '*',
          ...fields,
        }),
      );
      return undefined;
    });
    return copied.answer === 'refused';
  }

  async completeChain(): Promise<boolean> {
    const key = `${this.base}-complete`;
    await this.put(key);
    const fields = await this.t.writeFields();
    const created = await this.t.send<{ UploadId?: string }>(
      new this.t.sdk.CreateMultipartUploadCommand({ Bucket: this.t.bucket, Key: key, ...fields }),
    );
    const id = created.UploadId ?? '';
    this.upload = { key, id };
    const part = await this.t.send<{ ETag?: string }>(
      new this.t.sdk.UploadPartCommand({ Bucket: this.t.bucket, Key: key, UploadId: id, PartNumber: 1, Body: 'x' }),
    );
    const completed = await this.ask(async () => {
      await this.t.send(
        new this.t.sdk.CompleteMultipartUploadCommand({
          Bucket: this.t.bucket,
          Key: key,
          UploadId: id,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          IfNoneMatch: '*',
        }),
      );
      return undefined;
    });
    if (completed.answer === 'done') this.upload = undefined;
    return completed.answer === 'refused';
  }

  /** Deletes every scratch key and aborts the upload; failures are ignored (see the class doc). */
  async cleanUp(): Promise<void> {
    const { sdk, bucket } = this.t;
    const upload = this.upload;
    await Promise.all([
      ...[...this.written].map((Key) => this.t.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key }))),
      ...(upload === undefined
        ? []
        : [this.t.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.id }))]),
    ]).catch(() => undefined);
  }

  /** Step 2: the wrong ETag, then the current one as returned, then unquoted. */
  private async ifMatchForm(key: string, etag: string): Promise<S3Dialect['ifMatch']> {
    const wrong = await this.ask(() => this.put(key, { IfMatch: WRONG_ETAG }));
    if (wrong.answer !== 'refused') return 'ignored';
    if ((await this.ask(() => this.put(key, { IfMatch: etag }))).answer === 'done') return 'quoted';
    const unquoted = unquotedEtag(etag);
    if ((await this.ask(() => this.put(key, { IfMatch: unquoted }))).answer === 'done') return 'unquoted';
    throw new StateStoreError(
      'Unsupported',
      `s3: probing the S3 dialect of bucket ${JSON.stringify(this.t.bucket)}: the server refused If-Match with the object's current ETag, quoted and unquoted; ${await this.withoutIfMatch()}`,
      { backend: 's3' },
    );
  }

  /**
   * What to do about a server that refuses every If-Match (Ceph RGW 16.2 on a bucket with
   * versioning on): with `dialect: "none"`, a versioned bucket still has merges and rollbacks,
   * each write checked against its object versions (src/store/versioned-write.ts); an unversioned
   * one has none (Unsupported). GetBucketVersioning says which; a refusal of it counts as off.
   */
  private async withoutIfMatch(): Promise<string> {
    const versioning = await this.t
      .send<{ Status?: string }>(new this.t.sdk.GetBucketVersioningCommand({ Bucket: this.t.bucket }))
      .catch(() => undefined);
    return versioning?.Status === 'Enabled'
      ? 'the bucket has versioning on (Ceph RGW refuses If-Match there): set options.s3.dialect to "none", and merges and rollbacks then check each write against the bucket\'s object versions instead (a write that lost a race to another is undone and fails with PreconditionFailed)'
      : 'set options.s3.dialect to "none" to use this server without compare-and-swap (reads and moves work; merges and rollbacks are refused unless the bucket has versioning on, where each write is checked against its object versions)';
  }

  private async put(key: string, conditions: { IfMatch?: string; IfNoneMatch?: string } = {}): Promise<string> {
    const fields = await this.t.writeFields();
    this.written.add(key);
    const output = await this.t.send<{ ETag?: string }>(
      new this.t.sdk.PutObjectCommand({ Bucket: this.t.bucket, Key: key, Body: 'probe', ...fields, ...conditions }),
    );
    return output.ETag ?? '';
  }

  private async deleteObject(key: string, ifMatch: string): Promise<undefined> {
    await this.t.send(new this.t.sdk.DeleteObjectCommand({ Bucket: this.t.bucket, Key: key, IfMatch: ifMatch }));
    return undefined;
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.t.send(new this.t.sdk.HeadObjectCommand({ Bucket: this.t.bucket, Key: key }));
      return true;
    } catch (err) {
      if (s3Status(err) === 404) return false;
      throw err;
    }
  }

  /** One conditional request, classified; 409 ConditionalRequestConflict is asked again (3 tries). */
  private async ask(request: () => Promise<string | undefined>): Promise<{ answer: Answer; etag?: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const etag = await request();
        return etag === undefined ? { answer: 'done' } : { answer: 'done', etag };
      } catch (err) {
        const name = s3ErrorCode(err);
        const status = s3Status(err);
        if (status === 412 || name === 'PreconditionFailed') return { answer: 'refused' };
        if (status === 501 || name === 'NotImplemented') return { answer: 'unimplemented' };
        if (name === 'ConditionalRequestConflict' && attempt < 3) continue;
        throw err;
      }
    }
  }
}

/** Each endpoint and bucket's dialect once probed, for this process (failures are not kept). */
const probedDialects = new Map<string, Promise<S3Dialect>>();

/** The probed dialect of a store's endpoint and bucket: probed once per process, then remembered. */
export function probedDialect(location: S3Location, requests: S3Requests): Promise<S3Dialect> {
  const who = location.client === undefined ? (location.endpoint ?? 'aws') : s3Identity(location);
  const cacheKey = `${who}\n${location.bucket}`;
  let pending = probedDialects.get(cacheKey);
  if (pending === undefined) {
    pending = runDialectProbe(probeTarget(location, requests)).catch((err: unknown) => {
      throw probeError(err, location, requests.sse);
    });
    probedDialects.set(cacheKey, pending);
    pending.catch(() => probedDialects.delete(cacheKey));
  }
  return pending;
}

/** Forgets probed dialects (for tests). */
export function clearDialectCache(): void {
  probedDialects.clear();
}

function probeTarget(location: S3Location, requests: S3Requests): DialectProbeTarget {
  return {
    sdk: requests.sdk,
    bucket: location.bucket,
    root: location.prefix === '' ? '' : `${location.prefix}/`,
    send: (command) => requests.send(command),
    writeFields: () => requests.writeFields(),
  };
}

/** A probe failure as a StateStoreError; 403 names the option that skips the probe. */
function probeError(err: unknown, location: S3Location, sse: string | undefined): StateStoreError {
  if (isStateStoreError(err)) return err;
  const context = {
    op: 'probe the S3 dialect (options.s3.dialect)',
    bucket: location.bucket,
    endpoint: location.endpoint,
    condition: NO_CONDITION,
    ...(sse === undefined ? {} : { sse }),
  };
  const mapped = mapS3Error(err, context);
  if (mapped.code !== 'PermissionDenied') return mapped;
  return new StateStoreError(
    'PermissionDenied',
    `s3: probing which conditional requests bucket ${JSON.stringify(location.bucket)} honours needs to write and delete scratch keys under the store's prefix (.statestore-dialect-probe-*), and was denied; set options.s3.dialect (or STATESTORE_S3_DIALECT) to the server's dialect instead, e.g. "aws" or what probeS3Dialect printed (${s3ErrorCode(err) ?? 'error'}, HTTP ${s3Status(err) ?? '?'})`,
    { backend: 's3', cause: err },
  );
}

/** The result of {@link probeS3Dialect}. */
export interface S3DialectProbeResult {
  /** What the server honours. */
  dialect: S3Dialect;
  /** Its spelling for `options.s3.dialect` / STATESTORE_S3_DIALECT (see `formatS3Dialect`). */
  spelling: string;
  /** How long the probe took, in milliseconds. */
  ms: number;
}

/** The probe behind the public `probeS3Dialect` (probe.ts, which loads this module on its first call). */
export async function probeS3Dialect(url: string, options: OpenVfsOptions = {}): Promise<S3DialectProbeResult> {
  const parsed = parseStoreUrl(url);
  const location = resolveS3Location(parsed, options);
  const sdk = await loadS3Sdk(parsed.scheme);
  const requests = new S3Requests(sdk, location, options);
  const started = performance.now();
  try {
    const dialect = await runDialectProbe(probeTarget(location, requests)).catch((err: unknown) => {
      throw probeError(err, location, requests.sse);
    });
    return { dialect, spelling: formatS3Dialect(dialect), ms: Math.round(performance.now() - started) };
  } finally {
    await requests.close();
  }
}

import type { Readable } from 'node:stream';
import { StateStoreError, isStateStoreError, throwIfAborted } from '../errors.js';
import { NO_CONDITION, type Condition, type DriverOp, type ErrorContext, type VfsDriver } from './driver.js';
import { checkInService, conditional, driverOptions, mappedFailure, noVersions, onVersion } from './driver-options.js';
import { recordDriver } from './driver-of.js';
import { cappedRead } from './read-cap.js';
import { listening, traceCall, type VfsEvents } from './events.js';
import { validateKey, validatePrefix } from './keys.js';
import { redactUrl } from './url.js';
import type { InspectOptions } from 'node:util';
import { INSPECT, inspectSummary, redactInspection } from './redact.js';
import type {
  CallOptions,
  Capabilities,
  CopyFromOptions,
  DeleteOptions,
  ListAllOptions,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectVersion,
  ReadOptions,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
  StoreFacts,
  Vfs,
  WholeReadOptions,
  WriteOptions,
  WriteStreamOptions,
} from './types.js';

/**
 * Wraps a driver into the portable {@link Vfs}: the checks every backend shares live here once,
 * like go-cloud's `blob.Bucket` around its `driver.Bucket`. The caller's `ifMatch`/`ifNoneMatch`
 * become one {@link Condition}, and every failure a driver throws goes through its `mapError` once.
 * Every call is also the one place events are published (see ./events.ts): to `events`, and on
 * the `statestore:request` and `statestore:retry` diagnostics channels, when someone listens.
 */
export function portable(driver: VfsDriver, events?: VfsEvents): Vfs {
  // A driver holds its SDK client and options: it prints as its URL and backend only (#25.5).
  if (!Object.prototype.hasOwnProperty.call(driver, INSPECT))
    redactInspection(driver, 'VfsDriver', () => ({ url: driver.url, backend: driver.backend }));
  const vfs = new PortableVfs(driver, events);
  recordDriver(vfs, driver);
  return vfs;
}

class PortableVfs implements Vfs {
  /** Bodies of `readStream` not yet closed: `close()` ends them, so their connections go with it. */
  private readonly liveBodies = new Set<Readable>();
  /** The one closing of the driver: `close()` again waits for it instead of closing twice. */
  private closing: Promise<void> | undefined;
  /**
   * The driver's `loadCapabilities` resolved once: its capabilities are final (the driver
   * contract), so later calls skip it (a move asks before each of thousands of copies).
   */
  private capabilitiesLoaded = false;

  constructor(
    private readonly driver: VfsDriver,
    private readonly events: VfsEvents | undefined,
  ) {}

  /** `JSON.stringify` shows the URL (no credentials) and backend only; see {@link redactInspection}. */
  toJSON(): Record<string, unknown> {
    return { url: this.url, backend: this.backend };
  }

  [INSPECT](_depth: number, options: InspectOptions, inspect: (v: unknown, o?: InspectOptions) => string): string {
    return inspectSummary('Vfs', this.toJSON(), options, inspect);
  }

  get url(): string {
    return this.driver.url;
  }
  get backend(): string {
    return this.driver.backend;
  }
  get capabilities() {
    return this.driver.capabilities;
  }

  async loadCapabilities(options: CallOptions = {}): Promise<Capabilities> {
    await this.loadDriverCapabilities(options.signal).catch((err: unknown) => {
      throw this.failure(err, { op: 'stat', condition: NO_CONDITION, ...options });
    });
    // `this.capabilities`, not the driver's: a wrapper of this Vfs that overrides them is obeyed.
    return this.capabilities;
  }

  /** The driver's `loadCapabilities`, until it once succeeded (see {@link capabilitiesLoaded}). */
  private async loadDriverCapabilities(signal: AbortSignal | undefined): Promise<void> {
    if (this.capabilitiesLoaded || this.driver.loadCapabilities === undefined) return;
    await this.driver.loadCapabilities({ signal });
    this.capabilitiesLoaded = true;
  }

  read(key: string, options: WholeReadOptions = {}): Promise<ReadResult> {
    return this.run('read', key, options, this.readCondition(key, options), (condition) =>
      cappedRead(this.driver, key, driverOptions(options, condition)),
    );
  }

  async readStream(key: string, options: ReadOptions = {}): Promise<ReadStreamResult> {
    const result = await this.run('readStream', key, options, this.readCondition(key, options), (condition) =>
      this.driver.readStream(key, driverOptions(options, condition)),
    );
    const body = result.body;
    if (!body.destroyed) {
      this.liveBodies.add(body);
      body.once('close', () => this.liveBodies.delete(body));
    }
    return result;
  }

  stat(key: string, options: ReadOptions = {}): Promise<ObjectInfo> {
    return this.run('stat', key, options, this.readCondition(key, options), (condition) =>
      this.driver.stat(key, driverOptions(options, condition)),
    );
  }

  write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    return this.run('write', key, options, this.writeCondition(key, options), (condition) => {
      if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
        throw new StateStoreError('InvalidArgument', 'body must be a string or a Uint8Array', {
          key,
          backend: this.backend,
        });
      }
      return this.driver.write(key, body, driverOptions(options, condition));
    });
  }

  writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: WriteStreamOptions = {},
  ): Promise<ObjectInfo> {
    return this.run('writeStream', key, options, this.writeCondition(key, options), (condition) => {
      if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
        throw new StateStoreError('InvalidArgument', 'size must be a non-negative integer', {
          key,
          backend: this.backend,
        });
      }
      return this.driver.writeStream(key, body, driverOptions(options, condition));
    });
  }

  delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const conditionOf = (): Condition => {
      if (options.ifMatch === undefined) return NO_CONDITION;
      this.checkVersion(key, options.ifMatch);
      if (!this.capabilities.deleteIfMatch) this.unsupported(key, 'delete with ifMatch', 'deleteIfMatch');
      return { kind: 'version', version: options.ifMatch };
    };
    return this.run('delete', key, options, conditionOf, (condition) =>
      this.driver.delete(key, driverOptions(options, condition)),
    );
  }

  copy(sourceKey: string, destinationKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    return this.run('copy', destinationKey, options, this.writeCondition(destinationKey, options), (condition) => {
      validateKey(sourceKey, this.backend);
      return this.driver.copy(sourceKey, destinationKey, driverOptions(options, condition));
    });
  }

  copyFrom(
    source: Vfs,
    sourceKey: string,
    destinationKey: string,
    options: CopyFromOptions = {},
  ): Promise<ObjectInfo | undefined> {
    const conditionOf = this.writeCondition(destinationKey, options);
    // Not async: checkedRun calls it inside its try, and awaits the driver's promise itself.
    return this.run('copyFrom', destinationKey, options, conditionOf, (condition) => {
      // A portable source checks the key in its serverSideLocation: not twice.
      if (!(source instanceof PortableVfs)) validateKey(sourceKey, this.backend);
      checkInService(options.ifNoneMatchInService, destinationKey, this.backend);
      const location = source.serverSideLocation?.(sourceKey);
      if (location === undefined || this.driver.copyFromLocation === undefined) return Promise.resolve(undefined);
      return this.driver.copyFromLocation(location, destinationKey, driverOptions(options, condition));
    });
  }

  describeStore(options: CallOptions = {}): Promise<StoreFacts> {
    const describe = this.driver.describeStore?.bind(this.driver);
    const facts = async () => (describe === undefined ? {} : describe({ signal: options.signal }));
    return this.run('stat', undefined, options, () => NO_CONDITION, facts);
  }

  serverSideLocation(key: string): ServerSideLocation | undefined {
    validateKey(key, this.backend);
    return this.driver.serverSideLocation?.(key);
  }

  listObjectVersions(key: string, options: CallOptions = {}): Promise<ObjectVersion[]> {
    return this.run(
      'listVersions',
      key,
      options,
      () => NO_CONDITION,
      () => {
        if (this.driver.listObjectVersions === undefined) throw noVersions(this.backend, key);
        return this.driver.listObjectVersions(key, { signal: options.signal });
      },
    );
  }

  readObjectVersion(key: string, versionId: string, options: CallOptions = {}): Promise<ReadResult> {
    const read = () => onVersion(this.driver, this.driver.readObjectVersion, key, versionId, options.signal);
    return this.run('readVersion', key, options, () => NO_CONDITION, read);
  }

  deleteObjectVersion(key: string, versionId: string, options: CallOptions = {}): Promise<void> {
    const remove = () => onVersion(this.driver, this.driver.deleteObjectVersion, key, versionId, options.signal);
    return this.run('deleteVersion', key, options, () => NO_CONDITION, remove);
  }

  list(options: ListOptions = {}): Promise<ListPage> {
    return this.run(
      'list',
      undefined,
      options,
      () => NO_CONDITION,
      () => {
        validatePrefix(options.prefix ?? '', this.backend);
        if (options.delimiter !== undefined && options.delimiter !== '/') {
          throw new StateStoreError('InvalidArgument', 'the only delimiter is "/"', { backend: this.backend });
        }
        if (options.pageSize !== undefined && (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1)) {
          throw new StateStoreError('InvalidArgument', 'pageSize must be a positive integer', {
            backend: this.backend,
          });
        }
        return this.driver.list(options);
      },
    );
  }

  async *listAll(options: ListAllOptions = {}): AsyncIterable<ObjectInfo> {
    let pageToken: string | undefined;
    do {
      const page = await this.list({
        prefix: options.prefix,
        pageSize: options.pageSize,
        pageToken,
        signal: options.signal,
      });
      yield* page.objects;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  }

  /**
   * Ends every read stream still open (its reader gets Aborted), which releases its connection or
   * descriptor, then closes the driver (once: a second call waits for the first).
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    for (const body of this.liveBodies) {
      body.destroy(
        new StateStoreError('Aborted', 'the store was closed while this stream was read', {
          backend: this.backend,
        }),
      );
    }
    this.liveBodies.clear();
    this.closing = this.driver.close();
    return this.closing;
  }

  /** `await using vfs = await openVfs(url)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The condition of a read: `ifMatch` pins the version. */
  private readCondition(key: string, options: ReadOptions): () => Condition {
    return () => {
      if (options.ifMatch === undefined) return NO_CONDITION;
      this.checkVersion(key, options.ifMatch);
      return { kind: 'version', version: options.ifMatch };
    };
  }

  /** The one condition of a write or copy, refused before any I/O when the backend cannot enforce it. */
  private writeCondition(key: string, options: WriteOptions): () => Condition {
    return () => {
      if (options.ifMatch !== undefined && options.ifNoneMatch !== undefined) {
        throw new StateStoreError('InvalidArgument', 'ifMatch and ifNoneMatch are mutually exclusive', {
          key,
          backend: this.backend,
        });
      }
      if (options.ifNoneMatch !== undefined) {
        if (options.ifNoneMatch !== '*') {
          throw new StateStoreError('InvalidArgument', 'ifNoneMatch only accepts "*"', { key, backend: this.backend });
        }
        if (!this.capabilities.ifNoneMatch) this.unsupported(key, 'ifNoneMatch', 'ifNoneMatch');
        return { kind: 'absent' };
      }
      if (options.ifMatch !== undefined) {
        this.checkVersion(key, options.ifMatch);
        if (!this.capabilities.ifMatch) this.unsupported(key, 'ifMatch', 'ifMatch');
        return { kind: 'version', version: options.ifMatch };
      }
      return NO_CONDITION;
    };
  }

  private checkVersion(key: string, version: unknown): void {
    if (typeof version !== 'string' || version === '') {
      throw new StateStoreError('InvalidArgument', 'ifMatch must be a non-empty version string', {
        key,
        backend: this.backend,
      });
    }
  }

  private unsupported(key: string, what: string, capability: 'ifMatch' | 'ifNoneMatch' | 'deleteIfMatch'): never {
    const why = this.driver.explainUnsupported?.(capability);
    const message = `the ${this.backend} backend cannot enforce ${what}${why === undefined ? '' : `: ${why}`}`;
    throw new StateStoreError('Unsupported', message, { key, backend: this.backend });
  }

  /** Runs one call (see {@link PortableVfs.checkedRun}), traced when someone listens. */
  private run<T>(
    op: DriverOp,
    key: string | undefined,
    options: CallOptions,
    conditionOf: () => Condition,
    fn: (condition: Condition) => Promise<T>,
  ): Promise<T> {
    const call = () => this.checkedRun(op, key, options, conditionOf, fn);
    // Nobody listening: no event objects, no async context, nothing but the call.
    if (!listening(this.events)) return call();
    // Built-in drivers' URLs hold no credentials; a third-party driver's might: redacted all the same.
    const info = {
      operation: op,
      ...(key === undefined ? {} : { key }),
      backend: this.backend,
      url: redactUrl(this.url),
    };
    return traceCall(info, this.events, call);
  }

  /**
   * Runs `fn` with the shared checks: signal, key, condition, all before any I/O and all as
   * rejections. A StateStoreError (raised here, or deliberately by the driver) passes as is;
   * anything else goes through the driver's `mapError` once. Not async: once the capabilities are
   * known, a call is `fn`'s own promise with the mapping after it (a move makes thousands).
   */
  private checkedRun<T>(
    op: DriverOp,
    key: string | undefined,
    options: CallOptions,
    conditionOf: () => Condition,
    fn: (condition: Condition) => Promise<T>,
  ): Promise<T> {
    // What a conditional write may ask is known only once the backend learnt it (an S3 dialect).
    const loading = conditional(op, options) && !this.capabilitiesLoaded;
    let condition: Condition = NO_CONDITION;
    const failure = (err: unknown) =>
      this.failure(err, { op, ...(key === undefined ? {} : { key }), condition, signal: options.signal });
    try {
      throwIfAborted(options.signal, key, this.backend);
      if (key !== undefined) validateKey(key, this.backend);
      if (loading)
        return this.loadDriverCapabilities(options.signal)
          .then(() => {
            condition = conditionOf();
            return fn(condition);
          })
          .catch((err: unknown) => Promise.reject(failure(err)));
      condition = conditionOf();
      // A third-party driver's method may return a plain value: `await` took it, so does this.
      return Promise.resolve(fn(condition)).catch((err: unknown) => Promise.reject(failure(err)));
    } catch (err) {
      return Promise.reject(failure(err));
    }
  }

  /** `err` as the call's failure: a StateStoreError as it is, anything else through the driver's `mapError`. */
  private failure(err: unknown, context: ErrorContext): StateStoreError {
    return isStateStoreError(err) ? err : mappedFailure(this.driver, err, context);
  }
}

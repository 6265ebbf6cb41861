import type { S3Client } from '@aws-sdk/client-s3';
import type { StateStoreError } from '../../errors.js';
import { inListenedCall, reportRetry } from '../../vfs/events.js';
import { backoffDelay, DEFAULT_RETRY, sleep, type RetryPolicy } from '../../vfs/retry.js';
import { s3ErrorCode } from './errors.js';
import type { OpenVfsOptions } from '../options.js';
import { checkedCredentials, createClient, createProbeClient, sendSignal } from './client.js';
import { DirectS3, type DirectSetup } from './direct/index.js';
import { LazyCommand, lazyCommands, sdkCommand } from './lazy-sdk.js';
import type { S3Sdk } from './types.js';
import type { S3Location } from './url.js';
import {
  checkAcl,
  fieldsFor,
  fieldsFromBucket,
  writePolicy,
  type WriteFields,
  type WritePolicy,
} from './write-settings.js';

/**
 * One store's connection to S3: its client (made on first use, after asking the bucket's region
 * when none is known), the ACL and SSE headers of its writes (decided once), and the one place
 * that sends a command. The driver keeps only the commands.
 *
 * Commands are built with {@link S3Requests.sdk}, which builds them without the SDK (lazy-sdk.ts):
 * a store that knows its region and credentials sends what the direct path serves without loading
 * `@aws-sdk/client-s3`; the SDK and its client are loaded on the first command that needs them.
 */
export class S3Requests {
  /** Builds commands (`new requests.sdk.GetObjectCommand(input)`) without loading the SDK. */
  readonly sdk: S3Sdk;
  /** The SDK module, loaded once on first need. */
  private readonly loadSdk: () => Promise<S3Sdk>;
  private client: Promise<S3Client> | undefined;
  /** The direct path of the store's own client (direct/index.ts), made with it; undefined: the SDK sends all. */
  private direct: Promise<DirectS3 | undefined> | undefined;
  /** The direct path once made (read without a promise by {@link send}). */
  private directMade: DirectS3 | undefined;
  private readonly policy: WritePolicy;
  /** The write headers once decided (kops asks an `s3://` bucket once); see write-settings.ts. */
  private fields: Promise<WriteFields> | undefined;
  /** What {@link fields} resolved to, once it did. */
  private decided: WriteFields | undefined;
  /** Whether written objects are SSE-KMS (their ETags are not MD5s); known after the first write. */
  kms: boolean;
  private readonly retry: Required<RetryPolicy>;
  private readonly conflictAttempts: number;
  /** The `ServerSideEncryption` header writes carry, once decided (for error messages). */
  sse: string | undefined;

  /** `sdk`: the SDK module, or how to load it when first needed. */
  constructor(
    sdk: S3Sdk | (() => Promise<S3Sdk>),
    private readonly location: S3Location,
    private readonly options: OpenVfsOptions,
  ) {
    this.sdk = lazyCommands();
    this.loadSdk = typeof sdk === 'function' ? once(sdk) : () => Promise.resolve(sdk);
    this.policy = writePolicy(location.scheme, options);
    const retry = options.retry ?? {};
    this.retry = {
      maxAttempts: retry.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
      baseDelayMs: retry.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    };
    this.conflictAttempts = Math.max(1, this.retry.maxAttempts);
    this.kms = this.policy.sse === 'aws:kms';
  }

  /**
   * Sends one command. Failures are the SDK's own, for the portable layer to map under the call's
   * context, unless `mapAs` maps them here (for a request that is not the call's own).
   */
  send<T>(command: object, signal?: AbortSignal, mapAs?: (err: unknown) => StateStoreError): Promise<T> {
    // Once the direct path is made, a first attempt it sends is its own promise (no async frame).
    const direct = this.directMade;
    let first: Promise<unknown> | undefined;
    try {
      if (direct !== undefined && command instanceof LazyCommand)
        first = direct.trySend(command.name, command.input, signal, command.wholeBody);
    } catch (err) {
      first = Promise.reject(err);
    }
    if (first === undefined) return this.sendAttempts<T>(command, signal, mapAs);
    return (first as Promise<T>).catch((err: unknown) => this.sendAttempts<T>(command, signal, mapAs, { err }));
  }

  /**
   * The attempts of {@link send}: from the first, or after the first's failure `failed` (the
   * conflict retry decides on it as on any attempt's).
   */
  private async sendAttempts<T>(
    command: object,
    signal: AbortSignal | undefined,
    mapAs: ((err: unknown) => StateStoreError) | undefined,
    failed?: { err: unknown },
  ): Promise<T> {
    const direct = await this.directPath(signal);
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1 && failed !== undefined) throw failed.err;
        const sent =
          (command instanceof LazyCommand
            ? direct?.trySend(command.name, command.input, signal, command.wholeBody)
            : undefined) ?? this.sendWithSdk(command, signal);
        return (await sent) as T;
      } catch (err) {
        // AWS answers 409 ConditionalRequestConflict to a conditional write racing another on the
        // same key, and asks for a retry: the condition is checked again. A streamed body cannot
        // be sent twice, so it is left to the caller (Conflict, retryable).
        if (attempt < this.conflictAttempts && conflictRetryable(err, command)) {
          await sleep(backoffDelay(attempt, this.retry), signal).catch(() => undefined);
          if (signal?.aborted !== true) continue;
        }
        throw mapAs === undefined ? err : mapAs(err);
      }
    }
  }

  private async sendWithSdk(lazy: object, signal?: AbortSignal): Promise<unknown> {
    const client = await this.getClient(signal);
    const command = sdkCommand(await this.loadSdk(), lazy);
    // The SDK retries by itself: its attempts become retry events only when someone listens.
    const probed = inListenedCall() && probeAttempts(command);
    // No options at all lets the client reuse the command class's resolved middleware (see
    // clientConfig's cacheMiddleware); a probed command needs its own stack resolved, so it
    // passes options, as a signal does.
    const options = signal !== undefined ? { abortSignal: signal } : probed ? {} : undefined;
    // sendSignal: the store's retry strategy waits with the call's signal (client.ts).
    return sendSignal.run(signal, () => client.send(command as Parameters<S3Client['send']>[0], options));
  }

  /**
   * The direct path, made once (undefined where the SDK sends everything). It needs the region and
   * credentials: the store's own when it has both, else the SDK client's (made first, as before; a
   * failure to make it, such as the bucket's region not found, is the request's and not cached).
   */
  private directPath(signal?: AbortSignal): Promise<DirectS3 | undefined> {
    if (this.direct === undefined) {
      const pending = this.makeDirect(signal);
      this.direct = pending;
      pending.then(
        (made) => {
          if (this.direct === pending) this.directMade = made;
        },
        () => {
          if (this.direct === pending) this.direct = undefined;
        },
      );
    }
    return this.direct;
  }

  private async makeDirect(signal?: AbortSignal): Promise<DirectS3 | undefined> {
    // A caller's client sends everything itself: not even its configuration is read.
    if (!DirectS3.allowed(this.location)) return undefined;
    let setup = this.ownSetup();
    if (setup === undefined) {
      const client = await this.getClient(signal);
      setup = await clientSetup(client).catch(() => undefined);
    }
    try {
      return setup === undefined ? undefined : DirectS3.create(this.location, this.options, setup);
    } catch {
      return undefined;
    }
  }

  /** The region and credentials the store knows without the SDK (the SDK client would use just these). */
  private ownSetup(): DirectSetup | undefined {
    const { region, credentials } = this.location;
    if (region === undefined || credentials === undefined) return undefined;
    const checked = checkedCredentials(credentials);
    return { region, credentials: typeof checked === 'function' ? checked : () => Promise.resolve(checked) };
  }

  /**
   * The ACL and SSE fields of every write (kops's rules, options first; see write-settings.ts).
   * An `s3://` store without an explicit `serverSideEncryption` asks its bucket once, on the first
   * write; a failed question is not cached, so the next write asks again.
   */
  async writeFields(signal?: AbortSignal): Promise<Record<string, string>> {
    checkAcl(this.policy);
    if (this.fields === undefined) {
      const pending =
        this.policy.sse === 'ask-bucket' ? this.askBucket(signal) : Promise.resolve(fieldsFor(this.policy, undefined));
      this.fields = pending;
      pending.catch(() => {
        if (this.fields === pending) this.fields = undefined;
      });
    }
    const decided = await this.fields;
    this.decided = decided;
    this.kms = decided.kms;
    this.sse = decided.fields['ServerSideEncryption'];
    return decided.fields;
  }

  /** {@link writeFields} once decided, without a promise (a move's copies ask thousands of times); else undefined. */
  knownWriteFields(): Record<string, string> | undefined {
    const decided = this.decided;
    if (decided === undefined) return undefined;
    checkAcl(this.policy);
    this.kms = decided.kms;
    this.sse = decided.fields['ServerSideEncryption'];
    return decided.fields;
  }

  /**
   * Destroys the client (its sockets); the next send would make a new one. A caller's own client
   * (`options.s3.client`) is left as it is: it is theirs to destroy.
   */
  async close(): Promise<void> {
    const client = this.client;
    const direct = this.direct;
    this.client = undefined;
    this.direct = undefined;
    this.directMade = undefined;
    (await direct?.catch(() => undefined))?.close();
    if (client !== undefined && this.location.client === undefined) (await client.catch(() => undefined))?.destroy();
  }

  private async askBucket(signal?: AbortSignal): Promise<WriteFields> {
    const client = await this.getClient(signal);
    const sdk = await this.loadSdk();
    // A caller's client is asked as it is (its own retries) and never destroyed.
    if (this.location.client !== undefined)
      return fieldsFromBucket(this.policy, () => client, sdk, this.location.bucket, false);
    const region = await client.config.region();
    return fieldsFromBucket(
      this.policy,
      () => createProbeClient(sdk, this.location, this.options, region),
      sdk,
      this.location.bucket,
    );
  }

  /** The client, made once; a failed attempt (region discovery, say) is not cached. */
  private getClient(signal?: AbortSignal): Promise<S3Client> {
    if (this.client === undefined && this.location.client !== undefined) {
      this.client = Promise.resolve(this.location.client as unknown as S3Client);
    }
    if (this.client === undefined) {
      const pending = this.loadSdk().then((sdk) => createClient(sdk, this.location, this.options, signal));
      this.client = pending;
      pending.catch(() => {
        if (this.client === pending) this.client = undefined;
      });
    }
    return this.client;
  }
}

/** The SDK client's region and credentials provider (its default chain, say). */
async function clientSetup(client: S3Client): Promise<DirectSetup> {
  const credentials = client.config.credentials as DirectSetup['credentials'];
  return { region: await client.config.region(), credentials: () => credentials() };
}

/** `load`, called once; a failure is not kept (the next call tries again). */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const attempt = load();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}

/** A 409 ConditionalRequestConflict on a command whose body can be sent again. */
function conflictRetryable(err: unknown, command: object): boolean {
  if (s3ErrorCode(err) !== 'ConditionalRequestConflict') return false;
  const body = (command as { input?: { Body?: unknown } }).input?.Body;
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * Adds to one command (never to the client, which may be the caller's) a step inside the SDK's
 * retry loop: every attempt after the first is reported as a retry of the current call. False
 * when the command has no stack to add it to.
 */
function probeAttempts(command: object): boolean {
  // Every S3Client has the retry step (the SDK's signing step is placed relative to it).
  const stack = (command as { middlewareStack?: MiddlewareStack }).middlewareStack;
  if (stack === undefined) return false;
  let attempt = 0;
  let failure: unknown;
  stack.addRelativeTo(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      attempt++;
      if (attempt > 1) reportRetry(attempt, failure);
      try {
        return await next(args);
      } catch (err) {
        failure = err;
        throw err;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'statestoreAttempts', override: true },
  );
  return true;
}

/** The part of a command's middleware stack used above. */
interface MiddlewareStack {
  addRelativeTo(
    middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
    options: { relation: 'after'; toMiddleware: string; name: string; override: boolean },
  ): void;
}

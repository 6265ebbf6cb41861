import { AsyncLocalStorage } from 'node:async_hooks';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { DEFAULT_RETRY, backoffDelay, sleep, type RetryPolicy } from '../../vfs/retry.js';
import { loadOptionalPeer } from '../optional-peer.js';
import type { OpenVfsOptions } from '../options.js';
import { NO_CONDITION } from '../../vfs/driver.js';
import { REGION_QUESTION, mapS3Error, s3ErrorHeader } from './errors.js';
import type { S3Credentials, S3Sdk } from './types.js';
import type { S3Location } from './url.js';
import { redactInspection } from '../../vfs/redact.js';
import { routeThroughHttpProxy, sdkProxyAgent } from './sdk-proxy.js';

/** Loads `@aws-sdk/client-s3`, or throws InvalidArgument naming the package to install. */
export function loadS3Sdk(scheme: string): Promise<S3Sdk> {
  return loadOptionalPeer('@aws-sdk/client-s3', () => import('@aws-sdk/client-s3'), scheme);
}

/** Region of each bucket already asked, per endpoint: HeadBucket is sent once per bucket. */
const discoveredRegions = new Map<string, Promise<string>>();

/** The SDK client configuration for a store (without the region). */
export function clientConfig(location: S3Location, options: OpenVfsOptions): S3ClientConfig {
  const s3 = options.s3 ?? {};
  const checksum = s3.checksum ?? 'when_supported';
  const retry: Required<RetryPolicy> = { ...DEFAULT_RETRY, ...definedOnly(options.retry) };
  return {
    ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
    forcePathStyle: location.forcePathStyle,
    ...(location.credentials === undefined ? {} : { credentials: checkedCredentials(location.credentials) }),
    maxAttempts: retry.maxAttempts,
    retryStrategy: retryStrategy(retry) as S3ClientConfig['retryStrategy'],
    requestChecksumCalculation: checksum === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    responseChecksumValidation: checksum === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    // `socketTimeout` is the idle timeout `requestTimeoutMs` documents. Since @smithy/node-http-handler
    // 4.x, `requestTimeout` is a whole-request timer that only logs a warning (a stalled request
    // hung forever); older versions read `socketTimeout` as `requestTimeout`, so both fail a stall.
    requestHandler: {
      connectionTimeout: s3.connectTimeoutMs ?? 5000,
      socketTimeout: s3.requestTimeoutMs ?? 120_000,
      // AWS_CA_BUNDLE (ca-bundle.ts): the handler builds its keep-alive https.Agent with these options.
      ...(location.ca === undefined ? {} : { httpsAgent: { ca: location.ca } }),
      // HTTPS_PROXY (sdk-proxy.ts): an agent that tunnels, with the same CA.
      ...sdkProxyAgent(location, s3.connectTimeoutMs ?? 5000),
    },
    logger: SILENT_LOGGER,
    // The SDK resolves a command's middleware stack (copy, sort, bind) on every send, about a third
    // of its CPU per CopyObject. Cached, once per command class: S3Requests.send passes no options
    // (the cache's condition) unless the call has a signal or probes its attempts, whose command-
    // level middleware the cache would ignore. Cached sends of a class share one handler context;
    // what middlewares write there is the same for every request of one store's client (its one
    // bucket and region; no region redirects; a V2 retry strategy, which adds nothing to it).
    cacheMiddleware: true,
  };
}

/**
 * The caller's credentials, a provider function checked on each call: one that throws, or that
 * returns no key pair, fails the request as `Unauthenticated` (not retried), naming
 * `options.s3.credentials`, instead of an `Unknown` or a retryable `Unavailable` (the SDK's own
 * failure to sign with an empty key). The provider's own error is kept as the cause.
 */
export function checkedCredentials(credentials: S3Credentials | (() => Promise<S3Credentials>)) {
  if (typeof credentials !== 'function') return credentials;
  return async (): Promise<S3Credentials> => {
    let value: S3Credentials | undefined;
    try {
      value = await credentials();
    } catch (err) {
      throw credentialsError('CredentialsProviderFailed', err);
    }
    const present = (field: unknown) => typeof field === 'string' && field !== '';
    if (!present(value?.accessKeyId) || !present(value?.secretAccessKey))
      throw credentialsError('CredentialsProviderEmpty');
    return value!;
  };
}

function credentialsError(name: string, cause?: unknown): Error {
  const err = new Error(`options.s3.credentials: ${name}`, cause === undefined ? undefined : { cause });
  err.name = name;
  return err;
}

/**
 * The SDK's default logger logs nothing, but its logger middleware still builds a redacted copy
 * of every request's input and output (a walk of the operation's schema) to hand to `info`. A
 * logger without `info` (the middleware calls `logger?.info?.(...)`) skips that walk; it was
 * about 2% of this process's CPU per CopyObject in the move benchmark's profile.
 */
const SILENT_LOGGER = {
  debug: (): void => undefined,
  warn: (): void => undefined,
  error: (): void => undefined,
} as unknown as NonNullable<S3ClientConfig['logger']>;

/** A retry token of {@link retryStrategy}: the attempts made so far and the delay before the next. */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/**
 * The AbortSignal of the call a command is sent for (`S3Requests.send` runs the SDK's send in it),
 * for the waits of {@link retryStrategy}, which the SDK does not hand the signal.
 */
export const sendSignal = new AsyncLocalStorage<AbortSignal | undefined>();

/**
 * The SDK's retry loop driven by statestore's RetryPolicy (the same attempts and full-jitter
 * backoff as every other backend): transient, throttling and 5xx errors are retried, client
 * errors (4xx, including 409 ConditionalRequestConflict and 412) are not. The wait between
 * attempts is ours, cut short by the call's AbortSignal with its timer cleared: the SDK's own
 * wait races the signal but leaves its timer running, which held the process up to `maxDelayMs`
 * after an abort (a test's 60 s delay kept Jest from exiting). The SDK is told to wait 0 ms.
 */
function retryStrategy(policy: Required<RetryPolicy>) {
  const token = (count: number, delay: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => delay,
  });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async (): Promise<RetryToken> => token(0, 0),
    refreshRetryTokenForRetry: async (
      previous: RetryToken,
      info: { errorType: string; retryAfterHint?: Date },
    ): Promise<RetryToken> => {
      const attempts = previous.getRetryCount() + 1;
      if (info.errorType === 'CLIENT_ERROR' || attempts >= policy.maxAttempts) throw new Error('no retry');
      let delay = backoffDelay(attempts, policy);
      if (info.retryAfterHint !== undefined)
        delay = Math.max(delay, Math.min(policy.maxDelayMs, info.retryAfterHint.getTime() - Date.now()));
      // Aborted: the SDK then throws the attempt's error, which the call maps to Aborted (its signal fired).
      await sleep(delay, sendSignal.getStore());
      return token(attempts, 0);
    },
    recordSuccess: (): void => undefined,
  };
}

function definedOnly(policy: RetryPolicy | undefined): RetryPolicy {
  const out: RetryPolicy = {};
  if (policy?.maxAttempts !== undefined) out.maxAttempts = policy.maxAttempts;
  if (policy?.baseDelayMs !== undefined) out.baseDelayMs = policy.baseDelayMs;
  if (policy?.maxDelayMs !== undefined) out.maxDelayMs = policy.maxDelayMs;
  return out;
}

/**
 * A client for one-shot questions whose failure has a fallback (kops asks a bucket's default
 * encryption once, without retrying): the store's configuration, in `region`, with one attempt.
 */
export function createProbeClient(sdk: S3Sdk, location: S3Location, options: OpenVfsOptions, region: string): S3Client {
  return redactedClient(
    new sdk.S3Client({
      ...clientConfig(location, { ...options, retry: { ...options.retry, maxAttempts: 1 } }),
      region,
    }),
    region,
    location,
  );
}

/** Creates the store's client, asking the bucket for its region first when none is known. */
export async function createClient(
  sdk: S3Sdk,
  location: S3Location,
  options: OpenVfsOptions,
  signal?: AbortSignal,
): Promise<S3Client> {
  const config = clientConfig(location, options);
  const region = location.region ?? (await discoverRegion(sdk, location, config, signal));
  return redactedClient(new sdk.S3Client({ ...config, region }), region, location);
}

/**
 * An S3Client prints and serialises as its region only: it keeps its configuration, credentials
 * included, in `config` and `initConfig` (#25.5). Its requests to an http:// endpoint go through
 * HTTP_PROXY when set (sdk-proxy.ts).
 */
function redactedClient(client: S3Client, region: string, location: S3Location): S3Client {
  routeThroughHttpProxy(client, location);
  return redactInspection(client, 'S3Client', () => ({ region }));
}

/**
 * Asks the bucket where it lives: HeadBucket answers `x-amz-bucket-region`, also on the 301 or
 * 400 a client in the wrong region gets. The answer is cached per endpoint and bucket; failures
 * are not cached. A failure that does not carry the header (a 301 or 400 without it, a 307, a
 * missing bucket) throws, typed by errors.ts, as kops's bucketLocationViaHead returns an error
 * there (util/pkg/vfs/s3context.go:309): a guess would be cached and sign every later request.
 * An endpoint whose HeadBucket succeeds without saying is taken to be us-east-1, the region kops
 * uses for an S3_ENDPOINT without S3_REGION (s3context.go:164-171).
 */
async function discoverRegion(
  sdk: S3Sdk,
  location: S3Location,
  config: S3ClientConfig,
  signal?: AbortSignal,
): Promise<string> {
  const cacheKey = `${location.endpoint ?? 'aws'}\n${location.bucket}`;
  let pending = discoveredRegions.get(cacheKey);
  if (pending === undefined) {
    pending = askRegion(sdk, location, config, signal);
    discoveredRegions.set(cacheKey, pending);
    pending.catch(() => discoveredRegions.delete(cacheKey));
  }
  return pending;
}

async function askRegion(
  sdk: S3Sdk,
  location: S3Location,
  config: S3ClientConfig,
  signal?: AbortSignal,
): Promise<string> {
  const probe = redactedClient(new sdk.S3Client({ ...config, region: 'us-east-1' }), 'us-east-1', location);
  try {
    const output = await probe.send(new sdk.HeadBucketCommand({ Bucket: location.bucket }), { abortSignal: signal });
    return output.BucketRegion ?? 'us-east-1';
  } catch (err) {
    const region = s3ErrorHeader(err, 'x-amz-bucket-region');
    if (region !== undefined && region !== '') return region;
    throw mapS3Error(err, {
      op: REGION_QUESTION,
      bucket: location.bucket,
      ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
      condition: NO_CONDITION,
      ...(signal ? { signal } : {}),
    });
  } finally {
    probe.destroy();
  }
}

/** Forgets cached bucket regions (for tests). */
export function clearRegionCache(): void {
  discoveredRegions.clear();
}

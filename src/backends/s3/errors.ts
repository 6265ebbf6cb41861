import { StateStoreError, type ErrorCode } from '../../errors.js';
import type { Condition } from '../../vfs/driver.js';
import { mapHttpStatus, networkErrorCode, tlsCertificateRefusal } from '../common/http-errors.js';
import { redactUrl } from '../../vfs/url.js';

/** The `op` of the store's HeadBucket that asks a bucket its region (client.ts). */
export const REGION_QUESTION = 'find the region of';

/**
 * What was being done when an SDK call failed: the contract's ErrorContext plus the bucket, for
 * the message. `op` is a DriverOp, or a phrase for the store's own questions (`find the region of`).
 */
export interface S3ErrorContext {
  op: string;
  bucket: string;
  /** The endpoint asked, when not AWS's own (named in messages: "server down" says which server). */
  endpoint?: string;
  key?: string;
  /** The condition SENT: a 412 is AlreadyExists under `absent`, a 404 PreconditionFailed under `version`. */
  condition: Condition;
  signal?: AbortSignal;
  /** The `ServerSideEncryption` the failed write carried, if any: an InvalidRequest then names the setting. */
  sse?: string;
}

/** The parts of an AWS SDK error this module reads. */
interface SdkErrorShape {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const UNAUTHENTICATED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidSecurity',
  'RequestTimeTooSkewed',
  'CredentialsProviderError',
  'MissingAuthenticationToken',
]);
/** S3's codes of a rate-limited request (the direct path retries them: direct/failures.ts). */
export const RATE_LIMITED: ReadonlySet<string> = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
/**
 * The name of an HTTP proxy's refusal to open a tunnel (direct/proxy-tunnel.ts): its message names
 * the proxy (credentials left out) and its answer; `proxyStatus` is the status it answered.
 */
export const PROXY_REFUSED = 'ProxyRefused';
const PERMISSION_DENIED = new Set(['AccessDenied', 'AllAccessDisabled', 'Forbidden']);
const WRONG_REGION = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const INTEGRITY = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'InvalidChecksum']);

/** The S3 error code of an SDK error (its `Code` or `name`), when it looks like one. */
export function s3ErrorCode(err: unknown): string | undefined {
  const shape = err as SdkErrorShape | undefined;
  const code = shape?.Code ?? shape?.name;
  return typeof code === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(code) ? code : undefined;
}

/** The HTTP status of an SDK error, when the service answered. */
export function s3Status(err: unknown): number | undefined {
  return (err as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** A response header of an SDK error (e.g. `x-amz-bucket-region`). */
export function s3ErrorHeader(err: unknown, name: string): string | undefined {
  return (err as SdkErrorShape | undefined)?.$response?.headers?.[name];
}

/**
 * True for a request the SDK gave up on without any HTTP answer: its retry loop stamps
 * `$metadata` on every error it rethrows, and only a response sets `httpStatusCode`. A Node
 * error from another realm (as under Jest) reaches us this way with its code lost: the SDK
 * rewraps it into a bare Error, so the missing status is the structured sign of a network failure.
 */
function noAnswer(err: unknown, name: string | undefined): boolean {
  const metadata = (err as SdkErrorShape | undefined)?.$metadata;
  return metadata !== undefined && metadata.httpStatusCode === undefined && (name === undefined || name === 'Error');
}

/** The code and reason S3's own error names decide, before the HTTP status is looked at. */
function byName(name: string | undefined, ctx: S3ErrorContext): [ErrorCode, string] | undefined {
  if (name === undefined) return undefined;
  if (name === 'PreconditionFailed') return mapByStatus(412, ctx);
  if (name === 'CredentialsProviderFailed')
    return ['Unauthenticated', 'the credentials provider (options.s3.credentials) threw'];
  if (name === 'CredentialsProviderEmpty')
    return [
      'Unauthenticated',
      'the credentials provider (options.s3.credentials) returned no accessKeyId and secretAccessKey',
    ];
  if (name === 'ConditionalRequestConflict') return ['Conflict', 'a concurrent conditional request conflicted; retry'];
  if (name === 'InvalidRequest' && ctx.sse !== undefined)
    return [
      'InvalidArgument',
      `the server refused a write carrying ServerSideEncryption: ${ctx.sse} (S3-compatible servers often do); set options.s3.serverSideEncryption to "none" (what kops sends for do://, scw://, hos://, linode://) or give the bucket a default encryption rule`,
    ];
  if (name === 'NoSuchKey' || name === 'NotFound') return mapByStatus(404, ctx);
  if (RATE_LIMITED.has(name)) return ['RateLimited', 'the service asked to slow down'];
  if (UNAUTHENTICATED.has(name)) return ['Unauthenticated', 'the credentials were rejected or are missing'];
  if (PERMISSION_DENIED.has(name)) return ['PermissionDenied', 'access denied'];
  if (INTEGRITY.has(name)) return ['IntegrityError', 'the data did not match its checksum'];
  if (TIMEOUTS.has(name)) return ['Unavailable', 'the endpoint could not be reached'];
  return undefined;
}

function mapByStatus(status: number, ctx: S3ErrorContext): [ErrorCode, string] | undefined {
  const mapped = mapHttpStatus(status, ctx.condition);
  return mapped === undefined ? undefined : [mapped.code, mapped.reason];
}

/**
 * Turns anything an SDK call threw into a StateStoreError, by the S3 error name first, then the
 * HTTP status (shared with every HTTP driver), then the network code. Messages name the
 * operation, the bucket, the key, the S3 error code and the HTTP status, never the SDK's own
 * message (which can echo request details) and so never a credential. Total: never throws.
 */
export function mapS3Error(err: unknown, ctx: S3ErrorContext): StateStoreError {
  const name = s3ErrorCode(err);
  const status = s3Status(err);
  const detail = `${name ?? 'error'}${status === undefined ? '' : `, HTTP ${status}`}`;
  const keyPart = ctx.key === undefined ? '' : ` key ${JSON.stringify(ctx.key)}`;
  // "find the region of" takes the bucket itself as its object: "find the region of bucket "b"".
  const preposition = ctx.key === undefined && ctx.op.endsWith(' of') ? '' : ' in';
  const at = ctx.endpoint === undefined ? '' : ` at ${redactUrl(ctx.endpoint)}`;
  const make = (
    code: ErrorCode,
    what: string,
    where = `${keyPart}${preposition} bucket ${JSON.stringify(ctx.bucket)}${at}`,
  ) => new StateStoreError(code, `s3: ${ctx.op}${where}: ${what}`, { key: ctx.key, backend: 's3', cause: err });

  if (ctx.signal?.aborted === true || name === 'AbortError') return make('Aborted', 'the operation was aborted');
  if (name === 'NoSuchBucket')
    return make(
      'NotFound',
      `bucket ${JSON.stringify(ctx.bucket)} does not exist${at} (${detail})`,
      preposition === '' ? ` bucket ${JSON.stringify(ctx.bucket)}` : keyPart,
    );
  const wrongRegion = wrongRegionAnswer(err, name, status, ctx.op === REGION_QUESTION);
  if (wrongRegion !== undefined) return make(wrongRegion[0], `${wrongRegion[1]} (${detail})`);
  if (name === PROXY_REFUSED) return proxyRefusal(err as Error & { proxyStatus?: number }, make);
  // The proxy a request went through (direct/proxy-tunnel.ts, sdk-proxy.ts), credentials left out.
  const proxy = (err as { proxy?: unknown } | undefined)?.proxy;
  // The SDK's request to an http endpoint through HTTP_PROXY (sdk-proxy.ts): the proxy's own answer.
  if (status === 407)
    return make(
      'Unauthenticated',
      `${typeof proxy === 'string' ? `the proxy ${proxy}` : 'the HTTP proxy'} refused the request (${detail}; its user and password are in its URL)`,
    );
  const decided = byName(name, ctx) ?? (status === undefined ? undefined : mapByStatus(status, ctx));
  if (decided !== undefined) return make(decided[0], `${decided[1]} (${detail})`);
  const certificate = tlsCertificateRefusal(err, 'AWS_CA_BUNDLE');
  if (certificate !== undefined) return make(certificate.code, certificate.reason);
  const network = networkErrorCode(err);
  const through = typeof proxy === 'string' ? ` through the proxy ${proxy}` : '';
  if (network !== undefined || noAnswer(err, name))
    return make('Unavailable', `the endpoint could not be reached${through} (${network ?? detail})`);
  return make('Unknown', `unexpected failure (${detail})`);
}

/**
 * AWS's answers to a request sent to another region than the bucket's (its Request routing page,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingRouting.html, and error codes,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): 301 PermanentRedirect
 * (a HEAD's has no body: its status and `x-amz-bucket-region` say it), 400
 * AuthorizationHeaderMalformed (signed for the wrong region; the document's `Region` names the
 * right one; a HEAD's 400 carries only the header), 307 TemporaryRedirect (a bucket created in the
 * last 24 hours, asked at another region's endpoint while its name propagates). Neither the SDK
 * (its `followRegionRedirects` is off) nor kops (the region is asked once per bucket,
 * s3context.go getDetailsForBucket) re-learns the region on these: they fail, typed, naming the
 * region when the answer does. Undefined for any other answer. `asking`: the store's own HeadBucket
 * from us-east-1 to learn the region, to which a bodiless 400 is the wrong-region answer even
 * without the header (kops fails there too, util/pkg/vfs/s3context.go:309).
 */
function wrongRegionAnswer(
  err: unknown,
  name: string | undefined,
  status: number | undefined,
  asking: boolean,
): [ErrorCode, string] | undefined {
  const header = s3ErrorHeader(err, 'x-amz-bucket-region');
  const field = (err as { Region?: unknown } | undefined)?.Region;
  const region = header ?? (typeof field === 'string' && /^[a-z0-9-]{1,40}$/.test(field) ? field : undefined);
  const hint =
    region === undefined
      ? "; the answer did not name it (no x-amz-bucket-region): set options.s3.region to the bucket's region"
      : ` (${region}); set options.s3.region`;
  const redirected = status === 301 || (name !== undefined && WRONG_REGION.has(name));
  // A 400 without a document (a HEAD's: the direct path names it by its status, the SDK `Unknown`)
  // but with the header: the region a HEAD was signed for is wrong.
  const bare = name === undefined || name === 'Unknown' || /^\d+$/.test(name);
  const bareHead400 = status === 400 && (header !== undefined || asking) && bare;
  if (redirected || bareHead400) return ['InvalidArgument', `the bucket is in another region${hint}`];
  if (status !== 307 && name !== 'TemporaryRedirect') return undefined;
  if (region !== undefined) return ['InvalidArgument', `the bucket is in another region${hint}`];
  return [
    'Unavailable',
    "the service sent a temporary redirect (a bucket created in the last 24 hours, asked outside its region); set options.s3.region to the bucket's region, or retry once its name has propagated",
  ];
}

/**
 * A proxy that would not open a tunnel: 407 (its credentials, in the proxy variable's URL) is
 * Unauthenticated, 403 PermissionDenied, a 5xx (it could not reach the endpoint) Unavailable,
 * anything else Unknown. The message is proxy-tunnel.ts's own (the proxy without credentials).
 */
function proxyRefusal(
  err: Error & { proxyStatus?: number },
  make: (code: ErrorCode, what: string) => StateStoreError,
): StateStoreError {
  const status = err.proxyStatus ?? 0;
  if (status === 407) return make('Unauthenticated', `${err.message} (the proxy's user and password are in its URL)`);
  if (status === 403) return make('PermissionDenied', err.message);
  return make(status >= 500 ? 'Unavailable' : 'Unknown', err.message);
}

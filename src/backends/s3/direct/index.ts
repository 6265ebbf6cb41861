import { DEFAULT_RETRY, type RetryPolicy } from '../../../vfs/retry.js';
import type { OpenVfsOptions } from '../../options.js';
import type { S3Credentials } from '../types.js';
import type { S3Location } from '../url.js';
import { translate, type TranslateOptions, type WholeBody } from './commands.js';
import { DirectTransport } from './transport.js';
import { redactInspection } from '../../../vfs/redact.js';

/**
 * `STATESTORE_S3_REQUESTS=sdk` sends every request through the SDK, `http` the direct ones through
 * Node's http client instead of wire.ts (to compare the paths).
 */
export const REQUESTS_ENV = 'STATESTORE_S3_REQUESTS';

/** The commands the direct path may send, by the SDK class's name. */
const DIRECT_COMMANDS: ReadonlySet<string> = new Set([
  'GetObjectCommand',
  'HeadObjectCommand',
  'PutObjectCommand',
  'CopyObjectCommand',
  'ListObjectsV2Command',
  'DeleteObjectCommand',
  'CreateMultipartUploadCommand',
  'UploadPartCommand',
  'CompleteMultipartUploadCommand',
  'AbortMultipartUploadCommand',
]);

/** What the direct path needs of the store's setup: the SDK client's, or the store's own when it knows both. */
export interface DirectSetup {
  region: string;
  /** The credentials provider (statestore's checks included); called when the cached pair expires. */
  credentials: () => Promise<S3Credentials & { expiration?: Date }>;
}

/**
 * The hot requests of a move and of reads (GetObject, HeadObject, PutObject of a buffered body,
 * CopyObject, ListObjectsV2, DeleteObject) sent without the SDK's middleware stack: SigV4 signed
 * here, sent with Node's http(s) on one keep-alive agent per store (transport.ts). The SDK's stack
 * cost 750-1,200 us of client CPU per CopyObject on Ceph RGW, the same request sent this way
 * 160-240 us (bench/README.md, issue #29). Everything else, and any command with a field this
 * path does not translate (commands.ts), goes through the SDK client as before.
 *
 * It honours what the SDK client would: the endpoint, region, path style and credentials (the
 * client's own provider, cached until near expiry), the store's retry policy and timeouts, and
 * the same checksums (CRC32 on PutObject, validated on GetObject). Failures are shaped as the
 * SDK's, so they map to the same StateStoreErrors. It is used only for a client the store built
 * itself (a caller's `options.s3.client` may carry its own handler, proxy or middleware), on an
 * endpoint it can address without the SDK's endpoint rules, and not when `STATESTORE_S3_REQUESTS`
 * is `sdk`.
 */
export class DirectS3 {
  private constructor(
    private readonly transport: DirectTransport,
    private readonly options: TranslateOptions,
  ) {}

  /** The direct path for a store's own client, or undefined where the SDK must send everything. */
  static create(location: S3Location, options: OpenVfsOptions, setup: DirectSetup): DirectS3 | undefined {
    if (!DirectS3.allowed(location)) return undefined;
    const { region } = setup;
    const endpoint = endpointOf(location, region);
    if (endpoint === undefined) return undefined;
    const s3 = options.s3 ?? {};
    const retry: Required<RetryPolicy> = {
      maxAttempts: options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
      baseDelayMs: options.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    };
    const provider = setup.credentials;
    const transport = new DirectTransport({
      endpoint,
      region,
      forcePathStyle: location.forcePathStyle || !dnsCompatible(location.bucket, endpoint),
      credentials: () => provider(),
      retry,
      connectTimeoutMs: s3.connectTimeoutMs ?? 5000,
      socketTimeoutMs: s3.requestTimeoutMs ?? 120_000,
      ...(location.ca === undefined ? {} : { ca: location.ca }),
      nodeHttp: process.env[REQUESTS_ENV] === 'http',
      proxies: location.proxies,
    });
    const direct = new DirectS3(transport, { checksums: (s3.checksum ?? 'when_supported') === 'when_supported' });
    return redactInspection(direct, 'DirectS3', () => ({ region }));
  }

  /** Whether the store may use the direct path at all: its own client, and requests not sent all through the SDK. */
  static allowed(location: S3Location): boolean {
    return location.client === undefined && process.env[REQUESTS_ENV] !== 'sdk';
  }

  /**
   * Sends the command `name` (an SDK class's name) directly, or returns undefined when the SDK must
   * send it. `wholeBody`: the caller reads a GetObject's body whole (commands.ts TranslateOptions).
   */
  trySend(
    name: string,
    input: Record<string, unknown>,
    signal?: AbortSignal,
    wholeBody?: WholeBody,
  ): Promise<unknown> | undefined {
    if (!DIRECT_COMMANDS.has(name)) return undefined;
    const translation = translate(name, input, wholeBody === undefined ? this.options : { ...this.options, wholeBody });
    if (translation === undefined) return undefined;
    return this.transport.send(translation.request, signal).then(translation.output);
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * The endpoint to address: the store's own, or AWS's regional one for the standard partition.
 * Undefined for what needs the SDK's endpoint rules: other partitions (China, GovCloud, ISO),
 * FIPS or dual-stack endpoints.
 */
function endpointOf(location: S3Location, region: string): URL | undefined {
  if (location.endpoint !== undefined) {
    try {
      const url = new URL(location.endpoint);
      return url.hostname.startsWith('[') || url.search !== '' ? undefined : url;
    } catch {
      return undefined;
    }
  }
  const env = process.env;
  if (env['AWS_USE_FIPS_ENDPOINT'] === 'true' || env['AWS_USE_DUALSTACK_ENDPOINT'] === 'true') return undefined;
  if (!/^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d$/.test(region) || region.startsWith('us-gov')) return undefined;
  return new URL(`https://s3.${region}.amazonaws.com`);
}

/** A bucket addressable as a host name over TLS (no dots: the certificate's wildcard covers one label). */
function dnsCompatible(bucket: string, endpoint: URL): boolean {
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) return false;
  return endpoint.protocol === 'http:' ? true : !bucket.includes('.');
}

import { StateStoreError } from '../../errors.js';
import type { StoreFacts } from '../../vfs/types.js';
import { redactUrl, type StoreUrl } from '../../vfs/url.js';
import type { OpenVfsOptions } from '../options.js';
import type { S3BackendOptions, S3ClientLike, S3Credentials } from './types.js';
import { S3_CANNED_ACLS } from './write-settings.js';
import { redactInspection } from '../../vfs/redact.js';
import { checkS3Dialect, parseS3Dialect, S3_DIALECTS, type S3Dialect } from './dialect.js';
import { CA_BUNDLE_ENV, caBundle } from './ca-bundle.js';
import { proxySettings, type ProxySettings } from '../common/proxy-env.js';

/**
 * Where an S3 store lives, resolved from its URL, its options and kops's environment variables
 * (options win; the environment only fills gaps).
 */
export interface S3Location {
  scheme: string;
  bucket: string;
  /** Key prefix of the store's root without a trailing `/`, or `''`. */
  prefix: string;
  /** Known region; undefined means "ask the bucket" (s3:// only). */
  region: string | undefined;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  credentials: S3Credentials | (() => Promise<S3Credentials>) | undefined;
  /** The caller's own client (`options.s3.client`): used as given, never destroyed by the store. */
  client?: S3ClientLike;
  /** `scheme://bucket/prefix`, safe to print. */
  url: string;
  /** What the server honours, or `probe`: ask it at open (see dialect.ts, dialect-probe.ts). */
  dialect: S3Dialect | 'probe';
  /** The setting that chose {@link S3Location.dialect} (`statestore doctor` names it). */
  dialectSetBy: DialectSetting;
  /** The CA certificates of `AWS_CA_BUNDLE` (PEM), trusted instead of Node's CA store (ca-bundle.ts). */
  ca?: string;
  /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY, when a proxy is set (../common/proxy-env.ts). */
  proxies?: ProxySettings;
}

/** Where a store's dialect setting came from: the option, the environment, or neither (`auto`). */
type DialectSetting = NonNullable<StoreFacts['s3Dialect']>['setBy'];

/** The dialect `options.s3.dialect ?? STATESTORE_S3_DIALECT` sets (see resolveDialect), and which of them set it. */
function chooseDialect(
  option: S3BackendOptions['dialect'],
  fromEnv: string | undefined,
  awsItself: boolean,
  invalid: (why: string) => StateStoreError,
): Pick<S3Location, 'dialect' | 'dialectSetBy'> {
  const dialectSetBy: DialectSetting =
    option !== undefined ? 'options.s3.dialect' : fromEnv === undefined ? 'default' : 'STATESTORE_S3_DIALECT';
  return { dialect: resolveDialect(option ?? fromEnv, awsItself, invalid), dialectSetBy };
}

/** S3-compatible providers kops knows, and how their endpoint follows from the region. */
const PROVIDERS: Record<string, { name: string; endpoint: (region: string) => string; region: RegExp }> = {
  do: {
    name: 'DigitalOcean Spaces',
    endpoint: (r) => `https://${r}.digitaloceanspaces.com`,
    region: /^([a-z0-9-]+)\.digitaloceanspaces\.com$/,
  },
  scw: {
    name: 'Scaleway Object Storage',
    endpoint: (r) => `https://s3.${r}.scw.cloud`,
    region: /^s3\.([a-z0-9-]+)\.scw\.cloud$/,
  },
  hos: {
    name: 'Hetzner Object Storage',
    endpoint: (r) => `https://${r}.your-objectstorage.com`,
    region: /^([a-z0-9-]+)\.your-objectstorage\.com$/,
  },
  linode: {
    name: 'Linode Object Storage',
    endpoint: (r) => `https://${r}.linodeobjects.com`,
    region: /^([a-z0-9-]+)\.linodeobjects\.com$/,
  },
};

/** The URL schemes of the S3 backend. */
export const S3_SCHEMES = ['s3', ...Object.keys(PROVIDERS)] as const;

/** Bucket names S3 accepts (3-63 characters; lowercase, digits, dots, hyphens; legacy us-east-1 names may be longer or hold `_`). */
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,253}[a-z0-9]$/;

/**
 * Resolves a parsed URL into an {@link S3Location}. Throws InvalidArgument before any request
 * (the only I/O: reading the `AWS_CA_BUNDLE` file).
 */
export function resolveS3Location(url: StoreUrl, options: OpenVfsOptions): S3Location {
  const s3: S3BackendOptions = options.s3 ?? {};
  const env = options.env ?? process.env;
  const scheme = url.scheme;
  const invalid = (why: string) =>
    new StateStoreError('InvalidArgument', `${scheme}:// store ${JSON.stringify(url.redacted)}: ${why}`, {
      backend: 's3',
    });
  if (url.credentials !== undefined)
    throw invalid('credentials in the URL are not supported; pass options.s3.credentials');
  if (!BUCKET.test(url.host)) throw invalid(`"${url.host}" is not a valid bucket name`);
  if (s3.client !== undefined) return clientLocation(url, options, s3, s3.client, invalid);
  const envValue = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  // kops reads S3_REGION and S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY only with S3_ENDPOINT
  // (util/pkg/vfs/s3context.go: getDetailsForBucket, getCustomS3Config); on AWS itself it asks the
  // bucket for its region and uses the SDK's default credential chain. The provider schemes need
  // an endpoint in kops; here they may derive it from the region, so they always read both.
  const envEndpoint = envValue('S3_ENDPOINT');
  const customEnv = scheme !== 's3' || envEndpoint !== undefined;
  let endpoint = s3.endpoint ?? envEndpoint;
  let region = s3.region ?? (customEnv ? envValue('S3_REGION') : undefined);
  // kops: with S3_ENDPOINT, the region is S3_REGION or us-east-1, never asked (s3context.go).
  if (scheme === 's3' && s3.endpoint === undefined && envEndpoint !== undefined) region ??= 'us-east-1';
  const provider = PROVIDERS[scheme];
  if (provider !== undefined) {
    if (endpoint === undefined) {
      if (region === undefined)
        throw invalid(
          `${provider.name} needs an endpoint or a region: set options.s3.endpoint (or S3_ENDPOINT) or options.s3.region (or S3_REGION)`,
        );
      endpoint = provider.endpoint(region);
    }
    region ??= provider.region.exec(hostOf(endpoint))?.[1] ?? 'us-east-1';
  } else if (scheme !== 's3') {
    throw invalid('not an S3 scheme');
  }
  if (endpoint !== undefined) endpoint = normaliseEndpoint(endpoint, invalid);

  const credentials = s3.credentials ?? (customEnv ? envCredentials(envValue) : undefined);
  checkS3Options(s3, invalid);
  const awsItself = scheme === 's3' && (endpoint === undefined || AWS_HOST.test(hostOf(endpoint)));
  const dialect = chooseDialect(s3.dialect, envValue('STATESTORE_S3_DIALECT'), awsItself, invalid);

  return {
    scheme,
    bucket: url.host,
    prefix: url.path,
    region,
    endpoint,
    forcePathStyle: s3.forcePathStyle ?? endpoint !== undefined,
    credentials,
    url: `${scheme}://${url.host}${url.path === '' ? '' : `/${url.path}`}`,
    ...dialect,
    ...connectionSettings(env, endpoint, invalid),
  };
}

/** What the environment says of the connection: AWS_CA_BUNDLE's certificates, and the proxies. */
function connectionSettings(
  env: Readonly<Record<string, string | undefined>>,
  endpoint: string | undefined,
  invalid: (why: string) => StateStoreError,
): Pick<S3Location, 'ca' | 'proxies'> {
  return { ...caBundle(env[CA_BUNDLE_ENV]?.trim() || undefined, invalid), ...proxiesOf(env, endpoint, invalid) };
}

/**
 * `{ proxies }` of the environment (`{}` when no proxy is set). As Go's ProxyFromEnvironment, a
 * process run as a CGI handler (REQUEST_METHOD set) refuses HTTP_PROXY for an http:// endpoint: a
 * request's `Proxy:` header would set it (golang.org/s/cgihttpproxy).
 */
function proxiesOf(
  env: Readonly<Record<string, string | undefined>>,
  endpoint: string | undefined,
  invalid: (why: string) => StateStoreError,
): { proxies?: ProxySettings } {
  const proxies = proxySettings(env, invalid);
  if (proxies === undefined) return {};
  const plain = endpoint !== undefined && /^http:/i.test(endpoint);
  if (plain && proxies.http !== undefined && (env['REQUEST_METHOD'] ?? '') !== '')
    throw invalid(`refusing to use ${proxies.http.variable} in a CGI environment (REQUEST_METHOD is set)`);
  return { proxies };
}

/** Options that configure only the SDK client: a caller's own client already has them. */
const CLIENT_SETTINGS = [
  'credentials',
  'endpoint',
  'region',
  'forcePathStyle',
  'connectTimeoutMs',
  'requestTimeoutMs',
] as const;

/** The location of a store on the caller's own client: everything about the connection is the client's. */
function clientLocation(
  url: StoreUrl,
  options: OpenVfsOptions,
  s3: S3BackendOptions,
  client: S3ClientLike,
  invalid: (why: string) => StateStoreError,
): S3Location {
  if (typeof (client as { send?: unknown }).send !== 'function')
    throw invalid('s3.client must be an S3Client of @aws-sdk/client-s3');
  const clash = CLIENT_SETTINGS.find((name) => s3[name] !== undefined);
  if (clash !== undefined)
    throw invalid(`s3.client and s3.${clash} are exclusive: the client brings its own ${clash}; configure it there`);
  if (PROVIDERS[url.scheme] === undefined && url.scheme !== 's3') throw invalid('not an S3 scheme');
  checkS3Options(s3, invalid);
  // A caller's client on a custom endpoint (the SDK's own flag) is an S3-compatible: probed.
  const custom = (client as { config?: { isCustomEndpoint?: unknown } }).config?.isCustomEndpoint === true;
  const env = options.env ?? process.env;
  const fromEnv = env['STATESTORE_S3_DIALECT']?.trim() || undefined;
  const dialect = chooseDialect(s3.dialect, fromEnv, url.scheme === 's3' && !custom, invalid);
  const prefix = url.path;
  return {
    scheme: url.scheme,
    bucket: url.host,
    prefix,
    region: undefined,
    endpoint: undefined,
    forcePathStyle: false,
    credentials: undefined,
    client,
    url: `${url.scheme}://${url.host}${prefix === '' ? '' : `/${prefix}`}`,
    ...dialect,
  };
}

/** The store options that need no I/O to check; InvalidArgument (by `invalid`) for the first wrong one. */
function checkS3Options(s3: S3BackendOptions, invalid: (why: string) => StateStoreError): void {
  if (s3.kmsKeyId !== undefined && s3.serverSideEncryption !== 'aws:kms')
    throw invalid('kmsKeyId needs serverSideEncryption: "aws:kms"');
  if (s3.serverSideEncryption !== undefined && !['AES256', 'aws:kms', 'none'].includes(s3.serverSideEncryption)) {
    throw invalid('serverSideEncryption must be "AES256", "aws:kms" or "none"');
  }
  if (s3.acl !== undefined && !(S3_CANNED_ACLS as readonly string[]).includes(s3.acl))
    throw invalid(`acl must be an S3 canned ACL (one of ${S3_CANNED_ACLS.join(', ')})`);
  if (s3.partSize !== undefined && (!Number.isSafeInteger(s3.partSize) || s3.partSize < 5 * 1024 * 1024))
    throw invalid('partSize must be an integer of at least 5 MiB');
  if (s3.checksum !== undefined && s3.checksum !== 'when_supported' && s3.checksum !== 'when_required')
    throw invalid('checksum must be "when_supported" or "when_required"');
}

/** AWS's own S3 endpoints (`s3.amazonaws.com`, `s3.eu-west-1.amazonaws.com`, `...amazonaws.com.cn`). */
const AWS_HOST = /(^|\.)amazonaws\.com(\.cn)?$/;

/**
 * `options.s3.dialect` (or STATESTORE_S3_DIALECT) as the driver uses it: a dialect, or `probe`.
 * `auto` (the default) trusts AWS to be AWS and probes everything else. InvalidArgument when bad.
 */
function resolveDialect(
  setting: S3BackendOptions['dialect'],
  awsItself: boolean,
  invalid: (why: string) => StateStoreError,
): S3Dialect | 'probe' {
  try {
    if (setting === undefined || (typeof setting === 'string' && setting.trim().toLowerCase() === 'auto'))
      return awsItself ? { ...S3_DIALECTS.aws } : 'probe';
    if (typeof setting === 'string')
      return setting.trim().toLowerCase() === 'probe' ? 'probe' : parseS3Dialect(setting);
    return checkS3Dialect(setting);
  } catch (err) {
    throw invalid(`dialect: ${(err as Error).message}`);
  }
}

function envCredentials(envValue: (name: string) => string | undefined): S3Credentials | undefined {
  const accessKeyId = envValue('S3_ACCESS_KEY_ID');
  const secretAccessKey = envValue('S3_SECRET_ACCESS_KEY');
  // Kept in the driver's location: printed or serialised, it shows nothing (#25.5).
  return accessKeyId !== undefined && secretAccessKey !== undefined
    ? redactInspection({ accessKeyId, secretAccessKey }, 'credentials')
    : undefined;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`).hostname;
  } catch {
    return '';
  }
}

/** kops accepts `S3_ENDPOINT=host[:port]`; the SDK wants a URL. */
function normaliseEndpoint(raw: string, invalid: (why: string) => StateStoreError): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw invalid(`endpoint ${JSON.stringify(redactUrl(raw))} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw invalid(`endpoint ${JSON.stringify(redactUrl(raw))} must be http or https`);
  if (parsed.username !== '' || parsed.password !== '')
    throw invalid('credentials in the endpoint are not supported; pass options.s3.credentials');
  return withScheme.replace(/\/+$/, '');
}

import type { StoreUrl } from './url.js';

/**
 * For an `https://` (or `http://`) URL of a bucket, the state-store URL kops takes instead, e.g.
 * `https://bucket.s3.amazonaws.com/prefix` -> `s3://bucket/prefix`. kops's vfs only takes its
 * own schemes (kops: util/pkg/vfs/context.go, `BuildVfsPath`), so a console or SDK URL pasted as a
 * state store fails; the message should say what to write. Undefined when nothing matches.
 */
export function cloudUrlHint(url: StoreUrl): string | undefined {
  if (url.scheme !== 'https' && url.scheme !== 'http') return undefined;
  const host = url.host.toLowerCase();
  const segments = url.path === '' ? [] : url.path.split('/');
  const join = (scheme: string, bucket: string | undefined, rest: string[]): string | undefined =>
    bucket === undefined || bucket === '' ? undefined : `${scheme}://${[bucket, ...rest].join('/')}`;

  // S3: virtual-hosted (bucket.s3.amazonaws.com, bucket.s3.<region>.amazonaws.com,
  // bucket.s3-<region>.amazonaws.com, bucket.s3.dualstack.<region>.amazonaws.com) or path style
  // (s3.amazonaws.com/bucket, s3.<region>.amazonaws.com/bucket, s3-<region>.amazonaws.com/bucket).
  const s3 = /^(?:(.+)\.)?s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (s3 !== null)
    return s3[1] === undefined ? join('s3', segments[0], segments.slice(1)) : join('s3', s3[1], segments);

  // GCS: storage.googleapis.com/bucket, storage.cloud.google.com/bucket, bucket.storage.googleapis.com.
  if (host === 'storage.googleapis.com' || host === 'storage.cloud.google.com') {
    // The JSON API form: /storage/v1/b/<bucket>/o/<object>.
    if (segments[0] === 'storage' && segments[2] === 'b') return join('gs', segments[3], segments.slice(5));
    return join('gs', segments[0], segments.slice(1));
  }
  const gcsHosted = /^(.+)\.storage\.googleapis\.com$/.exec(host);
  if (gcsHosted !== null) return join('gs', gcsHosted[1], segments);

  // Azure Blob: account.blob.core.windows.net/container/prefix.
  const azure = /^([a-z0-9]+)\.blob\.core\.windows\.net$/.exec(host);
  if (azure !== null) return segments[0] === undefined ? undefined : join('azureblob', azure[1], segments);

  // S3-compatible providers kops has schemes for (endpoint or region set separately).
  const providers: Array<[RegExp, string]> = [
    [/^(?:(.+)\.)?[a-z0-9-]+\.digitaloceanspaces\.com$/, 'do'],
    [/^(?:(.+)\.)?s3\.[a-z0-9-]+\.scw\.cloud$/, 'scw'],
    [/^(?:(.+)\.)?[a-z0-9-]+\.your-objectstorage\.com$/, 'hos'],
    [/^(?:(.+)\.)?[a-z0-9-]+\.linodeobjects\.com$/, 'linode'],
  ];
  for (const [pattern, scheme] of providers) {
    const match = pattern.exec(host);
    if (match !== null)
      return match[1] === undefined ? join(scheme, segments[0], segments.slice(1)) : join(scheme, match[1], segments);
  }
  return undefined;
}

import type { OpenVfsOptions } from '../options.js';
import type { S3DialectProbeResult } from './dialect-probe.js';

/**
 * Probes the server behind an S3 store URL (the requests are listed in `dialect-probe.ts`): run it
 * once, keep `spelling`, and set it as `options.s3.dialect` so that stores open without probing.
 * Needs write and delete access to the store's prefix; `options` as for `openVfs`.
 *
 * @example
 * ```ts
 * import { probeS3Dialect } from 'kops-statestore';
 *
 * const { spelling } = await probeS3Dialect('s3://state/prod', { s3: { endpoint: 'https://rgw.example.com' } });
 * console.log(spelling); // "rgw" on Ceph RGW 16.2
 * ```
 */
export async function probeS3Dialect(url: string, options: OpenVfsOptions = {}): Promise<S3DialectProbeResult> {
  // Loaded on the first call, as the backends are (registry.ts): the S3 request code and Node's
  // http, https, tls and zlib that it imports are ~5 ms of every import of the package otherwise,
  // a file:// move's included (bench/README.md, "Move start-up").
  const { probeS3Dialect: probe } = await import('./dialect-probe.js');
  return probe(url, options);
}

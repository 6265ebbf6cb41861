import type { BackendFactory } from '../factory.js';
import { loadS3Sdk } from './client.js';
import { probedDialect } from './dialect-probe.js';
import { S3Driver } from './driver.js';
import { StoreDialect } from './store-dialect.js';
import { S3Requests } from './requests.js';
import { objectVersions } from './versions.js';
import { S3_SCHEMES, resolveS3Location } from './url.js';

export type { S3BackendOptions, S3CannedAcl, S3ClientLike, S3Credentials, S3Dialect } from './types.js';
export { formatS3Dialect, parseS3Dialect, S3_DIALECTS } from './dialect.js';
export { probeS3Dialect, type S3DialectProbeResult } from './dialect-probe.js';

/**
 * The S3 backend: `s3://bucket/prefix`, and `do://`, `scw://`, `hos://`, `linode://` (S3 with a
 * provider endpoint). `@aws-sdk/client-s3` is an optional peer dependency, loaded on first use.
 *
 * @example
 * ```ts
 * import { openVfs } from 'kops-statestore';
 *
 * const vfs = await openVfs('s3://my-state-store/prod', {
 *   s3: { region: 'eu-west-1', serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/kops' },
 * });
 * const { body, info } = await vfs.read('cluster.example.com/config');
 * await vfs.write('cluster.example.com/config', body, { ifMatch: info.version });
 * ```
 */
export const s3Backend: BackendFactory = {
  schemes: S3_SCHEMES,
  async open(url, options) {
    const location = resolveS3Location(url, options);
    // The SDK is loaded by the first request that needs it (requests.ts): none, where the direct
    // path serves them all and the store knows its region and credentials.
    const requests = new S3Requests(() => loadS3Sdk(url.scheme), location, options);
    // A dialect to probe is asked on the first conditional request that needs it (store-dialect.ts),
    // once per endpoint and bucket in this process (see dialect-probe.ts for its cost): reads never ask.
    try {
      const given = location.dialect;
      const dialect = new StoreDialect(given === 'probe' ? () => probedDialect(location, requests) : given);
      // The bucket's object versions (versions.ts), beside the driver's own calls.
      return Object.assign(new S3Driver(requests, location, options, dialect), objectVersions(requests, location));
    } catch (err) {
      await requests.close();
      throw err;
    }
  },
};

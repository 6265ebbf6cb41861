import type { BackendFactory } from '../factory.js';
import { loadS3Sdk } from './client.js';
import { S3Driver } from './driver.js';
import { S3_SCHEMES, resolveS3Location } from './url.js';

export type { S3BackendOptions, S3CannedAcl, S3ClientLike, S3Credentials } from './types.js';

/**
 * The S3 backend: `s3://bucket/prefix`, and `do://`, `scw://`, `hos://`, `linode://` (S3 with a
 * provider endpoint). `@aws-sdk/client-s3` is an optional peer dependency, loaded on first use.
 *
 * @example
 * ```ts
 * import { openVfs } from 'statestore';
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
    const sdk = await loadS3Sdk(url.scheme);
    return new S3Driver(sdk, location, options);
  },
};

/** How an S3 store's URL, options and kops's environment variables resolve (no I/O). */
import { parseStoreUrl } from '../../src/vfs/url.js';
import { openVfs } from '../../src/backends/registry.js';
import { resolveS3Location } from '../../src/backends/s3/url.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { isStateStoreError } from '../../src/errors.js';

const resolve = (url: string, options: OpenVfsOptions = {}) =>
  resolveS3Location(parseStoreUrl(url), { env: {}, ...options });

function invalid(url: string, options: OpenVfsOptions = {}): string {
  try {
    resolve(url, options);
  } catch (err) {
    if (isStateStoreError(err, 'InvalidArgument')) return err.message;
    throw err;
  }
  throw new Error(`expected InvalidArgument for ${url}`);
}

describe('s3:// locations', () => {
  it('takes the bucket and prefix from the URL and leaves the region to discovery', () => {
    const location = resolve('s3://kops-state/prod/eu/');
    expect(location).toMatchObject({
      bucket: 'kops-state',
      prefix: 'prod/eu',
      region: undefined,
      endpoint: undefined,
      forcePathStyle: false,
      url: 's3://kops-state/prod/eu',
    });
    expect(resolve('s3://kops-state').url).toBe('s3://kops-state');
  });

  it('uses kops environment variables as defaults: endpoint (path style), region and static credentials', () => {
    const location = resolve('s3://bkt/p', {
      env: {
        S3_ENDPOINT: 'minio.internal:9000',
        S3_REGION: 'eu-west-1',
        S3_ACCESS_KEY_ID: 'AK',
        S3_SECRET_ACCESS_KEY: 'SK',
      },
    });
    expect(location).toMatchObject({
      endpoint: 'https://minio.internal:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
  });

  it('ignores half-set static credentials and leaves them to the default chain', () => {
    expect(resolve('s3://bkt', { env: { S3_ACCESS_KEY_ID: 'AK' } }).credentials).toBeUndefined();
  });

  it('lets per-store options win over the environment', () => {
    const location = resolve('s3://bkt', {
      env: {
        S3_ENDPOINT: 'https://env.example',
        S3_REGION: 'env-1',
        S3_ACCESS_KEY_ID: 'AK',
        S3_SECRET_ACCESS_KEY: 'SK',
      },
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'opt-1',
        forcePathStyle: false,
        credentials: { accessKeyId: 'OPT', secretAccessKey: 'OPTS' },
      },
    });
    expect(location).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      region: 'opt-1',
      forcePathStyle: false,
      credentials: { accessKeyId: 'OPT' },
    });
  });

  it('reads process.env when no env is given', () => {
    const saved = process.env['S3_REGION'];
    process.env['S3_REGION'] = 'from-process-env';
    try {
      expect(resolveS3Location(parseStoreUrl('do://bkt'), {}).region).toBe('from-process-env');
    } finally {
      if (saved === undefined) delete process.env['S3_REGION'];
      else process.env['S3_REGION'] = saved;
    }
  });
});

describe('S3-compatible providers', () => {
  it.each([
    ['do://space/p', 'nyc3', 'https://nyc3.digitaloceanspaces.com'],
    ['scw://bucket/p', 'fr-par', 'https://s3.fr-par.scw.cloud'],
    ['hos://bucket/p', 'fsn1', 'https://fsn1.your-objectstorage.com'],
    ['linode://bucket/p', 'us-east-1', 'https://us-east-1.linodeobjects.com'],
  ])('%s derives its endpoint from the region %s', (url, region, endpoint) => {
    expect(resolve(url, { s3: { region } })).toMatchObject({ endpoint, region, forcePathStyle: true });
    expect(resolve(url, { env: { S3_REGION: region } })).toMatchObject({ endpoint, region });
  });

  it.each([
    ['do://space', 'https://ams3.digitaloceanspaces.com', 'ams3'],
    ['scw://bucket', 'https://s3.nl-ams.scw.cloud', 'nl-ams'],
    ['hos://bucket', 'https://nbg1.your-objectstorage.com', 'nbg1'],
    ['linode://bucket', 'https://eu-central-1.linodeobjects.com', 'eu-central-1'],
    ['do://space', 'http://127.0.0.1:9000', 'us-east-1'],
  ])('%s with S3_ENDPOINT %s signs for region %s', (url, endpoint, region) => {
    expect(resolve(url, { env: { S3_ENDPOINT: endpoint } })).toMatchObject({ endpoint, region });
  });

  it('needs an endpoint or a region, and says which variables to set', () => {
    const message = invalid('scw://bucket/p');
    expect(message).toContain('S3_ENDPOINT');
    expect(message).toContain('S3_REGION');
  });
});

describe('refusals before any I/O', () => {
  it.each([
    ['s3://Bad_Bucket!/p', 'bucket name'],
    ['s3://ab/p', 'bucket name'],
  ])('refuses %s', (url, why) => {
    expect(invalid(url)).toContain(why);
  });

  it('refuses credentials in the URL without printing them', () => {
    const message = invalid('s3://AKIA:topsecret@bucket/p');
    expect(message).not.toContain('topsecret');
    expect(message).toContain('options.s3.credentials');
  });

  it('refuses inconsistent options', () => {
    expect(invalid('s3://bucket', { s3: { kmsKeyId: 'k' } })).toContain('aws:kms');
    expect(invalid('s3://bucket', { s3: { serverSideEncryption: 'DES' as 'AES256' } })).toContain(
      'serverSideEncryption',
    );
    expect(invalid('s3://bucket', { s3: { partSize: 1024 } })).toContain('partSize');
    expect(invalid('s3://bucket', { s3: { endpoint: 'ftp://host' } })).toContain('http');
    expect(invalid('s3://bucket', { s3: { endpoint: 'https://user:pw@host' } })).not.toContain('pw');
  });

  it('opens every scheme through openVfs with a canonical URL', async () => {
    for (const scheme of ['s3', 'do', 'scw', 'hos', 'linode']) {
      // A dialect given: no probe (the provider schemes would ask the server at open).
      const vfs = await openVfs(`${scheme}://bucket/some/prefix`, {
        env: {},
        s3: { region: 'us-east-1', dialect: 'aws' },
      });
      expect(vfs.url).toBe(`${scheme}://bucket/some/prefix`);
      expect(vfs.backend).toBe('s3');
      expect(vfs.capabilities).toEqual({
        ifMatch: true,
        ifNoneMatch: true,
        deleteIfMatch: true,
        serverSideCopy: true,
        md5: true,
      });
      await vfs.close();
    }
  });
});

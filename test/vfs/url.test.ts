import { openVfs } from '../../src/backends/registry.js';
import { isStateStoreError } from '../../src/errors.js';
import { parseStoreUrl, redactUrl } from '../../src/vfs/url.js';
import { rejection } from '../helpers/index.js';

describe('parseStoreUrl', () => {
  it('takes URLs apart', () => {
    expect(parseStoreUrl('s3://bucket/some/prefix/')).toMatchObject({
      scheme: 's3',
      host: 'bucket',
      path: 'some/prefix',
    });
    expect(parseStoreUrl('S3://bucket')).toMatchObject({ scheme: 's3', host: 'bucket', path: '' });
    expect(parseStoreUrl('file:///var/lib/kops')).toMatchObject({ scheme: 'file', path: '/var/lib/kops' });
    expect(parseStoreUrl('./relative/store')).toMatchObject({ scheme: 'file', path: './relative/store' });
    expect(parseStoreUrl('azureblob://account/container/p')).toMatchObject({
      scheme: 'azureblob',
      host: 'account',
      path: 'container/p',
    });
    expect(parseStoreUrl('gs://b/with%20space')).toMatchObject({ host: 'b', path: 'with space' });
  });

  it.each([
    ['s3://', 'missing bucket'],
    ['s3:///prefix', 'missing bucket'],
    ['s3://bucket/a/../b', 'path segment'],
    ['s3://bucket/a//b', 'path segment'],
    ['file://host/path', 'absolute path'],
    ['mailto:someone', 'scheme'],
    ['s3://bucket/%2e%2e/x', 'path segment'],
    ['file:///tmp/../etc', 'path segment'],
    ['', 'non-empty'],
    ['s3://bucket/%zz', 'percent-encoding'],
  ])('refuses %s with InvalidArgument', (raw, why) => {
    let err: unknown;
    try {
      parseStoreUrl(raw);
    } catch (e) {
      err = e;
    }
    expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
    expect((err as Error).message).toContain(why);
  });

  it('keeps credentials out of the redacted form and out of error messages', () => {
    const parsed = parseStoreUrl('s3://AKIDEXAMPLE:wJalrSECRET@bucket/prefix');
    expect(parsed.credentials).toEqual({ username: 'AKIDEXAMPLE', password: 'wJalrSECRET' });
    expect(parsed.redacted).not.toContain('wJalrSECRET');
    expect(parsed.redacted).not.toContain('AKIDEXAMPLE');
    expect(redactUrl('azureblob://acct/c?sv=2020&sig=SECRETSIG')).not.toContain('SECRETSIG');
    try {
      parseStoreUrl('s3://AKID:SECRET@/x/../y');
    } catch (err) {
      expect((err as Error).message).not.toContain('SECRET');
    }
  });
});

describe('openVfs', () => {
  it('refuses an unknown scheme with InvalidArgument naming the URL without credentials', async () => {
    const err = await rejection(openVfs('ftp://user:hunter2@host/path'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('ftp');
    expect(err.message).not.toContain('hunter2');
  });

  it('refuses a malformed URL with InvalidArgument', async () => {
    expect((await rejection(openVfs('memfs://'))).code).toBe('InvalidArgument');
    expect((await rejection(openVfs('s3://bucket/../escape'))).code).toBe('InvalidArgument');
  });
});

describe('URL messages (issue #14.9)', () => {
  it('lists the supported schemes for an unknown one', async () => {
    const err = await rejection(openVfs('ftp://x'));
    expect(err.code).toBe('InvalidArgument');
    for (const scheme of [
      's3://',
      'gs://',
      'azureblob://',
      'memfs://',
      'file://',
      'do://',
      'scw://',
      'hos://',
      'linode://',
    ])
      expect(err.message).toContain(scheme);
  });

  it.each([
    ['https://bucket.s3.amazonaws.com/clusters', 's3://bucket/clusters'],
    ['https://bucket.s3.eu-west-1.amazonaws.com/', 's3://bucket'],
    ['https://bucket.s3-eu-west-1.amazonaws.com/a/b', 's3://bucket/a/b'],
    ['https://bucket.s3.dualstack.us-east-2.amazonaws.com/p', 's3://bucket/p'],
    ['https://s3.amazonaws.com/bucket/p', 's3://bucket/p'],
    ['https://s3.us-west-2.amazonaws.com/bucket', 's3://bucket'],
    ['http://s3-us-west-2.amazonaws.com/bucket/x', 's3://bucket/x'],
    ['https://storage.googleapis.com/bucket/p', 'gs://bucket/p'],
    ['https://bucket.storage.googleapis.com/p', 'gs://bucket/p'],
    ['https://storage.cloud.google.com/bucket', 'gs://bucket'],
    ['https://storage.googleapis.com/storage/v1/b/bucket/o/x', 'gs://bucket/x'],
    ['https://acct.blob.core.windows.net/container/p', 'azureblob://acct/container/p'],
    ['https://bucket.nyc3.digitaloceanspaces.com/p', 'do://bucket/p'],
    ['https://s3.fr-par.scw.cloud/bucket', 'scw://bucket'],
  ])('hints the kops URL for %s', async (raw, hint) => {
    const err = await rejection(openVfs(raw));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain(`write it as "${hint}"`);
  });

  it('shows the dot segments it refuses, and still hides credentials and signatures', async () => {
    expect((await rejection(openVfs('memfs://a/../b'))).message).toContain('"memfs://a/../b"');
    expect((await rejection(openVfs('s3://bucket/x/./y'))).message).toContain('x/./y');
    const err = await rejection(openVfs('https://AKID:SECRET@bucket.s3.amazonaws.com/p?X-Amz-Signature=SIG&x=1'));
    expect(err.message).not.toMatch(/SECRET|AKID|SIG\b/);
    expect(err.message).toContain('X-Amz-Signature=REDACTED');
    expect(redactUrl('azureblob://acct/c/../d?sig=S1&sv=2')).toBe('azureblob://acct/c/../d?sig=REDACTED&sv=2');
  });

  it('refuses a path that decodes to NUL (%00) at open, on memfs and file', async () => {
    for (const raw of ['file:///tmp/a%00b', 'memfs://store/a%00b', 's3://bucket/p%00']) {
      const err = await rejection(openVfs(raw));
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toContain('NUL');
    }
  });
});

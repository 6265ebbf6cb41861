/**
 * The S3 driver's error mapping on the SDK's error shapes (name, Code, $metadata, cause), without a
 * server: the cases a server cannot easily produce (an error rewrapped across realms, a 404 under
 * each condition, a checksum failure's bare Error). The server-side cases are in s3-requests.
 */
import { describe, expect, it } from '@jest/globals';
import { mapS3Error, type S3ErrorContext } from '../../src/backends/s3/errors.js';
import { bodyIsValidated, isBareError } from '../../src/backends/s3/objects.js';
import { S3_DIALECTS, writeConditions } from '../../src/backends/s3/dialect.js';
import type { Condition } from '../../src/vfs/driver.js';

const none: Condition = { kind: 'none' };
const absent: Condition = { kind: 'absent' };
const version: Condition = { kind: 'version', version: '"e1"' };

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`service text with a secret AKIASECRET`), {
    name,
    $metadata: status === undefined ? { attempts: 1 } : { httpStatusCode: status, attempts: 1 },
    ...extra,
  });
}

function map(err: unknown, condition: Condition = none, op = 'write'): ReturnType<typeof mapS3Error> {
  const ctx: S3ErrorContext = { op, bucket: 'b', key: 'c/config', condition };
  return mapS3Error(err, ctx);
}

describe('mapS3Error', () => {
  it('maps 412 by the condition sent', () => {
    expect(map(sdkError('PreconditionFailed', 412), absent).code).toBe('AlreadyExists');
    expect(map(sdkError('PreconditionFailed', 412), version).code).toBe('PreconditionFailed');
  });

  it('maps a missing object to PreconditionFailed under version, NotFound otherwise; a missing bucket to NotFound', () => {
    expect(map(sdkError('NoSuchKey', 404), version).code).toBe('PreconditionFailed');
    expect(map(sdkError('NoSuchKey', 404), none).code).toBe('NotFound');
    const bucket = map(sdkError('NoSuchBucket', 404), version);
    expect([bucket.code, bucket.message]).toEqual([
      'NotFound',
      's3: write key "c/config": bucket "b" does not exist (NoSuchBucket, HTTP 404)',
    ]);
  });

  it('decides by S3 error name before the status', () => {
    expect(map(sdkError('BadDigest', 400)).code).toBe('IntegrityError');
    expect(map(sdkError('InvalidAccessKeyId', 403)).code).toBe('Unauthenticated');
    expect(map(sdkError('AccessDenied', 403)).code).toBe('PermissionDenied');
    expect(map(sdkError('SlowDown', 503))).toMatchObject({ code: 'RateLimited', retryable: true });
    expect(map(sdkError('ConditionalRequestConflict', 409))).toMatchObject({ code: 'Conflict', retryable: true });
    expect(map(sdkError('InternalError', 500))).toMatchObject({ code: 'Unavailable', retryable: true });
  });

  it('maps a request that got no HTTP answer to Unavailable, by code or by the missing status', () => {
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(map(refused)).toMatchObject({ code: 'Unavailable', retryable: true });
    // What the SDK's retry loop rethrows for a Node error of another realm: a bare Error, code lost.
    expect(map(sdkError('Error'))).toMatchObject({ code: 'Unavailable', retryable: true });
    // A bare Error the SDK never sent (no $metadata) is not a network failure.
    expect(map(new Error('something else')).code).toBe('Unknown');
  });

  it('maps a fired signal to Aborted and keeps the SDK message and credentials out', () => {
    const controller = new AbortController();
    controller.abort();
    const ctx: S3ErrorContext = { op: 'read', bucket: 'b', key: 'k', condition: none, signal: controller.signal };
    expect(mapS3Error(sdkError('InternalError', 500), ctx).code).toBe('Aborted');
    const err = map(sdkError('AccessDenied', 403));
    expect(err.message).not.toContain('AKIASECRET');
    expect(err.message).not.toContain('service text');
    expect(err.cause).toBeDefined();
  });

  it('is total on values that are not errors', () => {
    for (const value of [undefined, null, 'text', 42, {}]) expect(map(value).code).toBe('Unknown');
  });
});

describe('S3 request and answer fields', () => {
  it('turns a condition into If-None-Match or If-Match', () => {
    const fields = (condition: Condition) => writeConditions(S3_DIALECTS.aws, condition, 'put');
    expect([fields(none), fields(absent), fields(version)]).toEqual([{}, { IfNoneMatch: '*' }, { IfMatch: '"e1"' }]);
  });

  it('knows when the SDK validates a body: a whole-object checksum, not a composite one', () => {
    expect(bodyIsValidated({ ChecksumCRC32: 'IMthLw==' })).toBe(true);
    expect(bodyIsValidated({ ChecksumCRC32: 'IMthLw==-3' })).toBe(false);
    expect(bodyIsValidated({})).toBe(false);
  });

  it("tells the checksum stream's bare Error from network and SDK errors by their fields", () => {
    expect(isBareError(new Error('x'))).toBe(true);
    expect(isBareError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isBareError(sdkError('Error'))).toBe(false);
    expect(isBareError(new Error('x', { cause: new Error('y') }))).toBe(false);
    expect(isBareError(new TypeError('x'))).toBe(false);
    expect(isBareError('x')).toBe(false);
  });
});

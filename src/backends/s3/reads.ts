import { Readable } from 'node:stream';
import { StateStoreError } from '../../errors.js';
import type { ErrorContext } from '../../vfs/driver.js';
import { sameEtag } from '../common/etag.js';
import { etagForServer, type S3Dialect } from './dialect.js';
import { s3ErrorCode, s3Status } from './errors.js';
import { isBareError, type GetOutput } from './objects.js';
import type { S3Requests } from './requests.js';

/**
 * A failure of a body stream, mapped here because the portable layer never sees it (our own
 * errors, a cut or a changed object, never get here: resumableBody passes them as they are). A
 * bare Error from a body the SDK validates is its checksum mismatch (see isBareError).
 */
export function bodyError(
  err: unknown,
  context: ErrorContext,
  validated: boolean,
  mapError: (err: unknown) => StateStoreError,
  bucket: string,
): StateStoreError {
  if (validated && isBareError(err) && context.signal?.aborted !== true) {
    return new StateStoreError(
      'IntegrityError',
      `s3: read key ${JSON.stringify(context.key)} in bucket ${JSON.stringify(bucket)}: the downloaded data did not match its checksum`,
      { key: context.key, backend: 's3', cause: err },
    );
  }
  return mapError(err);
}

/**
 * The rest of a body from `offset`, pinned to `version` (If-Match in the dialect's form, and the
 * answer's ETag compared, for servers that ignore If-Match on reads): a changed or deleted object
 * is a Conflict.
 */
export async function readRest(
  requests: S3Requests,
  object: { Bucket: string; Key: string },
  offset: number,
  pin: { key: string; version: string; dialect: S3Dialect | undefined; signal?: AbortSignal },
): Promise<Readable> {
  const { key, version } = pin;
  const command = new requests.sdk.GetObjectCommand({
    ...object,
    Range: `bytes=${offset}-`,
    // Without a known dialect (not probed yet: store-dialect.ts), the answer's ETag alone pins it.
    ...(pin.dialect === undefined ? {} : { IfMatch: etagForServer(pin.dialect, version) }),
  });
  const changed = (cause?: unknown) =>
    new StateStoreError('Conflict', `s3: read ${JSON.stringify(key)}: the object changed while it was read`, {
      key,
      backend: 's3',
      cause,
    });
  const output = await requests.send<GetOutput>(command, pin.signal).catch((err: unknown) => {
    const name = s3ErrorCode(err);
    const gone = s3Status(err) === 412 || name === 'PreconditionFailed' || name === 'NoSuchKey' || name === 'NotFound';
    throw gone ? changed(err) : err;
  });
  if (output.ETag !== undefined && !sameEtag(output.ETag, version)) {
    output.Body?.destroy();
    throw changed();
  }
  return output.Body ?? Readable.from([]);
}

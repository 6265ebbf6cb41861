import { StateStoreError, type ErrorCode } from '../../errors.js';
import type { DriverOp, ErrorContext } from '../../vfs/driver.js';

const BY_ERRNO: Record<string, ErrorCode> = {
  ENOENT: 'NotFound',
  EACCES: 'PermissionDenied',
  EPERM: 'PermissionDenied',
  EROFS: 'PermissionDenied',
  EISDIR: 'InvalidArgument',
  ENOTDIR: 'InvalidArgument',
  ENAMETOOLONG: 'InvalidArgument',
  EMFILE: 'Unavailable',
  ENFILE: 'Unavailable',
  EAGAIN: 'Unavailable',
  EBUSY: 'Unavailable',
  ABORT_ERR: 'Aborted',
};

/** Operations whose key names a file to find: a folder (or a file where a folder is) is no such file. */
const LOOKUPS: ReadonlySet<DriverOp> = new Set(['read', 'readStream', 'stat', 'delete']);

/** Turns a Node fs error into a StateStoreError; the message names the key, not the absolute path. */
export function fsError(err: unknown, key: string | undefined): StateStoreError {
  const errno = errnoOf(err) ?? '';
  const code = BY_ERRNO[errno] ?? 'Unknown';
  const what = key === undefined ? '' : ` ${JSON.stringify(key)}`;
  const reason =
    errno === 'EISDIR' || errno === 'ENOTDIR'
      ? 'a file and a folder would share a name (the file backend cannot store both "a" and "a/b")'
      : code === 'NotFound'
        ? 'not found'
        : errno || 'failure';
  return new StateStoreError(code, `file:${what}: ${reason}`, { key, backend: 'file', cause: err });
}

/**
 * The file driver's mapError: by errno, the operation and the condition sent. A missing file is
 * PreconditionFailed under `version` (the version asked for is gone) and NotFound otherwise; an
 * existing one is AlreadyExists under `absent` (`link()` refused with EEXIST). Total: never throws.
 */
export function mapFsError(err: unknown, context: ErrorContext): StateStoreError {
  const { key, condition } = context;
  const make = (code: ErrorCode, message: string) =>
    new StateStoreError(code, `file: ${message}`, { key, backend: 'file', cause: err });
  if (context.signal?.aborted === true) return make('Aborted', 'the operation was aborted');
  const errno = errnoOf(err);
  const missing = errno === 'ENOENT' || (LOOKUPS.has(context.op) && (errno === 'EISDIR' || errno === 'ENOTDIR'));
  if (missing && condition.kind === 'version')
    return make('PreconditionFailed', `precondition failed: ${JSON.stringify(key)} does not exist`);
  if (missing) return make('NotFound', `not found: ${JSON.stringify(key)}`);
  if (errno === 'EEXIST' && condition.kind === 'absent')
    return make('AlreadyExists', `already exists: ${JSON.stringify(key)}`);
  return fsError(err, key);
}

/** The errno (`ENOENT` ...) of a Node error, from its `code` field. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

import { StateStoreError, type ErrorCode } from '../../errors.js';

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

/** Turns a Node fs error into a StateStoreError; the message names the key, not the absolute path. */
export function fsError(err: unknown, key: string | undefined): StateStoreError {
  const errno = (err as { code?: string }).code ?? '';
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

export function errnoOf(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

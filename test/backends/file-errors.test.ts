/**
 * The file driver's mapError on Node fs errors: by errno, the operation and the condition sent.
 * The conformance suite (file.test.ts) covers the same rules through real files.
 */
import { describe, expect, it } from '@jest/globals';
import { mapFsError } from '../../src/backends/file/errors.js';
import type { Condition, DriverOp } from '../../src/vfs/driver.js';

const none: Condition = { kind: 'none' };
const absent: Condition = { kind: 'absent' };
const version: Condition = { kind: 'version', version: 'v1' };

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: /secret/absolute/path`), { code });
}

function codeOf(code: string, op: DriverOp, condition: Condition = none): string {
  return mapFsError(errno(code), { op, key: 'c/config', condition }).code;
}

describe('mapFsError', () => {
  it('maps a missing file to PreconditionFailed under version, NotFound otherwise', () => {
    expect(codeOf('ENOENT', 'read', version)).toBe('PreconditionFailed');
    expect(codeOf('ENOENT', 'write', version)).toBe('PreconditionFailed');
    expect(codeOf('ENOENT', 'delete', version)).toBe('PreconditionFailed');
    expect(codeOf('ENOENT', 'read')).toBe('NotFound');
    expect(codeOf('ENOENT', 'stat')).toBe('NotFound');
  });

  it('treats a folder where a file is looked up as no file, but refuses to write a file over a folder', () => {
    expect(codeOf('EISDIR', 'readStream')).toBe('NotFound');
    expect(codeOf('ENOTDIR', 'stat', version)).toBe('PreconditionFailed');
    expect(codeOf('EISDIR', 'write')).toBe('InvalidArgument');
    expect(codeOf('ENOTDIR', 'copy')).toBe('InvalidArgument');
  });

  it('maps EEXIST to AlreadyExists only under absent', () => {
    expect(codeOf('EEXIST', 'write', absent)).toBe('AlreadyExists');
    expect(codeOf('EEXIST', 'write')).toBe('Unknown');
  });

  it('maps the other errnos, a fired signal, and non-errors; never names the absolute path', () => {
    expect(['EACCES', 'EROFS', 'EMFILE', 'EBUSY', 'ENAMETOOLONG'].map((code) => codeOf(code, 'write'))).toEqual([
      'PermissionDenied',
      'PermissionDenied',
      'Unavailable',
      'Unavailable',
      'InvalidArgument',
    ]);
    const controller = new AbortController();
    controller.abort();
    const aborted = mapFsError(errno('EIO'), { op: 'read', key: 'k', condition: none, signal: controller.signal });
    expect(aborted.code).toBe('Aborted');
    expect(mapFsError(undefined, { op: 'list', condition: none }).code).toBe('Unknown');
    expect(mapFsError(errno('EACCES'), { op: 'write', key: 'k', condition: none }).message).not.toContain('/secret');
  });
});

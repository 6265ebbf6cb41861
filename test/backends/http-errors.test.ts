import { describe, expect, it } from '@jest/globals';
import { mapHttpStatus, networkErrorCode } from '../../src/backends/common/http-errors.js';
import type { Condition } from '../../src/vfs/driver.js';

const none: Condition = { kind: 'none' };
const absent: Condition = { kind: 'absent' };
const version: Condition = { kind: 'version', version: '"abc"' };

describe('mapHttpStatus', () => {
  it('maps 412 by the condition sent: AlreadyExists under absent, PreconditionFailed otherwise', () => {
    expect(mapHttpStatus(412, absent)?.code).toBe('AlreadyExists');
    expect(mapHttpStatus(412, version)?.code).toBe('PreconditionFailed');
    expect(mapHttpStatus(412, none)?.code).toBe('PreconditionFailed');
  });

  it('maps 404 to PreconditionFailed under version, NotFound otherwise', () => {
    expect(mapHttpStatus(404, version)?.code).toBe('PreconditionFailed');
    expect(mapHttpStatus(404, none)?.code).toBe('NotFound');
    expect(mapHttpStatus(404, absent)?.code).toBe('NotFound');
  });

  it('maps the other statuses whatever the condition', () => {
    const table: Array<[number, string]> = [
      [409, 'Conflict'],
      [429, 'RateLimited'],
      [401, 'Unauthenticated'],
      [403, 'PermissionDenied'],
      [400, 'InvalidArgument'],
      [408, 'Unavailable'],
      [500, 'Unavailable'],
      [503, 'Unavailable'],
      [599, 'Unavailable'],
    ];
    for (const condition of [none, absent, version]) {
      expect(table.map(([status]) => [status, mapHttpStatus(status, condition)?.code])).toEqual(table);
    }
  });

  it('says nothing about statuses that carry no meaning of their own', () => {
    expect([200, 204, 301, 304, 405, 416, 600].map((status) => mapHttpStatus(status, none))).toEqual(
      Array(7).fill(undefined),
    );
  });
});

describe('networkErrorCode', () => {
  it('finds a network code on the error itself', () => {
    expect(networkErrorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
  });

  it('follows cause chains (undici: TypeError fetch failed, cause UND_ERR_SOCKET)', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const fetchFailed = new TypeError('fetch failed', { cause: socket });
    expect(networkErrorCode(new Error('wrapped', { cause: fetchFailed }))).toBe('UND_ERR_SOCKET');
  });

  it("follows an AggregateError's errors (every address of a host refused)", () => {
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new AggregateError([new Error('a'), refused]))).toBe('ECONNREFUSED');
  });

  it('ignores other codes, message text, non-objects and cycles', () => {
    expect(networkErrorCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ENOENT' }))).toBeUndefined();
    expect(networkErrorCode(new Error('read ECONNRESET'))).toBeUndefined();
    expect(networkErrorCode('ECONNRESET')).toBeUndefined();
    expect(networkErrorCode(undefined)).toBeUndefined();
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(networkErrorCode(loop)).toBeUndefined();
  });

  it('stops after a bounded depth', () => {
    let err: unknown = Object.assign(new Error('deep'), { code: 'ECONNRESET' });
    for (let i = 0; i < 10; i++) err = new Error('wrap', { cause: err });
    expect(networkErrorCode(err)).toBeUndefined();
    let shallow: unknown = Object.assign(new Error('deep'), { code: 'ECONNRESET' });
    for (let i = 0; i < 3; i++) shallow = new Error('wrap', { cause: shallow });
    expect(networkErrorCode(shallow)).toBe('ECONNRESET');
  });
});

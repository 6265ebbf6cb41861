/** The status mapping of gs:// failures: GCS answers 412 for both conditions, so the code follows what was sent. */
import { mapGcsError } from '../../src/backends/gcs/errors.js';
import type { Condition, ErrorContext } from '../../src/vfs/driver.js';

/** An error shaped as the SDK reports HTTP failures (ApiError.code, or GaxiosError.response.status). */
function httpError(status: number, shape: 'code' | 'response' = 'code'): Error {
  const err = new Error(`HTTP ${status} for https://storage.googleapis.com/upload?access_token=SECRET-TOKEN`);
  if (shape === 'code') Object.assign(err, { code: status });
  else Object.assign(err, { response: { status } });
  return err;
}

const conditions: Record<'none' | 'absent' | 'version', Condition> = {
  none: { kind: 'none' },
  absent: { kind: 'absent' },
  version: { kind: 'version', version: '17' },
};

const write = (condition: Condition): ErrorContext => ({ op: 'write', key: 'cluster/config', condition });

it.each([
  [412, 'absent', 'AlreadyExists'],
  [412, 'version', 'PreconditionFailed'],
  [404, 'none', 'NotFound'],
  [404, 'version', 'PreconditionFailed'],
  [429, 'none', 'RateLimited'],
  [401, 'none', 'Unauthenticated'],
  [403, 'none', 'PermissionDenied'],
  [409, 'none', 'Conflict'],
  [500, 'none', 'Unavailable'],
  [503, 'version', 'Unavailable'],
] as const)('maps HTTP %i after condition %s to %s, without the request URL in the message', (status, sent, code) => {
  for (const shape of ['code', 'response'] as const) {
    const mapped = mapGcsError(httpError(status, shape), write(conditions[sent]));
    expect(mapped.code).toBe(code);
    expect(mapped.message).not.toContain('SECRET-TOKEN');
    expect(mapped.retryable).toBe(code === 'RateLimited' || code === 'Unavailable' || code === 'Conflict');
    expect(mapped.key).toBe('cluster/config');
  }
});

it('maps a refused connection to Unavailable', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  expect(mapGcsError(refused, { op: 'list', condition: conditions.none }).code).toBe('Unavailable');
});

it('maps the resumable upload\'s "Upload failed" error (the status as its code) to Unavailable, retryable', () => {
  // What the SDK's resumable upload destroys its stream with for an error answer, once the
  // driver's Storage counts nothing as retryable.
  const failed = Object.assign(new Error('Upload failed'), { name: 'Upload failed', code: 503, errors: [{}] });
  expect(mapGcsError(failed, write(conditions.none))).toMatchObject({ code: 'Unavailable', retryable: true });
});

it('maps any failure after the signal fired to Aborted', () => {
  const controller = new AbortController();
  controller.abort();
  const mapped = mapGcsError(httpError(503), { ...write(conditions.none), signal: controller.signal });
  expect(mapped.code).toBe('Aborted');
});

it('maps what it does not know to Unknown, keeping the original as cause', () => {
  const odd = new TypeError('something else');
  const mapped = mapGcsError(odd, write(conditions.none));
  expect(mapped).toMatchObject({ code: 'Unknown', cause: odd, backend: 'gcs' });
});

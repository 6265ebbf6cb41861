/** The status mapping of gs:// failures: GCS answers 412 for both conditions, so the code follows what was sent. */
import { mapGcsError } from '../../src/backends/gcs/errors.js';

/** An error shaped as the SDK reports HTTP failures (ApiError.code, or GaxiosError.response.status). */
function httpError(status: number, shape: 'code' | 'response' = 'code'): Error {
  const err = new Error(`HTTP ${status} for https://storage.googleapis.com/upload?access_token=SECRET-TOKEN`);
  if (shape === 'code') Object.assign(err, { code: status });
  else Object.assign(err, { response: { status } });
  return err;
}

it.each([
  [412, 'absent', 'AlreadyExists'],
  [412, 'generation', 'PreconditionFailed'],
  [404, 'none', 'NotFound'],
  [429, 'none', 'RateLimited'],
  [401, 'none', 'Unauthenticated'],
  [403, 'none', 'PermissionDenied'],
  [500, 'none', 'Unavailable'],
  [503, 'generation', 'Unavailable'],
] as const)('maps HTTP %i after condition %s to %s, without the request URL in the message', (status, sent, code) => {
  for (const shape of ['code', 'response'] as const) {
    const mapped = mapGcsError(httpError(status, shape), 'cluster/config', sent, 'write');
    expect(mapped.code).toBe(code);
    expect(mapped.message).not.toContain('SECRET-TOKEN');
    expect(mapped.retryable).toBe(code === 'RateLimited' || code === 'Unavailable');
  }
});

it('maps a refused connection to Unavailable', () => {
  expect(
    mapGcsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), undefined, 'none', 'list')
      .code,
  ).toBe('Unavailable');
});

it('maps the resumable-upload client\'s bare "Retry limit exceeded - status: 503" to Unavailable (retryable)', () => {
  const bare = new Error('Retry limit exceeded - status: 503 - {"error":{"code":503,"message":"Backend Error"}}');
  expect(mapGcsError(bare, 'c/big', 'none', 'write')).toMatchObject({ code: 'Unavailable', retryable: true });
});

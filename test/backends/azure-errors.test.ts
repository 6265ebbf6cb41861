/**
 * The mapping of azureblob:// failures, by the SDK error's structured fields (statusCode,
 * details.errorCode, code, name, the Server header) and the condition sent; never by message text.
 */
import { RestError } from '@azure/storage-blob';
import { isContainerNotFound, mapAzureError } from '../../src/backends/azure/errors.js';
import type { Condition, ErrorContext } from '../../src/vfs/driver.js';

const none: Condition = { kind: 'none' };
const absent: Condition = { kind: 'absent' };
const version: Condition = { kind: 'version', version: '"0x8D"' };
const write = (condition: Condition): ErrorContext => ({ op: 'write', key: 'cluster/config', condition });

/** A RestError as the SDK builds it for an error answer; the message carries a secret that must not leak. */
function answer(statusCode: number, errorCode: string, server = 'Windows-Azure-Blob/1.0'): RestError {
  const err = new RestError(`${errorCode}: sig=SECRET-SIGNATURE`, { statusCode, code: errorCode });
  const headers = new Map([['server', server]]);
  return Object.assign(err, {
    details: { errorCode },
    response: { status: statusCode, headers: { get: (name: string) => headers.get(name) } },
  });
}

it.each([
  [409, 'BlobAlreadyExists', absent, 'AlreadyExists'],
  [412, 'ConditionNotMet', absent, 'AlreadyExists'],
  [412, 'ConditionNotMet', version, 'PreconditionFailed'],
  [404, 'BlobNotFound', none, 'NotFound'],
  [404, 'BlobNotFound', version, 'PreconditionFailed'],
  [404, 'ContainerNotFound', version, 'NotFound'],
  [403, 'AuthenticationFailed', none, 'Unauthenticated'],
  [403, 'AuthorizationFailure', none, 'PermissionDenied'],
  [403, 'AuthorizationPermissionMismatch', none, 'PermissionDenied'],
  [503, 'ServerBusy', none, 'RateLimited'],
  [409, 'LeaseIdMissing', none, 'Conflict'],
  [500, 'InternalError', version, 'Unavailable'],
] as const)('maps HTTP %i %s under %j to %s, without the SDK message', (status, errorCode, condition, code) => {
  const mapped = mapAzureError(answer(status, errorCode), write(condition));
  expect(mapped.code).toBe(code);
  expect(mapped.message).not.toContain('SECRET-SIGNATURE');
  expect(mapped).toMatchObject({ key: 'cluster/config', backend: 'azure' });
});

it("maps Azurite's AuthorizationFailure (its answer to a bad signature) to Unauthenticated", () => {
  const azurite = answer(403, 'AuthorizationFailure', 'Azurite-Blob/3.35.0');
  expect(mapAzureError(azurite, write(none)).code).toBe('Unauthenticated');
});

it('maps transport failures to Unavailable (retryable): refused, unsent, cut mid-response, body cut', () => {
  const refused = new RestError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' });
  const unsent = new RestError('socket hang up', { code: RestError.REQUEST_SEND_ERROR });
  const cut = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
  const bodyCut = new RestError('Error reading response as text: aborted', { code: RestError.PARSE_ERROR });
  for (const err of [refused, unsent, cut, bodyCut]) {
    expect(mapAzureError(err, { op: 'read', key: 'k', condition: none })).toMatchObject({
      code: 'Unavailable',
      retryable: true,
    });
  }
});

it('maps any failure after the signal fired to Aborted, and the unknown to Unknown with its cause', () => {
  const controller = new AbortController();
  controller.abort();
  const busy = answer(503, 'ServerBusy');
  expect(mapAzureError(busy, { ...write(none), signal: controller.signal }).code).toBe('Aborted');
  const odd = new TypeError('something else');
  expect(mapAzureError(odd, write(none))).toMatchObject({ code: 'Unknown', cause: odd });
});

it('tells a missing container from a missing blob by the error code', () => {
  expect(isContainerNotFound(answer(404, 'ContainerNotFound'))).toBe(true);
  expect(isContainerNotFound(answer(404, 'BlobNotFound'))).toBe(false);
});

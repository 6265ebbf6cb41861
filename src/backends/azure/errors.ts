import { StateStoreError } from '../../errors.js';
import type { ErrorContext } from '../../vfs/driver.js';
import {
  mapHttpStatus,
  networkErrorCode,
  tlsCertificateRefusal,
  type HttpErrorMapping,
} from '../common/http-errors.js';

/** 403 error codes that mean the credential itself was rejected (not a missing permission). */
const AUTHENTICATION_CODES = new Set([
  'AuthenticationFailed',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
]);

/** The structured fields of an `@azure/storage-blob` failure (a RestError, an AbortError ...). */
interface AzureFailure {
  /** HTTP status, when an answer arrived. */
  status: number | undefined;
  /** The service's error code (`BlobNotFound`, `ContainerNotFound` ...), else the RestError's code. */
  errorCode: string;
  name: string;
  /** The answer's `Server` header: Azurite names itself there. */
  server: string;
}

/** Reads an SDK failure's structured fields; never its message. */
function azureFailure(err: unknown): AzureFailure {
  const e = (err ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    name?: unknown;
    details?: { errorCode?: unknown };
    response?: { headers?: { get?: (name: string) => string | undefined } };
  };
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const errorCode = text(e.details?.errorCode) || text(e.code);
  let server = '';
  try {
    server = text(e.response?.headers?.get?.('server'));
  } catch {
    server = ''; // a response without usable headers
  }
  return {
    status: typeof e.statusCode === 'number' ? e.statusCode : undefined,
    errorCode,
    name: text(e.name),
    server,
  };
}

/** True when the failure is the container missing (not the blob): NotFound whatever the condition. */
export function isContainerNotFound(err: unknown): boolean {
  return azureFailure(err).errorCode === 'ContainerNotFound';
}

/** 401 and 403: a rejected credential, or a refused permission. */
function byAuth(f: AzureFailure): HttpErrorMapping {
  const detail = `HTTP ${f.status}${f.errorCode === '' ? '' : ` ${f.errorCode}`}`;
  // Azure says AuthenticationFailed for a bad signature; Azurite says AuthorizationFailure, which
  // real Azure uses for RBAC and firewall refusals. Azurite names itself in its Server header.
  const emulatorSignature = f.errorCode === 'AuthorizationFailure' && f.server.startsWith('Azurite');
  if (f.status === 401 || AUTHENTICATION_CODES.has(f.errorCode) || emulatorSignature)
    return { code: 'Unauthenticated', reason: `credentials missing or rejected (${detail})` };
  return { code: 'PermissionDenied', reason: `permission denied (${detail})` };
}

/**
 * What an answer means: Azure's own error codes first, then the status by the condition sent
 * (mapHttpStatus: 412 under `absent` is AlreadyExists, 404 under `version` PreconditionFailed).
 */
function byStatus(f: AzureFailure, context: ErrorContext): HttpErrorMapping | undefined {
  const { status, errorCode } = f;
  // Azure answers 409 BlobAlreadyExists to `If-None-Match: *`, 412 ConditionNotMet to `If-Match`.
  if (status === 409 && (errorCode === 'BlobAlreadyExists' || context.condition.kind === 'absent'))
    return { code: 'AlreadyExists', reason: 'the object already exists' };
  if (errorCode === 'ConditionNotMet') return mapHttpStatus(412, context.condition);
  // A missing container is NotFound whatever the condition: no version of the blob was ever there.
  if (status === 404 && errorCode === 'ContainerNotFound') return { code: 'NotFound', reason: 'container not found' };
  if (status === 401 || status === 403) return byAuth(f);
  if (status === 429 || errorCode === 'ServerBusy')
    return { code: 'RateLimited', reason: `server busy (HTTP ${status ?? '?'})` };
  const mapped = status === undefined ? undefined : mapHttpStatus(status, context.condition);
  if (mapped === undefined || errorCode === '') return mapped;
  return { ...mapped, reason: `${mapped.reason} (HTTP ${status} ${errorCode})` };
}

/** What a failure without an answer means: an abort, a refused certificate, a cut or refused connection, no credential. */
function byTransport(err: unknown, f: AzureFailure, context: ErrorContext): HttpErrorMapping | undefined {
  if (context.signal?.aborted === true) return { code: 'Aborted', reason: 'aborted' };
  // The SDK turns a response's 'aborted' event into an AbortError: while the caller's signal has
  // not fired, that is a connection cut mid-response (transient), not an abort.
  if (f.name === 'AbortError') return { code: 'Unavailable', reason: 'connection cut mid-response' };
  // The pipeline reading an answer's body that was cut mid-way (RestError PARSE_ERROR, no status).
  if (f.status === undefined && f.errorCode === 'PARSE_ERROR')
    return { code: 'Unavailable', reason: 'the connection was cut before the whole answer arrived' };
  // A refused server certificate (the RestError carries OpenSSL's code): not retried.
  const certificate = tlsCertificateRefusal(err);
  if (certificate !== undefined) return certificate;
  const network = networkErrorCode(err) ?? (f.errorCode === 'REQUEST_SEND_ERROR' ? f.errorCode : undefined);
  if (network !== undefined) return { code: 'Unavailable', reason: `service unreachable (${network})` };
  if (f.name === 'CredentialUnavailableError' || f.name === 'AuthenticationRequiredError')
    return { code: 'Unauthenticated', reason: 'no usable Azure credential found' };
  return undefined;
}

/**
 * Maps an `@azure/storage-blob` failure to a StateStoreError by its structured fields and the
 * call's context. Total; the message names the operation, key and status, never credentials or
 * the SDK's message; the original is kept as `cause`.
 */
export function mapAzureError(err: unknown, context: ErrorContext): StateStoreError {
  const f = azureFailure(err);
  const { code, reason } = (context.signal?.aborted === true ? undefined : byStatus(f, context)) ??
    byTransport(err, f, context) ?? {
      code: 'Unknown',
      reason: f.status === undefined ? 'unexpected failure' : `unexpected HTTP ${f.status}`,
    };
  const where = context.key === undefined ? context.op : `${context.op} ${JSON.stringify(context.key)}`;
  return new StateStoreError(code, `azure: ${where}: ${reason}`, {
    ...(context.key === undefined ? {} : { key: context.key }),
    backend: 'azure',
    cause: err,
  });
}

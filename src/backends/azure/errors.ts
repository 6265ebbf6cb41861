import { StateStoreError, type ErrorCode } from '../../errors.js';
import type { ErrorContext } from '../../vfs/driver.js';

/** Codes of a connection that failed or was cut (Node's, and the Azure pipeline's own). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'REQUEST_SEND_ERROR',
]);

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
  /** The Node error code under a REQUEST_SEND_ERROR. */
  errno: string;
}

/** Reads an SDK failure's structured fields; never its message. */
export function azureFailure(err: unknown): AzureFailure {
  const e = (err ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    name?: unknown;
    details?: { errorCode?: unknown };
    cause?: { code?: unknown };
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
    errno: text(e.cause?.code) || errorCode,
  };
}

/** True when the failure is the container missing (not the blob): NotFound whatever the condition. */
export function isContainerNotFound(err: unknown): boolean {
  return azureFailure(err).errorCode === 'ContainerNotFound';
}

/** 401 and 403: a rejected credential, or a refused permission. */
function byAuth(f: AzureFailure): [ErrorCode, string] {
  const detail = `HTTP ${f.status}${f.errorCode === '' ? '' : ` ${f.errorCode}`}`;
  // Azure says AuthenticationFailed for a bad signature; Azurite says AuthorizationFailure, which
  // real Azure uses for RBAC and firewall refusals. Azurite names itself in its Server header.
  const emulatorSignature = f.errorCode === 'AuthorizationFailure' && f.server.startsWith('Azurite');
  if (f.status === 401 || AUTHENTICATION_CODES.has(f.errorCode) || emulatorSignature)
    return ['Unauthenticated', `credentials missing or rejected (${detail})`];
  return ['PermissionDenied', `permission denied (${detail})`];
}

/** What an answer's status and error code mean, by the condition that was sent. */
function byStatus(f: AzureFailure, context: ErrorContext): [ErrorCode, string] | undefined {
  const { status, errorCode } = f;
  const detail = errorCode === '' ? '' : ` ${errorCode}`;
  // Azure answers 409 BlobAlreadyExists to `If-None-Match: *`, 412 ConditionNotMet to `If-Match`.
  if (status === 409 && (errorCode === 'BlobAlreadyExists' || context.condition.kind === 'absent'))
    return ['AlreadyExists', 'the object already exists'];
  if (status === 412 || errorCode === 'ConditionNotMet') {
    if (context.condition.kind === 'absent') return ['AlreadyExists', 'the object already exists'];
    return ['PreconditionFailed', 'the object changed (ETag precondition not met)'];
  }
  if (status === 404) {
    if (errorCode === 'ContainerNotFound') return ['NotFound', 'container not found'];
    // A compare-and-swap, pinned read or compare-and-delete of a missing blob: its version is gone.
    if (context.condition.kind === 'version') return ['PreconditionFailed', 'the object no longer exists'];
    return ['NotFound', 'not found'];
  }
  if (status === 401 || status === 403) return byAuth(f);
  if (status === 429 || errorCode === 'ServerBusy') return ['RateLimited', `server busy (HTTP ${status ?? '?'})`];
  if (status === 409) return ['Conflict', `conflicting concurrent operation (HTTP 409${detail})`];
  if (status === 400) return ['InvalidArgument', `bad request (HTTP 400${detail})`];
  if (status !== undefined && status >= 500) return ['Unavailable', `service unavailable (HTTP ${status})`];
  return undefined;
}

/** What a failure without an answer means: an abort, a cut or refused connection, no credential. */
function byTransport(f: AzureFailure, context: ErrorContext): [ErrorCode, string] | undefined {
  // The SDK turns a response's 'aborted' event into an AbortError: while the caller's signal has
  // not fired, that is a connection cut mid-response (transient), not an abort.
  if (context.signal?.aborted === true) return ['Aborted', 'aborted'];
  if (f.name === 'AbortError') return ['Unavailable', 'connection cut mid-response'];
  // The pipeline reading an answer's body that was cut mid-way (RestError PARSE_ERROR, no status).
  if (f.status === undefined && f.errorCode === 'PARSE_ERROR')
    return ['Unavailable', 'the connection was cut before the whole answer arrived'];
  if (NETWORK_CODES.has(f.errno)) return ['Unavailable', `service unreachable (${f.errno})`];
  if (f.name === 'CredentialUnavailableError' || f.name === 'AuthenticationRequiredError')
    return ['Unauthenticated', 'no usable Azure credential found'];
  return undefined;
}

/**
 * Maps an `@azure/storage-blob` failure to a StateStoreError by its structured fields and the
 * call's context. Total; the message names the operation, key and status, never credentials or
 * the SDK's message; the original is kept as `cause`.
 */
export function mapAzureError(err: unknown, context: ErrorContext): StateStoreError {
  const f = azureFailure(err);
  const [code, message] = (context.signal?.aborted === true ? undefined : byStatus(f, context)) ??
    byTransport(f, context) ?? [
      'Unknown',
      f.status === undefined ? 'unexpected failure' : `unexpected HTTP ${f.status}`,
    ];
  const where = context.key === undefined ? context.op : `${context.op} ${JSON.stringify(context.key)}`;
  return new StateStoreError(code, `azure: ${where}: ${message}`, {
    ...(context.key === undefined ? {} : { key: context.key }),
    backend: 'azure',
    cause: err,
  });
}

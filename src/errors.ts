/**
 * The one error type of statestore. Callers branch on `code`, never on `instanceof`, so that two
 * copies of the package in one process (a CommonJS and an ESM copy, say) still agree.
 */

/** Every error code statestore raises. */
export type ErrorCode =
  /** The object (or cluster, instance group ...) does not exist. */
  | 'NotFound'
  /** A create-if-absent (`ifNoneMatch: "*"`) lost: the object exists. */
  | 'AlreadyExists'
  /** A compare-and-swap (`ifMatch`) lost: the object changed or vanished. */
  | 'PreconditionFailed'
  /** A concurrent conditional operation collided; retrying may succeed. */
  | 'Conflict'
  /** The credentials are valid but not allowed to do this. */
  | 'PermissionDenied'
  /** The credentials are missing, malformed or rejected; or the server's TLS certificate was refused (not trusted). */
  | 'Unauthenticated'
  /** The caller passed something invalid: a key, a URL, an option, a patch. */
  | 'InvalidArgument'
  /** The backend cannot do this (for example enforce a condition); nothing was sent. */
  | 'Unsupported'
  /** The service asked us to slow down. */
  | 'RateLimited'
  /** The service could not be reached or failed transiently. */
  | 'Unavailable'
  /** The caller's AbortSignal fired. */
  | 'Aborted'
  /** Data did not match its checksum, or an encrypted envelope failed authentication. */
  | 'IntegrityError'
  /** A configuration failed the kops schema or a cross-field rule. */
  | 'ValidationError'
  /** Anything else. */
  | 'Unknown';

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['Conflict', 'RateLimited', 'Unavailable']);

/** Brand used by {@link isStateStoreError}; a global symbol so every copy of the package shares it. */
const BRAND = Symbol.for('statestore.StateStoreError');

/** The symbol `util.inspect` calls (registered: this file imports nothing). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** One problem found by validation, with the JSON path where it was found. */
export interface ValidationIssue {
  /** JSON Pointer into the validated document, e.g. `/spec/subnets/0/name`. */
  path: string;
  /** A sentence a person understands. */
  message: string;
  /** For an unknown field: the closest known field name. */
  didYouMean?: string;
  /**
   * `error` (the default when absent) fails validation. `warning` is reported but accepted: an
   * unknown field that resembles no known field, which kops's own decoder silently ignores
   * (typically a field of another kops version).
   */
  severity?: 'error' | 'warning';
  /**
   * For an issue of kops's own validation rules: the kops source line of the rule that reported
   * it, a path in the kubernetes/kops repository at the commit the port follows (268927e, see
   * docs/kops-compatibility.md), e.g. `pkg/apis/kops/validation/aws.go:236`. Absent for
   * statestore's own checks (the schema, unknown fields, control characters, names).
   */
  source?: string;
}

/** Details accepted by the {@link StateStoreError} constructor. */
export interface StateStoreErrorOptions {
  /** Overrides the default (true for Conflict, RateLimited and Unavailable). */
  retryable?: boolean;
  /** The key (relative to the store) the failing operation was about. */
  key?: string;
  /** The backend name, e.g. `s3`, `file`. */
  backend?: string;
  /**
   * The underlying error. Never shown in `message`, so credentials cannot leak through it. Kept
   * as given when it holds only what says what failed (name, message, code, HTTP status, request
   * id, a system error's fields, its own cause); otherwise, as an SDK's error holds the request,
   * the response or the key id the server named, as a plain `Error` copy with only those fields,
   * access key ids in its message and stack replaced by `[redacted]`.
   */
  cause?: unknown;
  /** For ValidationError: every problem found. */
  issues?: ValidationIssue[];
}

/** The error every statestore operation throws. Check it with {@link isStateStoreError}. */
export class StateStoreError extends Error {
  /** What went wrong, as one of a fixed set of codes (branch on this, never on `message`). */
  readonly code: ErrorCode;
  /** Whether the same call may succeed if tried again (true by default for Conflict, RateLimited, Unavailable). */
  readonly retryable: boolean;
  /** The key (relative to the store) the failing operation was about, when there was one. */
  readonly key: string | undefined;
  /** The backend that failed (`s3`, `gcs`, `azure`, `file`, `memory` ...), when known. */
  readonly backend: string | undefined;
  /** For ValidationError: every problem found, each with its JSON Pointer. */
  readonly issues: ValidationIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options: StateStoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: redactedCause(options.cause, []) });
    this.name = 'StateStoreError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.key = options.key;
    this.backend = options.backend;
    this.issues = options.issues;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * What `JSON.stringify` shows: the code, message and where, and the `cause` chain summarised
   * (name, message, code, HTTP status, request id), never the SDK error's other fields, which
   * can hold an access key id, a signed request or a client's configuration.
   */
  toJSON(): Record<string, unknown> {
    return { name: this.name, ...this.#fields(), message: this.message };
  }

  /** What `util.inspect` and `console.log` show: the stack and the same fields as `toJSON`. */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `${this.stack ?? `${this.name}: ${this.message}`} ${inspect(this.#fields(), options)}`;
  }

  #fields(): Record<string, unknown> {
    const fields: Record<string, unknown> = { code: this.code, retryable: this.retryable };
    if (this.key !== undefined) fields.key = this.key;
    if (this.backend !== undefined) fields.backend = this.backend;
    if (this.issues !== undefined) fields.issues = this.issues;
    if (this.cause !== undefined) fields.cause = summariseCause(this.cause, 0);
    return fields;
  }
}

/** Causes summarised below this depth; deeper ones are left out. */
const MAX_CAUSE_DEPTH = 8;

/**
 * A cause as far as it is safe to show: a StateStoreError's own summary; of any other error its
 * name, message, code, HTTP status and request id (AWS SDK `$metadata`, Azure `statusCode`,
 * GCS `code`) and its own cause; a string, number or boolean as it is; anything else by its type.
 */
function summariseCause(cause: unknown, depth: number): unknown {
  if (depth >= MAX_CAUSE_DEPTH) return '[cause chain cut]';
  if (isStateStoreError(cause)) return cause.toJSON();
  if (cause === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof cause)) return cause;
  if (typeof cause !== 'object') return `[${typeof cause}]`;
  const error = cause as Record<string, unknown> & { $metadata?: Record<string, unknown> };
  if (!(cause instanceof Error) && typeof error.message !== 'string')
    return `[${(cause.constructor as { name?: string } | undefined)?.name ?? 'object'}]`;
  const summary: Record<string, unknown> = { name: error.name, message: error.message };
  if (typeof error.code === 'string' || typeof error.code === 'number') summary.code = error.code;
  const status = error.$metadata?.httpStatusCode ?? error.statusCode ?? error.status;
  if (typeof status === 'number') summary.status = status;
  const requestId = error.$metadata?.requestId;
  if (typeof requestId === 'string') summary.requestId = requestId;
  if (error.cause !== undefined) summary.cause = summariseCause(error.cause, depth + 1);
  return summary;
}

/**
 * Own fields of an error a StateStoreError's cause keeps: what failed and where, never a request,
 * a response, a client's configuration or a field the server filled with the key id
 * (`AWSAccessKeyId`, `StringToSign`, `CanonicalRequest` of S3's InvalidAccessKeyId and
 * SignatureDoesNotMatch).
 */
const CAUSE_FIELDS = new Set<PropertyKey>([
  'name',
  'message',
  'stack',
  'cause',
  'errors',
  'code',
  'Code',
  'status',
  'statusCode',
  '$fault',
  '$metadata',
  'errno',
  'syscall',
  'address',
  'port',
  'path',
  'dest',
  'hostname',
]);

/** What the AWS SDK's `$metadata` may keep (its other fields are left out of the copy). */
const METADATA_FIELDS = new Set<PropertyKey>([
  'httpStatusCode',
  'requestId',
  'extendedRequestId',
  'cfId',
  'attempts',
  'totalRetryDelay',
]);

/**
 * Access key ids in text: the value of a SigV4 `Credential=` (header or `X-Amz-Credential` query
 * parameter, up to its `/` or its encoded `%2F`), and AWS's key id shapes (`AKIA...`, `ASIA...`).
 */
const KEY_ID_TEXT =
  /((?:X-Amz-)?Credential=)[^/\s,"&%]+|\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b/g;

function scrubbed<T>(value: T): T {
  return (
    typeof value === 'string' ? value.replace(KEY_ID_TEXT, (_m, field?: string) => `${field ?? ''}[redacted]`) : value
  ) as T;
}

/**
 * `cause` as a StateStoreError keeps it: unchanged when it is safe (a StateStoreError, which
 * redacted its own; an error with only {@link CAUSE_FIELDS} and no key id in its text; a value
 * that is not an error), otherwise a copy (see {@link StateStoreErrorOptions.cause}). `chain`:
 * the causes above, to cut a cycle.
 */
function redactedCause(cause: unknown, chain: unknown[]): unknown {
  if (typeof cause === 'string') return scrubbed(cause);
  if (typeof cause !== 'object' || cause === null || isStateStoreError(cause)) return cause;
  const error = cause as Record<PropertyKey, unknown>;
  if (!(cause instanceof Error) && typeof error.message !== 'string') return cause;
  if (chain.includes(cause) || chain.length >= MAX_CAUSE_DEPTH) return '[cause chain cut]';
  const below = [...chain, cause];
  const inner = error.cause === undefined ? undefined : redactedCause(error.cause, below);
  const list = Array.isArray(error.errors) ? (error.errors as unknown[]) : undefined;
  const errors = list?.map((item) => redactedCause(item, below));
  const metadata = error.$metadata;
  const safe =
    inner === error.cause &&
    (list === undefined || list.every((item, i) => item === errors?.[i])) &&
    Reflect.ownKeys(cause).every((field) => CAUSE_FIELDS.has(field)) &&
    (typeof metadata !== 'object' ||
      metadata === null ||
      Reflect.ownKeys(metadata).every((field) => METADATA_FIELDS.has(field))) &&
    scrubbed(error.message) === error.message &&
    scrubbed(error.stack) === error.stack;
  return safe ? cause : causeCopy(error, inner, errors ?? error.errors);
}

/** A plain Error with the safe fields of `error`, its text scrubbed, `inner` and `errors` as its own. */
function causeCopy(error: Record<PropertyKey, unknown>, inner: unknown, errors: unknown): Error {
  const copy = new Error(
    scrubbed(typeof error.message === 'string' ? error.message : ''),
    inner === undefined ? undefined : { cause: inner },
  ) as Error & Record<PropertyKey, unknown>;
  for (const field of CAUSE_FIELDS) {
    if (field === 'message' || field === 'cause' || !(field in error) || error[field] === undefined) continue;
    if (field === '$metadata' && typeof error.$metadata === 'object' && error.$metadata !== null) {
      const metadata = error.$metadata as Record<PropertyKey, unknown>;
      copy.$metadata = Object.fromEntries(
        [...METADATA_FIELDS].filter((f) => f in metadata).map((f) => [f, metadata[f]]),
      );
    } else copy[field] = field === 'errors' ? errors : scrubbed(error[field]);
  }
  return copy;
}

/**
 * True when `err` is a StateStoreError (from any copy of the package), and, when `code` is given,
 * carries that code.
 *
 * @example
 * ```ts
 * import { isStateStoreError, type Vfs } from 'kops-statestore';
 *
 * async function readIfPresent(vfs: Vfs, key: string) {
 *   try {
 *     return await vfs.read(key);
 *   } catch (err) {
 *     if (isStateStoreError(err, 'NotFound')) return undefined;
 *     throw err;
 *   }
 * }
 * ```
 */
export function isStateStoreError(err: unknown, code?: ErrorCode): err is StateStoreError {
  if (typeof err !== 'object' || err === null) return false;
  const branded = (err as Record<symbol, unknown>)[BRAND] === true;
  if (!branded) return false;
  return code === undefined || (err as StateStoreError).code === code;
}

/** The Aborted error for a fired signal. */
export function abortedError(signal: AbortSignal | undefined, key?: string, backend?: string): StateStoreError {
  return new StateStoreError('Aborted', 'the operation was aborted', { key, backend, cause: signal?.reason });
}

/** Throws Aborted when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, key?: string, backend?: string): void {
  if (signal?.aborted) throw abortedError(signal, key, backend);
}

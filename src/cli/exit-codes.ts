import { isStateStoreError, type ErrorCode } from '../index.js';

/**
 * The exit codes of `statestore`, documented in docs/cli.md. Scripts branch on them, so they never
 * change meaning: 1 is "something else failed", the others name a class of failure.
 */
export const EXIT = {
  OK: 0,
  /** Any failure not listed below. */
  ERROR: 1,
  /** Bad command line: unknown verb or flag, missing argument, conflicting flags. */
  USAGE: 2,
  /** The cluster, instance group or file does not exist. */
  NOT_FOUND: 3,
  /** A configuration failed validation, or an argument (URL, name, path) was invalid. */
  VALIDATION: 4,
  /** A conditional write lost: someone changed the document, or it already exists. */
  CONFLICT: 5,
  /** The store could not be reached, refused the credentials, or throttled us. */
  UNAVAILABLE: 6,
  /** `doctor`: the store does not keep what mergeConfig or leases rely on (conditions accepted, not enforced). */
  UNSAFE: 7,
  /** Interrupted (Ctrl-C): 128 + SIGINT, as shells report it. */
  INTERRUPTED: 130,
} as const;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  NotFound: EXIT.NOT_FOUND,
  ValidationError: EXIT.VALIDATION,
  InvalidArgument: EXIT.VALIDATION,
  AlreadyExists: EXIT.CONFLICT,
  PreconditionFailed: EXIT.CONFLICT,
  Conflict: EXIT.CONFLICT,
  Unavailable: EXIT.UNAVAILABLE,
  RateLimited: EXIT.UNAVAILABLE,
  PermissionDenied: EXIT.UNAVAILABLE,
  Unauthenticated: EXIT.UNAVAILABLE,
  Aborted: EXIT.INTERRUPTED,
};

/** The exit code for an error thrown by the library (or anything else: 1). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (isStateStoreError(err)) return BY_CODE[err.code] ?? EXIT.ERROR;
  return EXIT.ERROR;
}

/** An error of the command line itself (bad usage, a refused edit), with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

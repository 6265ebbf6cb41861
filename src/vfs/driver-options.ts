// Small pieces of the portable layer (src/vfs/portable.ts): the driver's view of a caller's options, a refusal.
import { isStateStoreError, StateStoreError } from '../errors.js';
import type { Condition, DriverOp, ErrorContext, VfsDriver } from './driver.js';
import type { CallOptions } from './types.js';

/**
 * The caller's options as a driver receives them: the condition replaces `ifMatch`/`ifNoneMatch`,
 * so a driver cannot read the caller's form by mistake.
 */
export function driverOptions<O extends { ifMatch?: string; ifNoneMatch?: '*' }>(
  options: O,
  condition: Condition,
): Omit<O, 'ifMatch' | 'ifNoneMatch'> & { condition: Condition } {
  // A loop, not `{ ifMatch, ifNoneMatch, ...rest }`: V8's object rest was a top frame of a small read.
  const out: Record<string, unknown> = {};
  for (const name in options) if (name !== 'ifMatch' && name !== 'ifNoneMatch') out[name] = options[name];
  out['condition'] = condition; // last: a caller's own `condition` never reaches the driver
  return out as Omit<O, 'ifMatch' | 'ifNoneMatch'> & { condition: Condition };
}

/** The refusal of a version call on a backend whose driver keeps no object versions. */
export function noVersions(backend: string, key: string): StateStoreError {
  return new StateStoreError('Unsupported', `${backend}: this backend keeps no object versions`, { key, backend });
}

/** A driver call on one version of an object (`readObjectVersion`, `deleteObjectVersion`). */
type VersionCall<T> = (key: string, versionId: string, options: { signal?: AbortSignal }) => Promise<T>;

/** Calls the driver's `method` on one version of `key`: Unsupported without one, InvalidArgument for a bad id. */
export function onVersion<T>(
  driver: VfsDriver,
  method: VersionCall<T> | undefined,
  key: string,
  versionId: string,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (method === undefined) throw noVersions(driver.backend, key);
  if (typeof versionId !== 'string' || versionId === '' || versionId.length > 1024)
    throw new StateStoreError('InvalidArgument', 'a version id is a non-empty string', {
      key,
      backend: driver.backend,
    });
  return method.call(driver, key, versionId, { signal });
}

/** The calls that may carry a write condition: a write, copy or delete given `ifMatch` or `ifNoneMatch`. */
export function conditional(op: DriverOp, options: CallOptions): boolean {
  if (op !== 'write' && op !== 'writeStream' && op !== 'copy' && op !== 'copyFrom' && op !== 'delete') return false;
  const given = options as { ifMatch?: unknown; ifNoneMatch?: unknown };
  return given.ifMatch !== undefined || given.ifNoneMatch !== undefined;
}

/** Refuses a `CopyFromOptions.ifNoneMatchInService` that is neither `enforce` nor `best-effort` (InvalidArgument). */
export function checkInService(value: unknown, key: string, backend: string): void {
  if (value === undefined || value === 'enforce' || value === 'best-effort') return;
  throw new StateStoreError(
    'InvalidArgument',
    `ifNoneMatchInService must be "enforce" or "best-effort", not ${JSON.stringify(value)}`,
    { key, backend },
  );
}

/**
 * A failure that is no StateStoreError, through the driver's `mapError`: Aborted when that did not
 * map it and the call's signal fired, else Unknown with the failure as its cause.
 */
export function mappedFailure(driver: VfsDriver, err: unknown, context: ErrorContext): StateStoreError {
  let mapped: unknown;
  try {
    mapped = driver.mapError(err, context);
  } catch {
    // The contract says mapError is total; a third-party driver's bug still ends as Unknown below.
  }
  if (isStateStoreError(mapped)) return mapped;
  const { backend } = driver;
  if (context.signal?.aborted)
    return new StateStoreError('Aborted', 'the operation was aborted', { key: context.key, backend, cause: err });
  const where = context.key === undefined ? '' : ` for key ${JSON.stringify(context.key)}`;
  return new StateStoreError('Unknown', `${backend}: unexpected failure${where}`, {
    key: context.key,
    backend,
    cause: err,
  });
}

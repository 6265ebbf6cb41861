/** {@link WatchOptions} checked and completed, before the watch does any I/O. */
import { StateStoreError } from '../../errors.js';
import { validateClusterName, validateInstanceGroupName } from '../names.js';
import type { WatchKind, WatchOptions } from './types.js';

/** The defaults of {@link WatchOptions}. */
export const WATCH_DEFAULTS = { intervalMs: 5000, maxFailedPolls: 5 } as const;

/** Failed polls back off up to this many times `maxIntervalMs`. */
export const ERROR_BACKOFF_FACTOR = 32;

/** Options with every default applied. */
export interface ResolvedWatchOptions {
  signal: AbortSignal | undefined;
  intervalMs: number;
  maxIntervalMs: number;
  config: boolean;
  /** Whether groups are watched. */
  groups: boolean;
  /** The groups to watch; undefined for every group. */
  names: ReadonlySet<string> | undefined;
  maxFailedPolls: number;
}

/** Checks `options` (InvalidArgument for anything out of range) and applies the defaults. */
export function resolveWatchOptions(cluster: string, options: WatchOptions = {}): ResolvedWatchOptions {
  validateClusterName(cluster);
  const intervalMs = positive('intervalMs', options.intervalMs ?? WATCH_DEFAULTS.intervalMs);
  const maxIntervalMs = positive('maxIntervalMs', options.maxIntervalMs ?? intervalMs);
  if (maxIntervalMs < intervalMs)
    throw new StateStoreError(
      'InvalidArgument',
      `maxIntervalMs (${maxIntervalMs}) is below intervalMs (${intervalMs})`,
    );
  const maxFailedPolls = options.maxFailedPolls ?? WATCH_DEFAULTS.maxFailedPolls;
  if (!Number.isSafeInteger(maxFailedPolls) || maxFailedPolls < 1)
    throw new StateStoreError('InvalidArgument', `maxFailedPolls must be a whole number ≥ 1, not ${maxFailedPolls}`);
  const kinds = new Set<WatchKind>(options.kinds ?? ['config']);
  for (const kind of kinds)
    if (kind !== 'config' && kind !== 'instancegroup')
      throw new StateStoreError('InvalidArgument', `unknown watch kind "${String(kind)}" (config or instancegroup)`);
  if (options.names !== undefined) {
    for (const name of options.names) validateInstanceGroupName(name);
    kinds.add('instancegroup');
  }
  if (kinds.size === 0) throw new StateStoreError('InvalidArgument', 'kinds is empty: nothing to watch');
  return {
    signal: options.signal,
    intervalMs,
    maxIntervalMs,
    config: kinds.has('config'),
    groups: kinds.has('instancegroup'),
    names: options.names === undefined ? undefined : new Set(options.names),
    maxFailedPolls,
  };
}

function positive(name: string, value: number): number {
  // setTimeout clamps anything above 2^31-1 ms to 1 ms: refuse it rather than poll in a tight loop.
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1)
    throw new StateStoreError('InvalidArgument', `${name} must be a positive number of milliseconds, not ${value}`);
  return value;
}

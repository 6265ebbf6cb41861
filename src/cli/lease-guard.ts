/**
 * How writing verbs respect a cluster's lease, as Terraform's commands respect its state lock:
 * each write runs holding the lease (operation = the verb), so a lease someone else holds stops it
 * with the holder's info (exit 5), or waits for it with `--lock-timeout`. The holder itself
 * writes: a lease whose owner is this user@host (what `lease acquire` writes by default) or whose
 * id is given with `--lease-id` / STATESTORE_LEASE_ID. See docs/leases.md.
 */
import { hostname, userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import {
  isStateStoreError,
  MAX_LEASE_TTL_MS,
  type Lease,
  type LeaseInfo,
  type StateStore,
  type WithLeaseOptions,
} from '../index.js';
import { withStore, type Context, type LeaseFlags } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { abortOnSignal, exitCodeOf, releaseOnSignal, type SignalAbort } from './interrupt.js';
import { parseDuration } from './durations.js';

/** The help of the `--no-lease` flag. */
export const NO_LEASE_HELP =
  "don't take the cluster's lease (a lease someone else holds is then ignored; not recommended)";

/** Adds `--no-lease`, `--lock-timeout DURATION` and `--lease-id ID` (Terraform: -lock=false, -lock-timeout). */
export function leaseFlags<T extends Command>(command: T): T {
  command
    .option('--no-lease', NO_LEASE_HELP)
    .option(
      '--lock-timeout <duration>',
      "wait this long for someone else's lease (e.g. 30s, 5m; default 0s: fail at once)",
    )
    .addOption(
      new Option('--lease-id <id>', 'write under the lease with this id (taken by `lease acquire`)').env(
        'STATESTORE_LEASE_ID',
      ),
    );
  return command;
}

/**
 * The owner the command line writes: `user@host`, without the process id, so that `lease release`
 * and the writing verbs from the same account and machine recognise a lease `lease acquire` took.
 */
export function cliOwner(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: keep the environment's name
  }
  return `${user}@${hostname()}`;
}

/** The owner of a lease one command takes for itself: not the same as a lease `lease acquire` took. */
export function commandOwner(): string {
  return `${cliOwner()} pid ${process.pid}`;
}

/** Whether this command is the holder of a live lease: same user@host, or given its id. */
export function isHolder(info: LeaseInfo, flags: LeaseFlags): boolean {
  return !info.expired && (info.owner === cliOwner() || (flags.leaseId !== undefined && flags.leaseId === info.id));
}

/**
 * Runs `fn`, a write of `cluster` by the verb `operation`, under the cluster's lease: taken for the
 * write (renewed meanwhile, released after, and on Ctrl-C), or not taken when this command is
 * already its holder, or with --no-lease, or on a backend that cannot hold leases (no
 * compare-and-swap: each write there is unconditional anyway). `fn` gets the lease it may fence
 * its writes with. Ctrl-C (or SIGTERM) while the lease is being taken or waited for aborts the
 * acquire, which withdraws a lease write that may have landed, and ends the command (130 / 143)
 * before `fn` runs.
 */
export async function asWriter<T>(
  ctx: Context,
  store: StateStore,
  cluster: string,
  operation: string,
  fn: (lease: Lease | undefined) => Promise<T>,
): Promise<T> {
  const flags = ctx.flags;
  const maxWaitMs = flags.lockTimeout === undefined ? 0 : parseDuration(flags.lockTimeout, '--lock-timeout', true);
  const { ifMatch, ifNoneMatch } = await store.vfs.loadCapabilities();
  const capable = ifMatch && ifNoneMatch;
  if (flags.lease === false || !capable) return fn(undefined);
  const interrupt = abortOnSignal();
  const options = { owner: commandOwner(), operation, ttlMs: commandTtl(), signal: interrupt.signal };
  try {
    return await takeOrWait(ctx, store, cluster, fn, { options, maxWaitMs, interrupt });
  } catch (err) {
    // Only a signal before the lease was held is ours to report: fn did not run, nothing was written.
    const signal = interrupt.received();
    if (signal === undefined) throw err;
    throw new CliError(
      `interrupted before the lease on cluster "${cluster}" was held: nothing was written`,
      exitCodeOf(signal),
    );
  } finally {
    interrupt.stop();
  }
}

interface Taking {
  options: WithLeaseOptions;
  maxWaitMs: number;
  interrupt: SignalAbort;
}

/** Takes the lease and runs `fn` under it: ours, or wait for it, or refuse. */
async function takeOrWait<T>(
  ctx: Context,
  store: StateStore,
  cluster: string,
  fn: (lease: Lease | undefined) => Promise<T>,
  { options, maxWaitMs, interrupt }: Taking,
): Promise<T> {
  // Taken first, looked at only when held (one request fewer in the usual case).
  const taken = await underLease(store, cluster, fn, options, interrupt);
  if (taken.done) return taken.value;
  const current = await store.readLease(cluster, { signal: interrupt.signal }).catch(() => undefined);
  interrupt.signal.throwIfAborted();
  if (current !== undefined && isHolder(current, ctx.flags)) {
    interrupt.stop(); // nothing to take: the command already holds it (a signal ends it at once)
    return fn(undefined);
  }
  // Wait for it; or, released between the two looks, try once more.
  if (maxWaitMs > 0 || current === undefined) {
    if (current !== undefined)
      ctx.out.info(
        `cluster "${cluster}" is leased by ${JSON.stringify(current.owner)}; waiting up to ${ctx.flags.lockTimeout} for it (Ctrl-C stops)`,
      );
    const again = await underLease(store, cluster, fn, { ...options, wait: maxWaitMs > 0, maxWaitMs }, interrupt);
    if (again.done) return again.value;
  }
  throw await heldByOther(store, cluster, taken.message, maxWaitMs);
}

/**
 * `fn` under the cluster's lease (released on Ctrl-C), or the message of a lease someone else
 * holds. Once the lease is held, `interrupt` stops listening: a signal then releases the lease
 * (interrupt.ts); one that came while the acquire was finishing releases it before `fn` runs.
 */
async function underLease<T>(
  store: StateStore,
  cluster: string,
  fn: (lease: Lease | undefined) => Promise<T>,
  options: WithLeaseOptions,
  interrupt: SignalAbort,
): Promise<{ done: true; value: T } | { done: false; message: string }> {
  try {
    const value = await store.withLease(
      cluster,
      async (lease) => {
        const untrack = releaseOnSignal(lease);
        interrupt.stop();
        try {
          interrupt.signal.throwIfAborted();
          return await fn(lease);
        } finally {
          untrack();
        }
      },
      options,
    );
    return { done: true, value };
  } catch (err) {
    if (isStateStoreError(err, 'Conflict') && err.key?.endsWith('/backups/statestore/lease'))
      return { done: false, message: err.message };
    throw err;
  }
}

/**
 * The ttl of the lease a writing verb takes: 60 s, renewed every 20 s; STATESTORE_LEASE_TTL
 * (a duration, 1s to 168h) changes it, for stores slower than that or tests.
 */
function commandTtl(): number {
  const text = process.env.STATESTORE_LEASE_TTL;
  if (text === undefined || text === '') return 60_000;
  const ttlMs = parseDuration(text, 'STATESTORE_LEASE_TTL');
  if (ttlMs < 1_000 || ttlMs > MAX_LEASE_TTL_MS)
    throw new CliError(`STATESTORE_LEASE_TTL must be from 1s to 168h, not "${text}"`, EXIT.USAGE);
  return ttlMs;
}

/** Terraform's "Error acquiring the state lock" with its "Lock Info", and what to do about it. */
async function heldByOther(store: StateStore, cluster: string, message: string, waitedMs: number): Promise<CliError> {
  const info = await store.readLease(cluster).catch(() => undefined);
  const waited = waitedMs > 0 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : '';
  const lines = [
    info === undefined ? message : `cluster "${cluster}" is leased by someone else${waited}; nothing was written`,
    ...(info === undefined ? [] : ['Lease info:', ...holderLines(info).map((line) => `  ${line}`)]),
    'Wait for it with --lock-timeout DURATION, write as its holder with --lease-id ID,',
    "or ignore it with --no-lease (not recommended: the holder's changes and yours may interleave).",
  ];
  return new CliError(lines.join('\n'), EXIT.CONFLICT);
}

/** The holder's fields, one per line (`lease show`, refusals): stored strings quoted, times re-printed. */
export function holderLines(info: LeaseInfo): string[] {
  const host =
    info.host === undefined ? '' : `${JSON.stringify(info.host)}${info.pid === undefined ? '' : ` pid ${info.pid}`}`;
  const state = !info.trusted ? ' (implausible: treated as expired)' : info.expired ? ' (expired)' : '';
  return [
    `ID:        ${info.id}`,
    `Who:       ${JSON.stringify(info.owner)}`,
    ...(info.operation === undefined ? [] : [`Operation: ${JSON.stringify(info.operation)}`]),
    ...(host === '' ? [] : [`Host:      ${host}`]),
    `Acquired:  ${iso(info.acquiredAt)}`,
    `Renewed:   ${iso(info.renewedAt)}`,
    `Expires:   ${iso(info.expiresAt)}${state}`,
  ];
}

/** A date as ISO 8601, or "invalid date" (never a RangeError). */
export function iso(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString();
}

/**
 * Runs `fn` holding the lease of every cluster in `clusters` (in order; none taken when `enabled`
 * is false), each renewed in the background. `fn`'s signal aborts when one is lost or `signal`
 * aborts. A lease held by someone else fails with exit code 5 naming the holder.
 */
export async function withCliLeases<T>(
  store: StateStore,
  clusters: readonly string[],
  fn: (signal: AbortSignal | undefined, leases: ReadonlyMap<string, Lease>) => Promise<T>,
  options: { enabled: boolean; signal?: AbortSignal; operation?: string },
): Promise<T> {
  const held = new Map<string, Lease>();
  const nest = (index: number, signal: AbortSignal | undefined): Promise<T> => {
    if (!options.enabled || index === clusters.length) return fn(signal, held);
    const cluster = clusters[index]!;
    return store
      .withLease(
        cluster,
        (lease, inner) => {
          held.set(cluster, lease);
          return nest(index + 1, inner);
        },
        { owner: commandOwner(), operation: options.operation ?? 'move', ...(signal ? { signal } : {}) },
      )
      .catch((err: unknown) => {
        if (isStateStoreError(err, 'Conflict') && !held.has(cluster))
          throw new CliError(`${err.message}; wait until then, or pass --no-lease to ignore it`, EXIT.CONFLICT);
        throw err;
      });
  };
  return nest(0, options.signal);
}

/**
 * `withStore` + `asWriter`: opens the store and runs `fn` as a writer of `cluster` (unless
 * `dryRun`: a dry run writes nothing, so it needs no lease and is not stopped by one).
 */
export function withWriter<T>(
  ctx: Context,
  cluster: string,
  operation: string,
  fn: (store: StateStore, lease: Lease | undefined) => Promise<T>,
  options: { dryRun?: boolean } = {},
): Promise<T> {
  return withStore(ctx, (store) =>
    options.dryRun === true
      ? fn(store, undefined)
      : asWriter(ctx, store, cluster, operation, (lease) => fn(store, lease)),
  );
}

/**
 * For a write that creates the cluster (no lease can be taken on a cluster that does not exist):
 * refuses when a live lease left at its name is someone else's.
 */
export async function assertNotLeased(ctx: Context, store: StateStore, cluster: string): Promise<void> {
  if (ctx.flags.lease === false) return;
  const info = await store.readLease(cluster).catch(() => undefined);
  if (info !== undefined && !info.expired && !isHolder(info, ctx.flags))
    throw await heldByOther(store, cluster, `cluster "${cluster}" is leased`, 0);
}

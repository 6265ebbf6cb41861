import { hostname, userInfo } from 'node:os';
import { Command } from 'commander';
import { isStateStoreError, type Lease, type LeaseInfo, type StateStore } from '../index.js';
import { leaseKey } from '../store/lease/document.js';
import { contextOf, withStore, type Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';

interface LeaseFlags {
  ttl?: string;
  owner?: string;
  wait?: boolean;
  force?: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `1h`, `500ms`; a bare number is seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match === null ? NaN : Number(match[1]) * UNITS[match[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new CliError(`${flag} must be a positive duration such as 90s, 5m or 1h, not "${text}"`, EXIT.USAGE);
  return ms;
}

/**
 * The owner the command line writes: `user@host`, without the process id, so that `lease release`
 * from the same account and machine recognises a lease `lease acquire` took.
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

/** `statestore lease acquire|release|show cluster NAME`. */
export function leaseCommand(): Command {
  const lease = new Command('lease').description(
    "Take, give back or show a cluster's lease (one holder at a time; see docs/leases.md)",
  );
  lease.addCommand(
    verb('acquire', 'Take the lease until --ttl passes or `lease release`', acquire, [
      'statestore lease acquire cluster prod.example.com --ttl 30m --owner ci-pipeline-42',
      'statestore lease acquire cluster prod.example.com --wait',
    ]),
  );
  lease.addCommand(
    verb('release', 'Give the lease back (only your own, unless --force)', release, [
      'statestore lease release cluster prod.example.com --owner ci-pipeline-42',
      'statestore lease release cluster prod.example.com --force',
    ]),
  );
  lease.addCommand(
    verb('show', 'Print who holds the lease and until when', show, [
      'statestore lease show cluster prod.example.com',
      'statestore lease show cluster prod.example.com --json',
    ]),
  );
  return examples(lease, [
    'statestore lease acquire cluster prod.example.com --ttl 30m --owner ci-pipeline-42',
    'statestore lease show cluster prod.example.com --json',
    'statestore lease release cluster prod.example.com --owner ci-pipeline-42',
  ]);
}

type Action = (ctx: Context, store: StateStore, cluster: string, flags: LeaseFlags) => Promise<void>;

function verb(name: string, description: string, action: Action, lines: string[]): Command {
  const cmd = new Command(name).description(description);
  const cluster = new Command('cluster').argument('<name>', 'the cluster').description(description);
  if (name !== 'show') cluster.option('--owner <name>', 'who holds it (default: user@host)');
  if (name === 'acquire')
    cluster
      .option('--ttl <duration>', 'how long it holds, e.g. 90s, 30m (default 10m)')
      .option('--wait', 'wait until the lease is free instead of failing');
  if (name === 'release') cluster.option('--force', "release someone else's lease (it may still be in use)");
  cluster.action(async (clusterName: string, flags: LeaseFlags, command: Command) => {
    const ctx = contextOf(command);
    await withStore(ctx, (store) => action(ctx, store, clusterName, flags));
  });
  return examples(cmd.addCommand(examples(cluster, lines)), lines);
}

const acquire: Action = async (ctx, store, cluster, flags) => {
  const ttlMs = parseDuration(flags.ttl ?? '10m', '--ttl');
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const lease = await store.acquireLease(cluster, {
      ttlMs,
      owner: flags.owner ?? cliOwner(),
      wait: flags.wait === true,
      signal: controller.signal,
    });
    const info = { cluster, owner: lease.owner, expiresAt: lease.expiresAt.toISOString() };
    if (ctx.out.json) return ctx.out.result(info);
    ctx.out.text(`cluster "${cluster}" leased by ${lease.owner} until ${info.expiresAt}`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
};

const release: Action = async (ctx, store, cluster, flags) => {
  const info = await store.readLease(cluster).catch(async (err: unknown) => {
    // Not a lease document at all (damaged): only --force removes it.
    if (!isStateStoreError(err, 'IntegrityError') || flags.force !== true) throw err;
    await store.vfs.delete(leaseKey(cluster));
    return null;
  });
  if (info === null) return ctx.out.info(`removed the damaged lease object of cluster "${cluster}"`);
  if (info === undefined) return ctx.out.info(`cluster "${cluster}" is not leased`);
  const owner = flags.owner ?? cliOwner();
  if (info.owner !== owner && !info.expired && flags.force !== true)
    throw new CliError(`${describe(info)}; not yours (${owner}): pass --force to release it anyway`, EXIT.CONFLICT);
  // Conditional on the version just read: a lease renewed or taken meanwhile is left alone.
  const key = leaseKey(cluster);
  if (store.vfs.capabilities.deleteIfMatch) await store.vfs.delete(key, { ifMatch: info.version });
  else await store.vfs.delete(key);
  ctx.out.info(`released the lease on cluster "${cluster}" (held by ${info.owner})`);
};

const show: Action = async (ctx, store, cluster) => {
  const info = await store.readLease(cluster);
  if (ctx.out.json)
    return ctx.out.result(info === undefined ? { cluster, leased: false } : { leased: !info.expired, ...info });
  ctx.out.text(info === undefined ? `cluster "${cluster}" is not leased` : describe(info));
};

function describe(info: LeaseInfo): string {
  const state = info.expired ? 'expired at' : 'until';
  return `cluster "${info.cluster}" is leased by ${JSON.stringify(info.owner)} ${state} ${info.expiresAt.toISOString()} (renewed ${info.renewedAt.toISOString()})`;
}

/** The help of the `--no-lease` flag of `move` and `edit`. */
export const NO_LEASE_HELP = "don't take the cluster's lease (a lease someone else holds is then ignored)";

/**
 * Runs `fn` holding the lease of every cluster in `clusters` (in order; none taken when `enabled`
 * is false), each renewed in the background. `fn`'s signal aborts when one is lost or `signal`
 * aborts. A lease held by someone else fails with exit code 5 naming the holder.
 */
export async function withCliLeases<T>(
  store: StateStore,
  clusters: readonly string[],
  fn: (signal: AbortSignal | undefined, leases: ReadonlyMap<string, Lease>) => Promise<T>,
  options: { enabled: boolean; signal?: AbortSignal },
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
        { owner: `${cliOwner()} pid ${process.pid}`, ...(signal ? { signal } : {}) },
      )
      .catch((err: unknown) => {
        if (isStateStoreError(err, 'Conflict') && !held.has(cluster))
          throw new CliError(`${err.message}; wait until then, or pass --no-lease to ignore it`, EXIT.CONFLICT);
        throw err;
      });
  };
  return nest(0, options.signal);
}

/** Takes the cluster's lease for this command, or fails with exit code 5 naming the holder. */
async function takeForCommand(store: StateStore, cluster: string): Promise<Lease> {
  try {
    return await store.acquireLease(cluster, { owner: `${cliOwner()} pid ${process.pid}` });
  } catch (err) {
    if (isStateStoreError(err, 'Conflict'))
      throw new CliError(`${err.message}; wait until then, or pass --no-lease to ignore it`, EXIT.CONFLICT);
    throw err;
  }
}

/**
 * The lease of `edit`: taken before the editor opens (so a cluster someone else holds fails at
 * once), released at the end. The editor blocks this process, so no renewal runs meanwhile: `fresh`
 * hands the lease to each save, taken again first if it lapsed during the edit and nobody else took
 * it (the save's compare-and-swap still guards the document itself).
 */
export async function withEditLease<T>(
  store: StateStore,
  cluster: string,
  enabled: boolean,
  fn: (fresh: () => Promise<Lease | undefined>) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(async () => undefined);
  let lease = await takeForCommand(store, cluster);
  try {
    return await fn(async () => {
      if (!lease.held) lease = await takeForCommand(store, cluster);
      return lease;
    });
  } finally {
    await lease.release().catch(() => undefined);
  }
}

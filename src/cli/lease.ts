import { Command } from 'commander';
import {
  isStateStoreError,
  leaseKey,
  MAX_LEASE_TTL_MS,
  MIN_LEASE_TTL_MS,
  StateStoreError,
  type LeaseInfo,
  type StateStore,
} from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { parseDuration } from './durations.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';
import { cliOwner, holderLines, iso } from './lease-guard.js';

interface LeaseFlags {
  ttl?: string;
  owner?: string;
  operation?: string;
  wait?: string | boolean;
  force?: string | boolean;
}

/** `statestore lease acquire|release|show cluster NAME`. */
export function leaseCommand(): Command {
  const lease = new Command('lease').description(
    "Take, give back or show a cluster's lease (one holder at a time; see docs/leases.md)",
  );
  lease.addCommand(
    verb('acquire', 'Take the lease until --ttl passes or `lease release`', acquire, [
      'statestore lease acquire cluster prod.example.com --ttl 30m --owner ci-pipeline-42 --operation upgrade',
      'statestore lease acquire cluster prod.example.com --wait 5m',
    ]),
  );
  lease.addCommand(
    verb('release', 'Give the lease back (only your own, or the one whose id --force names)', release, [
      'statestore lease release cluster prod.example.com --owner ci-pipeline-42',
      'statestore lease release cluster prod.example.com --force 3f2a9c0e8b7d4e1fa5c6b9d8e7f60123',
    ]),
  );
  lease.addCommand(
    verb('show', 'Print who holds the lease, why, and until when', show, [
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
      .option('--ttl <duration>', 'how long it holds, e.g. 90s, 30m (default 10m, at most 168h)')
      .option('--operation <text>', 'what you are doing, shown to others (default "lease acquire")')
      .option(
        '--wait [duration]',
        'wait for a lease someone else holds (at most DURATION, e.g. 5m; no limit without one)',
      );
  if (name === 'release')
    cluster.option(
      '--force [id]',
      "release someone else's lease: the one with this id (`lease show`), or a damaged or expired one",
    );
  cluster.action(async (clusterName: string, flags: LeaseFlags, command: Command) => {
    const ctx = contextOf(command);
    await withStore(ctx, (store) => action(ctx, store, clusterName, flags));
  });
  return examples(cmd.addCommand(examples(cluster, lines)), lines);
}

function ttlOf(flag: string | undefined): number {
  const ttlMs = parseDuration(flag ?? '10m', '--ttl');
  if (ttlMs < MIN_LEASE_TTL_MS || ttlMs > MAX_LEASE_TTL_MS)
    throw new CliError(
      `--ttl must be from ${MIN_LEASE_TTL_MS}ms to ${MAX_LEASE_TTL_MS / 3_600_000}h (7 days), not "${flag}"`,
      EXIT.VALIDATION,
    );
  return ttlMs;
}

const acquire: Action = async (ctx, store, cluster, flags) => {
  const ttlMs = ttlOf(flags.ttl);
  const maxWaitMs = typeof flags.wait === 'string' ? parseDuration(flags.wait, '--wait') : undefined;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const lease = await store.acquireLease(cluster, {
      ttlMs,
      owner: flags.owner ?? cliOwner(),
      operation: flags.operation ?? 'lease acquire',
      wait: flags.wait !== undefined,
      ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
      signal: controller.signal,
    });
    const info = { cluster, id: lease.id, owner: lease.owner, expiresAt: lease.expiresAt.toISOString() };
    if (ctx.out.json) return ctx.out.result(info);
    ctx.out.text(
      `cluster "${cluster}" leased by ${JSON.stringify(lease.owner)} until ${info.expiresAt} (lease id ${lease.id})`,
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
};

const release: Action = async (ctx, store, cluster, flags) => {
  const key = leaseKey(cluster);
  if (!(await store.vfs.loadCapabilities()).deleteIfMatch)
    throw new StateStoreError('Unsupported', `the ${store.vfs.backend} backend cannot hold leases`, { key });
  const info = await store.readLease(cluster).catch(async (err: unknown) => {
    // Not a lease document at all (damaged): it counts as expired; --force removes it.
    if (!isStateStoreError(err, 'IntegrityError') || flags.force === undefined) throw err;
    await store.vfs.delete(key);
    return null;
  });
  if (info === null) return ctx.out.info(`removed the damaged lease object of cluster "${cluster}"`);
  if (info === undefined) return ctx.out.info(`cluster "${cluster}" is not leased`);
  refuseUnlessReleasable(info, flags);
  // Conditional on the version just read: a lease renewed or taken meanwhile is left alone.
  await store.vfs.delete(key, { ifMatch: info.version }).catch((err: unknown) => {
    if (isStateStoreError(err, 'PreconditionFailed'))
      throw new CliError(
        `the lease on cluster "${cluster}" changed meanwhile; nothing removed (see lease show)`,
        EXIT.CONFLICT,
      );
    throw err;
  });
  ctx.out.info(`released the lease ${info.id} on cluster "${cluster}" (held by ${JSON.stringify(info.owner)})`);
};

/**
 * Yours (owner), or named by its id with --force (a nonce, as Terraform's `force-unlock LOCK_ID`:
 * another live lease is never removed by mistake), or already expired or implausible.
 */
function refuseUnlessReleasable(info: LeaseInfo, flags: LeaseFlags): void {
  const owner = flags.owner ?? cliOwner();
  if (typeof flags.force === 'string') {
    if (flags.force === info.id) return;
    throw new CliError(
      `the lease on cluster "${info.cluster}" has id ${info.id}, not ${JSON.stringify(flags.force)}: nothing removed`,
      EXIT.CONFLICT,
    );
  }
  if (info.owner === owner || info.expired) return;
  throw new CliError(
    `${describe(info)}; not yours (${JSON.stringify(owner)}): to release it anyway, name it: --force ${info.id}`,
    EXIT.CONFLICT,
  );
}

const show: Action = async (ctx, store, cluster) => {
  const info = await store.readLease(cluster);
  if (ctx.out.json)
    return ctx.out.result(info === undefined ? { cluster, leased: false } : { leased: !info.expired, ...info });
  if (info === undefined) return ctx.out.text(`cluster "${cluster}" is not leased`);
  ctx.out.text(
    [`cluster "${cluster}"${info.expired ? ': the last lease has expired' : ' is leased'}`, ...holderLines(info)].join(
      '\n',
    ),
  );
};

function describe(info: LeaseInfo): string {
  const state = info.expired ? 'expired at' : 'until';
  return `cluster "${info.cluster}" is leased by ${JSON.stringify(info.owner)} ${state} ${iso(info.expiresAt)} (lease id ${info.id})`;
}

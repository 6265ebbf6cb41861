import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { openStateStore, type StateStore } from '../index.js';
import { CliError, EXIT } from './exit-codes.js';
import { Output, type Format } from './output.js';

/** The lease flags of every writing verb (`leaseFlags()` in lease-guard.ts adds them). */
export interface LeaseFlags {
  /** False with --no-lease. */
  lease?: boolean;
  lockTimeout?: string;
  leaseId?: string;
}

/** The global flags, as commander parses them, and the lease flags of writing verbs. */
export interface GlobalFlags extends LeaseFlags {
  state?: string;
  output?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  reason?: string;
  author?: string;
}

/** What every verb gets: the output sink and a way to open the store named by --state. */
export interface Context {
  out: Output;
  flags: GlobalFlags;
  /** Opens the store: --state, else KOPS_STATE_STORE, else the library default (openStateStore decides); encrypting with STATESTORE_KEY. */
  open(): Promise<StateStore>;
}

const FORMATS: readonly Format[] = ['yaml', 'json', 'table'];

/** The context of the command being run (its own flags merged with the program's). */
export function contextOf(command: Command): Context {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const out = new Output({ format: formatOf(flags), quiet: flags.quiet === true });
  // STATESTORE_KEY (never a flag: it would land in shell history) turns on the library's
  // envelope encryption of secrets and private keys, as in the README's example.
  // STATESTORE_ALLOW_PLAINTEXT=1 also reads plain (kops-written) values in such a store, while it
  // is being migrated to encryption (the library's allowPlaintext).
  const key = process.env.STATESTORE_KEY;
  const allowPlaintext = process.env.STATESTORE_ALLOW_PLAINTEXT === '1';
  // Every write of a config or instance group records who (the OS user and host, or --author) and
  // why (--reason) in the cluster's history, as helm and kubectl keep a change cause.
  const history = { defaults: { author: flags.author ?? osAuthor(), reason: flags.reason } };
  return {
    out,
    flags,
    open: () => openStateStore(flags.state, { history, ...(key ? { encryption: key, allowPlaintext } : {}) }),
  };
}

/** `user@host` of the process, for history entries (no user name on some containers: the host alone). */
export function osAuthor(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME;
  }
  return user ? `${user}@${hostname()}` : hostname();
}

function formatOf(flags: GlobalFlags): Format | undefined {
  if (flags.json) return 'json';
  if (flags.output === undefined) return undefined;
  if (!(FORMATS as readonly string[]).includes(flags.output)) {
    throw new CliError(`unknown output format "${flags.output}" (yaml, json or table)`, EXIT.USAGE);
  }
  return flags.output as Format;
}

/** Runs `body` with an open store and closes it after, whatever happens. */
export async function withStore<T>(ctx: Context, body: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await ctx.open();
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

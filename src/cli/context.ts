import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { isStateStoreError, openStateStore, StateStoreError, type StateStore } from '../index.js';
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
  const open = async (): Promise<StateStore> => {
    const store = await openStateStore(flags.state, { history, ...(key ? { encryption: key, allowPlaintext } : {}) });
    // commander fills --state from KOPS_STATE_STORE: unset here means neither was given, and a
    // store nobody named (./.statestore) is easy to write to without noticing. Say which one.
    if (flags.state === undefined)
      out.info(`using the default state store ${store.url} (no --state or KOPS_STATE_STORE)`);
    return store;
  };
  return { out, flags, open };
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

/**
 * Runs `body` with an open store and closes it after, whatever happens. A NotFound names the store
 * it looked in: a mistyped --state, or the wrong KOPS_STATE_STORE, is the usual cause.
 */
export async function withStore<T>(ctx: Context, body: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await ctx.open();
  try {
    return await body(store);
  } catch (err) {
    throw inStore(err, store.url);
  } finally {
    await store.close();
  }
}

/** A NotFound error (library or command line) with the store it looked in, once; any other error as it is. */
export function inStore(err: unknown, url: string): unknown {
  const where = ` in state store ${url}`;
  if (err instanceof CliError && err.exitCode === EXIT.NOT_FOUND && !err.message.includes(where))
    return new CliError(`${err.message}${where}`, EXIT.NOT_FOUND);
  if (!isStateStoreError(err, 'NotFound') || err.message.includes(where)) return err;
  return new StateStoreError('NotFound', `${err.message}${where}`, { key: err.key, backend: err.backend, cause: err });
}

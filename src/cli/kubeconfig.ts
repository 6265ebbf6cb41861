import { X509Certificate } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { DEFAULT_ADMIN_LIFETIME_MS, mergeKubeconfig, type KubeconfigFile } from '../index.js';
import { contextOf, withStore } from './context.js';
import { parseDuration } from './durations.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help.js';

/**
 * `statestore kubeconfig CLUSTER`: `kops export kubeconfig` from the store (kops:
 * cmd/kops/export_kubeconfig.go, pkg/kubeconfig/create_kubecfg.go), merged into the kubeconfig
 * files as kops (client-go) merges them. A read of the store: it takes no lease.
 */

interface KubeconfigFlags {
  name?: string;
  admin?: string | boolean;
  user?: string;
  internal?: boolean;
  authPlugin?: boolean;
  apiServer?: string;
  kubeconfig?: string;
  lbAddress?: string[];
}

/** The files kops would read and write, in precedence order (client-go PathOptions.GetLoadingPrecedence). */
export function kubeconfigPaths(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [explicit];
  const listed = (env.KUBECONFIG ?? '').split(path.delimiter).filter((file) => file !== '');
  if (listed.length > 0) return [...new Set(listed)];
  return [path.join(homedir(), '.kube', 'config')];
}

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
}

/** Writes as client-go's WriteToFile (folder 0755, file 0600) under its `<file>.lock` (config.go lockFile), atomically. */
async function writeLocked(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  const lock = await open(`${file}.lock`, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST')
      throw new CliError(`${file}.lock exists: another kubectl or kops is writing ${file}`, EXIT.CONFLICT);
    throw err;
  });
  try {
    const temp = `${file}.statestore-${process.pid}`;
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, file);
  } finally {
    await lock.close();
    await rm(`${file}.lock`, { force: true });
  }
}

function adminLifetime(admin: string | boolean | undefined): number {
  if (admin === undefined || admin === false) return 0;
  return admin === true ? DEFAULT_ADMIN_LIFETIME_MS : parseDuration(admin, '--admin');
}

/** The action of `kubeconfig`: export from the store, merge into the kubeconfig files. */
async function exportKubeconfig(
  positional: string | undefined,
  opts: KubeconfigFlags,
  command: Command,
): Promise<void> {
  const ctx = contextOf(command);
  // `kubeconfig --admin CLUSTER`: commander gives the cluster to --admin, whose value is optional.
  const adminTakesCluster = typeof opts.admin === 'string' && !/^\d/.test(opts.admin) && positional === undefined;
  const cluster = adminTakesCluster ? (opts.admin as string) : (positional ?? opts.name);
  if (!cluster) throw new CliError('the cluster is required: give it as an argument or --name', EXIT.USAGE);
  const admin = adminLifetime(adminTakesCluster ? true : opts.admin);
  if (admin !== 0 && opts.user) throw new CliError('cannot use both --admin and --user', EXIT.USAGE);
  const kc = await withStore(ctx, (store) =>
    store.exportKubeconfig(cluster, {
      admin,
      ...(opts.user ? { user: opts.user } : {}),
      internal: opts.internal === true,
      authPlugin: opts.authPlugin === true,
      ...(opts.apiServer ? { apiServer: opts.apiServer } : {}),
      ...(opts.lbAddress ? { apiIngress: opts.lbAddress.map((hostname) => ({ hostname })) } : {}),
    }),
  );
  for (const warning of kc.warnings) ctx.out.warn(warning);
  const paths = kubeconfigPaths(opts.kubeconfig);
  const files: KubeconfigFile[] = await Promise.all(paths.map(async (p) => ({ path: p, text: await readOptional(p) })));
  const written = mergeKubeconfig(files, kc);
  for (const [file, text] of written) await writeLocked(file, text);
  const expires = kc.clientCertificate && new Date(new X509Certificate(kc.clientCertificate).validTo).toISOString();
  if (ctx.out.json)
    ctx.out.result({
      context: kc.context,
      server: kc.server,
      tlsServerName: kc.tlsServerName,
      user: kc.user,
      files: [...written.keys()],
      ...(expires ? { adminCertificateExpires: expires } : {}),
    });
  ctx.out.info(`kubectl context set to ${kc.context} (${[...written.keys()].join(', ')})`);
  if (expires) ctx.out.info(`admin certificate valid until ${expires}`);
}

export function kubeconfigCommand(): Command {
  const cmd = new Command('kubeconfig')
    .alias('kubecfg')
    .argument('[cluster]', 'the cluster (or --name)')
    .description("Write the cluster's kubeconfig entries from the store, as kops export kubeconfig")
    .option('--name <cluster>', 'the cluster (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .option('--admin [duration]', 'also issue an admin client certificate valid this long (default 18h)')
    .option('--user <name>', 'an existing kubeconfig user for the context (not with --admin)')
    .option('--internal', "use the cluster's internal API name")
    .option('--auth-plugin', "authenticate with kops's helper (kops helpers kubectl-auth; needs kops)")
    .option('--api-server <url>', 'the API server URL to write')
    .option('--kubeconfig <file>', 'the kubeconfig file to write (default: $KUBECONFIG, else ~/.kube/config)')
    .option(
      '--lb-address <host>',
      "the API load balancer's address (kops asks the cloud for it)",
      (v, p: string[] = []) => [...p, v],
    )
    .action(exportKubeconfig);
  return examples(cmd, [
    'statestore kubeconfig prod.example.com --admin',
    'statestore kubeconfig prod.example.com --admin 1h --kubeconfig ./prod.kubeconfig',
    'statestore kubeconfig prod.example.com --internal --user my-oidc-user',
  ]);
}

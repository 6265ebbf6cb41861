import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { exportExclusionOf, exportExclusions, openStateStore, validateClusterName, type StateStore } from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { examples } from './help.js';
import { CliError, EXIT } from './exit-codes.js';
import { fileOf, mirrorFile, previousExport, removeStale, writeManifest } from './export-mirror.js';

/** Options of `export`. */
interface ExportOptions {
  to: string;
  includeSecrets?: boolean;
  includeEtcdBackups?: boolean;
}

/** `export CLUSTER --to DIR`: "the state store is just files; you can copy the files down and put them into git". */
export function exportCommand(): Command {
  const cmd = new Command('export')
    .argument('<cluster>', 'the cluster')
    .description(
      "Copy a cluster's files to a folder as plain files (a file:// store); secrets only with --include-secrets",
    )
    .requiredOption('--to <dir>', 'the folder (its <cluster>/ subfolder receives the files)')
    .option('--include-secrets', "also write secrets and private keys, decrypted into kops's plain format")
    .option(
      '--include-etcd-backups',
      "also copy etcd-manager's backups (they hold every Kubernetes Secret in clear: needs --include-secrets)",
    )
    .action(async (cluster: string, opts: ExportOptions, command: Command) => {
      const ctx = contextOf(command);
      await withStore(ctx, (store) => exportCluster(ctx, store, cluster, opts));
    });
  return examples(cmd, [
    'statestore export prod.example.com --to ./kops-state && git -C ./kops-state add -A',
    'statestore export prod.example.com --to /secure/backup --include-secrets',
  ]);
}

async function exportCluster(ctx: Context, store: StateStore, cluster: string, opts: ExportOptions): Promise<void> {
  validateClusterName(cluster);
  if (opts.includeEtcdBackups && !opts.includeSecrets)
    throw new CliError("etcd backups hold the cluster's Kubernetes Secrets: add --include-secrets", EXIT.USAGE);
  const { value: config } = await store.getCluster(cluster);
  const exclusions = exportExclusions(store.vfs.url, cluster, config, opts.includeEtcdBackups);
  const root = path.resolve(opts.to);
  const previous = await previousExport(root, cluster);
  // Before the plain copy writes the cluster's config: see exportSecrets.
  const secrets = opts.includeSecrets ? await exportSecrets(store, cluster, root) : [];
  const written: string[] = [];
  const changed: string[] = [];
  const skipped: string[] = [];
  for await (const info of store.vfs.listAll({ prefix: `${cluster}/` })) {
    // Never copied raw: secrets and keys come from exportSecrets (decrypted, in kops's format).
    if (exportExclusionOf(info.key, cluster, exclusions) !== undefined) {
      skipped.push(info.key);
      continue;
    }
    const target = fileOf(root, cluster, info.key);
    if (await mirrorFile(root, cluster, target, (await store.vfs.read(info.key)).body)) changed.push(info.key);
    written.push(info.key);
  }
  // A mirror: what an earlier export wrote and the store no longer has goes; nothing else does.
  const all = [...written, ...secrets];
  const removed = await removeStale(root, cluster, previous, new Set(all));
  await writeManifest(root, cluster, all);
  if (ctx.out.json) return ctx.out.result({ to: root, written: all, changed, removed, skipped });
  const left = skipped.length > 0 ? `; ${skipped.length} files left out (secrets, keys, lease, etcd backups)` : '';
  const delta = `${changed.length} changed, ${removed.length} removed`;
  ctx.out.info(`${all.length} files exported to ${path.join(opts.to, cluster)} (${delta})${left}`);
}

/**
 * Secrets and private keysets, read through the store (so sealed values are opened with its key,
 * and a secret or key store kept elsewhere by the cluster's config is found) and written into a
 * plain file:// store in kops's own format, which kops reads. The file backend writes them 0600.
 * Written while the export holds no config of the cluster (an earlier export's is removed; the
 * plain copy writes it afterwards), so they land in kops's default folders: a config naming a
 * secret or key store elsewhere would send the plain values there. `openStore` refuses, in case.
 */
async function exportSecrets(store: StateStore, cluster: string, root: string): Promise<string[]> {
  await rm(path.join(root, cluster, 'config'), { force: true });
  const target = await openStateStore(`file://${root}`, {
    openStore: (url) => Promise.reject(new CliError(`refusing to export secrets to ${url}`, EXIT.USAGE)),
  });
  const written: string[] = [];
  try {
    for (const name of await store.listSecrets(cluster)) {
      await target.putSecret(cluster, name, await store.getSecret(cluster, name), { overwrite: true, encrypt: false });
      written.push(`${cluster}/secrets/${name}`);
    }
    for (const name of await store.listKeysets(cluster, 'private')) {
      await target.putKeyset(cluster, await store.getKeyset(cluster, name, 'private'), {
        overwrite: true,
        encrypt: false,
      });
      written.push(`${cluster}/pki/private/${name}/keyset.yaml`);
    }
  } finally {
    await target.close();
  }
  return written;
}

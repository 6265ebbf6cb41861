import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { validateClusterName, type StateStore } from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { examples } from './help.js';

/**
 * Files that hold secrets or private keys, relative to the cluster's folder (kops:
 * upup/pkg/fi/secrets/vfs_secretstore.go `secrets/`, upup/pkg/fi/vfs_castore.go `pki/private/`).
 */
const SECRET_PREFIXES = ['secrets/', 'pki/private/'];

/** `export CLUSTER --to DIR`: "the state store is just files; you can copy the files down and put them into git". */
export function exportCommand(): Command {
  const cmd = new Command('export').argument('<cluster>', 'the cluster').description('Copy a cluster\'s files to a folder as plain files (a file:// store); secrets only with --include-secrets')
    .requiredOption('--to <dir>', 'the folder (its <cluster>/ subfolder receives the files)')
    .option('--include-secrets', 'also write secrets and private keys (mode 0600)')
    .action(async (cluster: string, opts: { to: string; includeSecrets?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await withStore(ctx, (store) => exportCluster(ctx, store, cluster, opts));
    });
  return examples(cmd, ['statestore export prod.example.com --to ./kops-state && git -C ./kops-state add -A', 'statestore export prod.example.com --to /secure/backup --include-secrets']);
}

async function exportCluster(ctx: Context, store: StateStore, cluster: string, opts: { to: string; includeSecrets?: boolean }): Promise<void> {
  validateClusterName(cluster);
  await store.getCluster(cluster);
  const prefix = `${cluster}/`;
  const written: string[] = [];
  const skipped: string[] = [];
  for await (const info of store.vfs.listAll({ prefix })) {
    const secret = SECRET_PREFIXES.some((secretPrefix) => info.key.slice(prefix.length).startsWith(secretPrefix));
    if (secret && !opts.includeSecrets) {
      skipped.push(info.key);
      continue;
    }
    const target = path.resolve(opts.to, ...info.key.split('/'));
    // Keys are validated by the library (no '..' segments); this keeps that promise visible here.
    if (!target.startsWith(path.resolve(opts.to) + path.sep)) throw new Error(`refusing to write outside ${opts.to}: ${info.key}`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, (await store.vfs.read(info.key)).body, { mode: secret ? 0o600 : 0o644 });
    written.push(info.key);
  }
  if (ctx.out.json) return ctx.out.result({ to: path.resolve(opts.to), written, skipped });
  ctx.out.info(`${written.length} files written to ${path.join(opts.to, cluster)}${skipped.length > 0 ? `; ${skipped.length} secret files left out (--include-secrets)` : ''}`);
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { openStateStore, validateClusterName, type StateStore } from '../index.js';
import { contextOf, withStore, type Context } from './context.js';
import { examples } from './help.js';

/**
 * Files that hold secrets or private keys, relative to the cluster's folder (kops:
 * upup/pkg/fi/secrets/vfs_secretstore.go `secrets/`, upup/pkg/fi/vfs_castore.go `pki/private/`).
 */
const SECRET_PREFIXES = ['secrets/', 'pki/private/'];

/** `export CLUSTER --to DIR`: "the state store is just files; you can copy the files down and put them into git". */
export function exportCommand(): Command {
  const cmd = new Command('export')
    .argument('<cluster>', 'the cluster')
    .description(
      "Copy a cluster's files to a folder as plain files (a file:// store); secrets only with --include-secrets",
    )
    .requiredOption('--to <dir>', 'the folder (its <cluster>/ subfolder receives the files)')
    .option('--include-secrets', "also write secrets and private keys, decrypted into kops's plain format (mode 0600)")
    .action(async (cluster: string, opts: { to: string; includeSecrets?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await withStore(ctx, (store) => exportCluster(ctx, store, cluster, opts));
    });
  return examples(cmd, [
    'statestore export prod.example.com --to ./kops-state && git -C ./kops-state add -A',
    'statestore export prod.example.com --to /secure/backup --include-secrets',
  ]);
}

async function exportCluster(
  ctx: Context,
  store: StateStore,
  cluster: string,
  opts: { to: string; includeSecrets?: boolean },
): Promise<void> {
  validateClusterName(cluster);
  await store.getCluster(cluster);
  const prefix = `${cluster}/`;
  const written: string[] = [];
  const skipped: string[] = [];
  for await (const info of store.vfs.listAll({ prefix })) {
    if (SECRET_PREFIXES.some((secretPrefix) => info.key.slice(prefix.length).startsWith(secretPrefix))) {
      skipped.push(info.key);
      continue;
    }
    const target = path.resolve(opts.to, ...info.key.split('/'));
    // Keys are validated by the library (no '..' segments); this keeps that promise visible here.
    if (!target.startsWith(path.resolve(opts.to) + path.sep))
      throw new Error(`refusing to write outside ${opts.to}: ${info.key}`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, (await store.vfs.read(info.key)).body, { mode: 0o644 });
    written.push(info.key);
  }
  const secrets = opts.includeSecrets ? await exportSecrets(store, cluster, opts.to) : [];
  if (ctx.out.json)
    return ctx.out.result({
      to: path.resolve(opts.to),
      written: [...written, ...secrets],
      skipped: opts.includeSecrets ? [] : skipped,
    });
  const left = opts.includeSecrets
    ? ''
    : skipped.length > 0
      ? `; ${skipped.length} secret files left out (--include-secrets)`
      : '';
  ctx.out.info(`${written.length + secrets.length} files written to ${path.join(opts.to, cluster)}${left}`);
}

/**
 * Secrets and private keysets, read through the store (so sealed values are opened with its key,
 * and a secret or key store kept elsewhere by the cluster's config is found) and written into a
 * plain file:// store in kops's own format, which kops reads. The file backend writes them 0600.
 */
async function exportSecrets(store: StateStore, cluster: string, to: string): Promise<string[]> {
  const target = await openStateStore(`file://${path.resolve(to)}`);
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

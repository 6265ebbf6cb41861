import { Command } from 'commander';
import type { Lease, StateStore } from '../index.js';
import { contextOf, type Context } from './context.js';
import { leaseFlags, withWriter } from './lease-guard.js';
import { clusterFlag, examples } from './help.js';
import { deletePkiCommands } from './pki.js';

/** `delete cluster NAME`: lists what would go unless --yes, as kops's delete does (kops: cmd/kops/delete_cluster.go). */
export function deleteCommand(): Command {
  const del = new Command('delete').description(
    'Delete a cluster or an instance group from the store (a dry run unless --yes)',
  );
  del.addCommand(
    examples(
      leaseFlags(new Command('cluster'))
        .argument('<name>', 'the cluster')
        .description('Delete every file of a cluster from the state store (not its cloud resources)')
        .option('--yes', 'really delete (default: list what would be deleted)')
        .option('--force', 'also delete files kops does not write')
        .action(async (name: string, opts: { yes?: boolean; force?: boolean }, command: Command) => {
          const ctx = contextOf(command);
          await withWriter(ctx, name, 'delete cluster', (store) => deleteCluster(ctx, store, name, opts), {
            dryRun: opts.yes !== true,
          });
        }),
      ['statestore delete cluster old.example.com', 'statestore delete cluster old.example.com --yes'],
    ),
  );
  const ig = clusterFlag(
    leaseFlags(new Command('instancegroup'))
      .alias('ig')
      .argument('<group>', 'the instance group')
      .description('Delete an instance group')
      .option('--yes', 'really delete (default: say what would be deleted)'),
  ).action(async (group: string, opts: { name: string; yes?: boolean }, command: Command) => {
    const ctx = contextOf(command);
    const write = async (store: StateStore, lease: Lease | undefined): Promise<void> => {
      const { version } = await store.getInstanceGroup(opts.name, group);
      if (!opts.yes) return dryRunNote(ctx, [`${opts.name}/instancegroup/${group}`]);
      await store.deleteInstanceGroup(opts.name, group, { ifMatch: version, ...(lease ? { lease } : {}) });
      if (ctx.out.json) ctx.out.result({ deleted: 1 });
      ctx.out.info(`instance group "${group}" deleted`);
    };
    await withWriter(ctx, opts.name, 'delete instancegroup', write, { dryRun: opts.yes !== true });
  });
  del.addCommand(examples(ig, ['statestore delete ig bastions --name prod.example.com --yes']));
  for (const command of deletePkiCommands()) del.addCommand(command);
  return examples(del, [
    'statestore delete cluster old.example.com',
    'statestore delete cluster old.example.com --yes --json',
  ]);
}

async function deleteCluster(
  ctx: Context,
  store: StateStore,
  name: string,
  opts: { yes?: boolean; force?: boolean },
): Promise<void> {
  if (opts.yes) {
    const { deleted } = await store.deleteCluster(name, { force: opts.force === true });
    if (ctx.out.json) ctx.out.result({ deleted });
    return ctx.out.info(
      `cluster "${name}" deleted from the store (${deleted} files); its cloud resources are untouched (kops delete cluster)`,
    );
  }
  await store.getCluster(name);
  const keys: string[] = [];
  for await (const info of store.vfs.listAll({ prefix: `${name}/` })) keys.push(info.key);
  dryRunNote(ctx, keys);
}

function dryRunNote(ctx: Context, keys: string[]): void {
  if (ctx.out.json) ctx.out.result({ dryRun: true, wouldDelete: keys });
  else ctx.out.text(keys.join('\n'));
  ctx.out.info(`${keys.length} file${keys.length === 1 ? '' : 's'} would be deleted; run again with --yes to delete`);
}

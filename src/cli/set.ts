import { Command } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { applyChange, targetOf } from './change.js';
import { contextOf, withStore } from './context.js';
import { examples } from './help.js';
import { leaseFlags } from './lease-guard.js';

const KINDS = ['cluster', 'instancegroup', 'ig'];

function kindOf(kind: string): string {
  if (!KINDS.includes(kind)) throw new CliError(`unknown kind "${kind}" (cluster or instancegroup)`, EXIT.USAGE);
  return kind === 'ig' ? 'instancegroup' : kind;
}

/** `set cluster NAME path=value...`: kops's `set cluster` (kops: cmd/kops/set_cluster.go), also for instance groups. */
export function setCommand(): Command {
  const cmd = leaseFlags(new Command('set'))
    .description('Set fields of a cluster or instance group (kops field paths: spec.x.y=value)')
    .argument('<kind>', 'cluster or instancegroup (ig)')
    .argument('<name>', 'the cluster, or the instance group (with --name)')
    .argument('<assignments...>', 'path=value pairs')
    .option('--name <cluster>', 'the cluster of an instance group (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .option('--dry-run', 'print the unified diff, write nothing')
    .action(
      async (
        kind: string,
        name: string,
        assignments: string[],
        opts: { name?: string; dryRun?: boolean },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const target = targetOf(kindOf(kind), name, opts.name);
        await withStore(ctx, (store) =>
          applyChange(ctx, store, target, { set: assignments }, opts.dryRun === true, 'set'),
        );
      },
    );
  return examples(cmd, [
    'statestore set cluster prod.example.com spec.kubernetesVersion=1.30.0',
    'statestore set cluster prod.example.com cluster.spec.nodePortAccess=10.0.0.0/8 --dry-run',
    'statestore set ig nodes spec.maxSize=10 --name prod.example.com',
  ]);
}

/** `unset cluster NAME path...`: kops's `unset cluster` (kops: cmd/kops/unset_cluster.go). */
export function unsetCommand(): Command {
  const cmd = leaseFlags(new Command('unset'))
    .description('Remove fields of a cluster or instance group')
    .argument('<kind>', 'cluster or instancegroup (ig)')
    .argument('<name>', 'the cluster, or the instance group (with --name)')
    .argument('<paths...>', 'field paths')
    .option('--name <cluster>', 'the cluster of an instance group (KOPS_CLUSTER_NAME)', process.env.KOPS_CLUSTER_NAME)
    .option('--dry-run', 'print the unified diff, write nothing')
    .action(
      async (
        kind: string,
        name: string,
        paths: string[],
        opts: { name?: string; dryRun?: boolean },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const target = targetOf(kindOf(kind), name, opts.name);
        await withStore(ctx, (store) =>
          applyChange(ctx, store, target, { unset: paths }, opts.dryRun === true, 'unset'),
        );
      },
    );
  return examples(cmd, [
    'statestore unset cluster prod.example.com spec.nodePortAccess',
    'statestore unset ig nodes spec.rootVolume --name prod.example.com --dry-run',
  ]);
}

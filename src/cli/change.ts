import type { ClusterConfig, ConfigChange, InstanceGroupConfig, Lease, MergeResult, StateStore } from '../index.js';
import type { Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { asWriter } from './lease-guard.js';

/** The document a change is about: a cluster's `config`, or one of its instance groups. */
export type Target = { kind: 'cluster'; cluster: string } | { kind: 'instancegroup'; cluster: string; group: string };

/** Resolves `cluster NAME` / `ig NAME --name CLUSTER` into a target. */
export function targetOf(kind: string, name: string, cluster: string | undefined): Target {
  if (kind === 'cluster') return { kind: 'cluster', cluster: name };
  if (!cluster)
    throw new CliError('an instance group needs its cluster: --name CLUSTER (or KOPS_CLUSTER_NAME)', EXIT.USAGE);
  return { kind: 'instancegroup', cluster, group: name };
}

/**
 * Applies a change through the library's optimistic merge (`mergeConfig` / `mergeInstanceGroup`)
 * and reports it: the unified diff on stdout for --dry-run, the JSON result for --json.
 */
export async function applyChange(
  ctx: Context,
  store: StateStore,
  target: Target,
  change: ConfigChange<ClusterConfig> & ConfigChange<InstanceGroupConfig>,
  dryRun: boolean,
  operation: string,
): Promise<void> {
  const merge = (lease: Lease | undefined): Promise<MergeResult<unknown>> => {
    const options = { dryRun, ...(lease ? { lease } : {}) };
    return target.kind === 'cluster'
      ? store.mergeConfig(target.cluster, change as ConfigChange<ClusterConfig>, options)
      : store.mergeInstanceGroup(target.cluster, target.group, change as ConfigChange<InstanceGroupConfig>, options);
  };
  // A dry run writes nothing: it needs no lease, and is not stopped by one.
  const result = dryRun ? await merge(undefined) : await asWriter(ctx, store, target.cluster, operation, merge);
  const what =
    target.kind === 'cluster'
      ? `cluster "${target.cluster}"`
      : `instance group "${target.group}" of cluster "${target.cluster}"`;
  if (ctx.out.json) {
    ctx.out.result({
      changed: result.changed,
      dryRun,
      version: result.version,
      operations: result.diff.operations,
      diff: result.diff.unified,
    });
    return;
  }
  if (dryRun) ctx.out.diff(result.diff.unified);
  if (!result.changed) ctx.out.info(`${what}: no change`);
  else ctx.out.info(dryRun ? `${what}: dry run, nothing written` : `${what} updated`);
}

import { isStateStoreError } from '../errors.js';
import { jsonEqual } from '../config/guard.js';
import { mergeOptionsIntoCluster } from '../create-cluster/merge-options.js';
import type { CreateClusterOptions } from '../create-cluster/options.js';
import type { InstanceGroupConfig } from '../config/schema/types.generated.js';
import { assertValidInstanceGroupChange } from '../config/validate/kops.js';
import { diffOperations } from '../config/diff/diff-config.js';
import type { MergeConfigOptions } from './merge-document.js';
import type { MergeCreateClusterOptionsResult } from './results.js';
import type { StateStore } from './state-store.js';

/**
 * `kops create cluster` options merged into an existing cluster, as kops's documentation says
 * repeated runs behave: only what the options name changes. The config goes through the same
 * optimistic read-apply-write as `mergeConfig` (re-applied on a lost race); each instance group the
 * options change is then merged the same way, and new ones are created if absent.
 */
export async function mergeCreateClusterOptions(
  store: StateStore,
  cluster: string,
  options: Partial<CreateClusterOptions>,
  mergeOptions: MergeConfigOptions = {},
): Promise<MergeCreateClusterOptionsResult> {
  const groups = await Promise.all(
    (await store.listInstanceGroups(cluster, mergeOptions)).map(
      async (name) => (await store.getInstanceGroup(cluster, name, mergeOptions)).value,
    ),
  );
  let planned: InstanceGroupConfig[] = groups;
  const config = await store.mergeConfig(
    cluster,
    (current) => {
      const merged = mergeOptionsIntoCluster({ cluster: current, instanceGroups: groups }, options);
      planned = merged.instanceGroups;
      // Every group changed is validated with the merged cluster before the config is written:
      // a group kops refuses must not leave the config changed alone.
      for (const group of planned) {
        const before = groups.find((g) => g.metadata?.name === group.metadata?.name);
        if (before === undefined || !jsonEqual(before, group))
          assertValidInstanceGroupChange(before, group, { cluster: merged.cluster });
      }
      return merged.cluster;
    },
    mergeOptions,
  );
  const outcome: Record<string, 'created' | 'changed' | 'unchanged'> = {};
  for (const group of planned) {
    const name = group.metadata?.name ?? '';
    const before = groups.find((g) => g.metadata?.name === name);
    if (before !== undefined && jsonEqual(before, group)) {
      outcome[name] = 'unchanged';
      continue;
    }
    if (mergeOptions.dryRun) {
      outcome[name] =
        before === undefined ? 'created' : diffOperations(before, group).length > 0 ? 'changed' : 'unchanged';
      continue;
    }
    if (before === undefined) {
      const { signal, reason, author } = mergeOptions;
      // reason/author: the new group's history entry says why, as the merged documents' entries do.
      await store.putInstanceGroup(cluster, group, { signal, reason, author }).catch((err: unknown) => {
        if (!isStateStoreError(err, 'AlreadyExists')) throw err;
      });
      outcome[name] = 'created';
    } else {
      const result = await store.mergeInstanceGroup(
        cluster,
        name,
        { jsonPatch: diffOperations(before, group) },
        mergeOptions,
      );
      outcome[name] = result.changed ? 'changed' : 'unchanged';
    }
  }
  return { config, instanceGroups: outcome };
}

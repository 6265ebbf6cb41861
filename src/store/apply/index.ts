/**
 * `StateStore.apply`: a cluster's documents become its desired state (docs/gitops.md). Everything
 * is read, validated as one cluster with its groups (an existing one: only for the violations the
 * documents add, check.ts) and rendered before the first write; then instance groups are created
 * or updated, pruned ones deleted, and the `config` written last, each
 * a compare-and-swap against the version planned and each recorded in the history. A process that
 * dies midway leaves some documents at the desired state and the rest as they were; a rerun plans
 * again from what is stored and writes only the rest, so it converges.
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../../config/schema/types.generated.js';
import { kopsConfigBase } from '../../create-cluster/context.js';
import { createCluster, deleteInstanceGroup, putConfig, putInstanceGroup } from '../cluster-writes.js';
import type { SkippedRule } from '../../config/validate/kops-validation/source.js';
import { assertDeletionAllowed } from '../deletion-check.js';
import { withSkippedRules } from '../skipped-rules.js';
import { renderDocument, type StoredDocument } from '../documents.js';
import { layout } from '../layout.js';
import { checkApplied } from './check.js';
import { desiredOf, planDocument, readCurrent, toWrite, type PlannedDocument } from './plan.js';
import type { ApplyDocument, ApplyDocumentResult, ApplyOptions, ApplyResult } from './types.js';

export type { ApplyAction, ApplyDocument, ApplyDocumentResult, ApplyOptions, ApplyResult } from './types.js';

/** See `StateStore.apply`. */
export async function applyDocuments(
  vfs: Vfs,
  documents: readonly ApplyDocument[],
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const desired = desiredOf(documents);
  const { cluster } = desired;
  const current = await readCurrent(vfs, cluster, options.signal);
  const config = toWrite(desired.config, current.config, kopsConfigBase(vfs.url, cluster));
  const groups = desired.groups.map((group) => toWrite(group, current.groups.get(group.metadata?.name ?? '')));
  const named = new Set(groups.map((group) => group.metadata?.name));
  const kept = [...current.groups.values()].filter((group) => !named.has(group.value.metadata?.name));
  // Pruning is deleting: refused where kops refuses the cluster it leaves (deletion-check.ts), with
  // kops's reasons (the only control-plane group, ...) before the cross checks name their effects.
  if (options.prune && kept.length > 0) {
    const stored = [...current.groups.values()].map((group) => group.value);
    assertDeletionAllowed(
      cluster,
      config,
      stored,
      groups,
      kept.map((group) => group.value.metadata?.name ?? ''),
    );
  }
  // Validated as the cluster it will be: the desired documents, plus the stored groups kept (no --prune),
  // before any group is written; an existing cluster only for what the documents add (check.ts).
  const skipped: SkippedRule[] = [];
  checkApplied(vfs, cluster, { config, groups, kept: options.prune ? [] : kept.map((g) => g.value) }, current, skipped);
  const plan = planOf(cluster, config, groups, current, options.prune === true);
  // Every text rendered (size-checked) now: a refusal comes before the first write.
  for (const step of plan) if (step.value !== undefined) renderDocument(step.value, step.stored);
  const changed = plan.some((step) => step.action !== 'unchanged');
  if (options.dryRun || !changed) {
    const documents = plan.map((step) => report(step));
    return withSkippedRules({ cluster, dryRun: options.dryRun === true, changed, documents }, skipped);
  }
  const results =
    current.config === undefined
      ? await createAll(vfs, cluster, config, groups, plan, options)
      : await writeEach(vfs, cluster, config, plan, options);
  return withSkippedRules({ cluster, dryRun: false, changed, documents: results }, skipped);
}

/** Instance groups (by name; deletions after writes), then the config: the order of the writes. */
function planOf(
  cluster: string,
  config: ClusterConfig,
  groups: readonly InstanceGroupConfig[],
  current: Awaited<ReturnType<typeof readCurrent>>,
  prune: boolean,
): PlannedDocument[] {
  const sorted = [...groups].sort((a, b) => compare(a.metadata!.name!, b.metadata!.name!));
  const writes = sorted.map((group) => {
    const name = group.metadata!.name!;
    const stored = current.groups.get(name) as StoredDocument<ApplyDocument> | undefined;
    return planDocument('InstanceGroup', name, layout.instanceGroup(cluster, name), group, stored);
  });
  const named = new Set(sorted.map((group) => group.metadata!.name!));
  const deletes = prune
    ? [...current.groups.keys()]
        .filter((name) => !named.has(name))
        .sort(compare)
        .map((name) => {
          const stored = current.groups.get(name) as StoredDocument<ApplyDocument>;
          return planDocument('InstanceGroup', name, layout.instanceGroup(cluster, name), undefined, stored);
        })
    : [];
  const stored = current.config as StoredDocument<ApplyDocument> | undefined;
  return [...writes, ...deletes, planDocument('Cluster', cluster, layout.config(cluster), config, stored)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function report(step: PlannedDocument, version?: string): ApplyDocumentResult {
  const { kind, name, action, diff } = step;
  return version === undefined ? { kind, name, action, diff } : { kind, name, action, diff, version };
}

/**
 * A new cluster, as `createCluster` writes one: the config first with create-if-absent (of two
 * racing appliers exactly one creates it), then the groups. A crash between leaves a cluster with
 * fewer groups, which the rerun (an update then) completes.
 */
async function createAll(
  vfs: Vfs,
  cluster: string,
  config: ClusterConfig,
  groups: readonly InstanceGroupConfig[],
  plan: readonly PlannedDocument[],
  options: ApplyOptions,
): Promise<ApplyDocumentResult[]> {
  const { version } = await createCluster(vfs, cluster, config, groups, options);
  return plan.map((step) => report(step, step.kind === 'Cluster' ? version : undefined));
}

/** Each changed document of an existing cluster, in the plan's order, at the version planned; `config`: the one applied. */
async function writeEach(
  vfs: Vfs,
  cluster: string,
  config: ClusterConfig,
  plan: readonly PlannedDocument[],
  options: ApplyOptions,
): Promise<ApplyDocumentResult[]> {
  const results: ApplyDocumentResult[] = [];
  const { signal, reason, author, lease } = options;
  for (const step of plan) {
    // ifMatch: the version planned, so a change made since is never overwritten (PreconditionFailed).
    const put = { signal, reason, author, lease, ...(step.stored ? { ifMatch: step.stored.version } : {}) };
    if (step.action === 'unchanged') results.push(report(step));
    else if (step.action === 'delete') {
      await deleteAtVersion(vfs, cluster, step, put);
      results.push(report(step));
    } else if (step.kind === 'Cluster')
      results.push(report(step, (await putConfig(vfs, cluster, step.value as ClusterConfig, put)).version));
    else
      results.push(
        // Checked with the config applied (written last), as the whole was checked before.
        report(step, (await putInstanceGroup(vfs, cluster, step.value as InstanceGroupConfig, put, config)).version),
      );
  }
  return results;
}

/**
 * Deletes a pruned group only at the version planned: `ifMatch` where the backend enforces it on
 * deletes, else (Ceph RGW, Swift) a stat right before, which leaves the window between the two
 * (as `moveStateStore`'s `deleteSource` does: docs/moving.md).
 */
async function deleteAtVersion(vfs: Vfs, cluster: string, step: PlannedDocument, put: ApplyOptions): Promise<void> {
  const version = step.stored!.version;
  if ((await vfs.loadCapabilities({ signal: put.signal })).deleteIfMatch)
    return deleteInstanceGroup(vfs, cluster, step.name, { ...put, ifMatch: version });
  const key = layout.instanceGroup(cluster, step.name);
  const now = await vfs.stat(key, { signal: put.signal }).catch((err: unknown) => {
    if (isStateStoreError(err, 'NotFound')) return undefined; // already gone: what the apply wants
    throw err;
  });
  if (now === undefined) return;
  if (now.version !== version)
    throw new StateStoreError('PreconditionFailed', `instance group "${step.name}" changed since it was read`, { key });
  return deleteInstanceGroup(vfs, cluster, step.name, { ...put, ifMatch: undefined });
}

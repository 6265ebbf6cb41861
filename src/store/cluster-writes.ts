/**
 * Whole-document writes of a cluster's `config` and instance groups (`createCluster`, `putConfig`,
 * `putInstanceGroup`): validated first, written conditionally, with kops's metadata updates.
 */
import { isStateStoreError, StateStoreError } from '../errors.js';
import type { Vfs } from '../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../config/schema/types.generated.js';
import { assertSafeValue } from '../config/guard.js';
import {
  assertValidClusterChange,
  assertValidClusterConfig,
  assertValidInstanceGroup,
  assertValidInstanceGroupChange,
  throwIfErrors,
  validateClusterWithInstanceGroups,
} from '../config/validate/kops.js';
import { readDocument, renderDocument, writeDocument, type StoredDocument } from './documents.js';
import { asKopsCreates, asKopsUpdates } from './kops-metadata.js';
import { layout } from './layout.js';
import { assertSeparateStoresApart } from './location-overlap.js';
import {
  refuseRename,
  storedName,
  validateClusterName,
  validateClusterNameForConfig,
  validateInstanceGroupName,
} from './names.js';
import type { DocumentWriteResult } from './results.js';
import { withSkippedRules } from './skipped-rules.js';
import type { SkippedRule } from '../config/validate/kops-validation/source.js';
import type { CreateClusterWriteOptions, DocumentPutOptions } from './store-options.js';
import type { CloudValidateOptions } from '../config/validate/kops-validation/cloud-facts.js';
import { assertFenced } from './lease/fence.js';
import { recordWrite } from './history/record.js';
import { deleteRecorded } from './history/recorded-delete.js';
import { checkInstanceGroupDeletion } from './deletion-check.js';
import {
  assertGroupsStillValid,
  assertStoredGroupsStillValid,
  readStoredGroups,
  touchesCrossRuleFields,
  type StoredGroup,
} from './cluster-cross-check.js';
import { mergeDocument, type MergeConfigOptions, type MergeResult } from './merge-document.js';
import type { ConfigChange } from './change.js';
import { clusterSchema } from '../config/schema/schemas.generated.js';

/** The stored document, or undefined when there is none (then the write creates it). */
async function previousOf<T>(vfs: Vfs, key: string, what: string, signal?: AbortSignal) {
  return readDocument<T>(vfs, key, what, signal).catch((err: unknown) =>
    isStateStoreError(err, 'NotFound') ? undefined : Promise.reject<StoredDocument<T>>(err),
  );
}

/**
 * Checks a cluster and its groups as kops's create does; throws before any I/O. `kept`: stored
 * groups the cluster keeps besides (an apply without prune), checked only across the cluster;
 * `cloud`: the facts aws.go's rules ask EC2 for, and the log of the rules not run without them.
 */
export function checkClusterDocuments(
  vfs: Vfs,
  name: string,
  config: ClusterConfig,
  instanceGroups: readonly InstanceGroupConfig[],
  kept: readonly InstanceGroupConfig[] = [],
  cloud: Pick<CloudValidateOptions, 'cloudFacts' | 'skipped'> = {},
): void {
  validateClusterName(name);
  assertSafeValue(config);
  assertValidClusterConfig(config);
  assertSeparateStoresApart(vfs.url, name, config);
  validateClusterNameForConfig(name, config);
  for (const group of instanceGroups) {
    assertSafeValue(group);
    assertValidInstanceGroup(group);
    validateInstanceGroupName(group.metadata?.name);
  }
  throwIfErrors(validateClusterWithInstanceGroups(config, [...instanceGroups, ...kept], cloud), 'Cluster');
}

/** See `StateStore.createCluster`: `config` first, create-if-absent, then the instance groups. */
export async function createCluster(
  vfs: Vfs,
  name: string,
  config: ClusterConfig,
  instanceGroups: readonly InstanceGroupConfig[],
  options: CreateClusterWriteOptions,
): Promise<DocumentWriteResult> {
  const skipped: SkippedRule[] = [];
  checkClusterDocuments(vfs, name, config, instanceGroups, [], { cloudFacts: options.cloudFacts, skipped });
  // kops's create sets metadata.creationTimestamp when unset (kops: vfsclientset/commonvfs.go).
  // Every text is rendered (and size-checked) before the first write: nothing is written on a refusal.
  const now = new Date();
  const groupTexts = instanceGroups.map((group) => renderDocument(asKopsCreates(group, now), undefined));
  const created = await writeDocument(vfs, layout.config(name), asKopsCreates(config, now), undefined, {
    ifNoneMatch: '*',
    signal: options.signal,
  }).catch((err: unknown) => {
    if (isStateStoreError(err, 'AlreadyExists'))
      throw new StateStoreError('AlreadyExists', `cluster "${name}" already exists`, {
        key: layout.config(name),
        cause: err,
      });
    throw err;
  });
  // History: each document's entry is recorded after its own write succeeded (history/record.ts).
  const { reason, author } = options;
  await recordWrite(vfs, layout.config(name), { operation: 'create', after: created, reason, author });
  for (const [index, group] of instanceGroups.entries()) {
    const key = layout.instanceGroup(name, group.metadata!.name!);
    const written = await writeDocument(vfs, key, group, undefined, { signal: options.signal }, groupTexts[index]);
    await recordWrite(vfs, key, { operation: 'create', after: written, reason, author });
  }
  return withSkippedRules({ version: created.version }, skipped);
}

/** See `StateStore.putConfig`. */
export async function putConfig(
  vfs: Vfs,
  name: string,
  config: ClusterConfig,
  options: DocumentPutOptions,
): Promise<DocumentWriteResult> {
  validateClusterName(name);
  assertSafeValue(config);
  // The folder is the name: a config naming another cluster would be listed under that name.
  if (storedName(config) !== undefined) refuseRename(`cluster "${name}"`, name, config);
  assertSeparateStoresApart(vfs.url, name, config);
  const key = layout.config(name);
  const previous = await previousOf<ClusterConfig>(vfs, key, `cluster "${name}"`, options.signal);
  // kops's rules refuse only what the new version adds to the stored one (kops.ts validateClusterChange).
  const skipped: SkippedRule[] = [];
  assertValidClusterChange(previous?.value, config, { skipped });
  // The stored groups under the new config, as kops's DeepValidate (cluster-cross-check.ts).
  await assertStoredGroupsStillValid(vfs, name, previous?.value, config, options.signal);
  const ifMatch = options.ifMatch ?? previous?.version;
  const write = ifMatch === undefined ? { ifNoneMatch: '*' as const } : { ifMatch };
  if (options.ifMatch !== undefined && previous !== undefined && previous.version !== options.ifMatch) {
    throw new StateStoreError('PreconditionFailed', `cluster "${name}" changed since version ${options.ifMatch}`, {
      key,
    });
  }
  const base = previous !== undefined && previous.version === ifMatch ? previous : undefined;
  // As kops's clientset: an update bumps generation when the spec changed, a create sets creationTimestamp.
  const written =
    base !== undefined ? asKopsUpdates(base.value, config) : previous === undefined ? asKopsCreates(config) : config;
  await assertFenced(options);
  const after = await writeDocument(vfs, key, written, base, { ...write, signal: options.signal });
  // The write was conditional on `base`'s version (or create-if-absent): `base` is exactly what it replaced.
  const { reason, author } = options;
  await recordWrite(vfs, key, {
    operation: base === undefined ? 'create' : 'update',
    before: base,
    after,
    reason,
    author,
  });
  return withSkippedRules({ version: after.version }, skipped);
}

/** Thrown by a merge's validation when its change needs the stored groups, not yet read. */
class GroupsNeeded extends Error {}

/**
 * See `StateStore.mergeConfig`. The stored groups are read only for a change touching what the
 * cross rules read: the attempt that meets one stops, the groups are read, and the merge restarts.
 */
export async function mergeConfig(
  vfs: Vfs,
  name: string,
  change: ConfigChange<ClusterConfig>,
  options: MergeConfigOptions,
): Promise<MergeResult<ClusterConfig>> {
  validateClusterName(name);
  let groups: StoredGroup[] | undefined;
  const skipped: SkippedRule[] = [];
  const validate = (value: ClusterConfig, before: ClusterConfig) => {
    skipped.length = 0; // the rules of the attempt written (a lost race re-applies the change)
    assertValidClusterChange(before, value, { skipped });
    assertSeparateStoresApart(vfs.url, name, value);
    if (!touchesCrossRuleFields(before, value)) return;
    if (groups === undefined) throw new GroupsNeeded();
    assertGroupsStillValid(name, groups, before, value);
  };
  const what = `cluster "${name}"`;
  const merge = () => mergeDocument(vfs, layout.config(name), what, change, clusterSchema, validate, options);
  const result = await merge().catch(async (err: unknown) => {
    if (!(err instanceof GroupsNeeded)) throw err;
    groups = await readStoredGroups(vfs, name, options.signal);
    return merge();
  });
  return withSkippedRules(result, skipped);
}

/**
 * See `StateStore.putInstanceGroup`. `withCluster`: the config the group is cross-validated with,
 * instead of the stored one (apply: the config it writes after its groups).
 */
export async function putInstanceGroup(
  vfs: Vfs,
  cluster: string,
  group: InstanceGroupConfig,
  options: DocumentPutOptions,
  withCluster?: ClusterConfig,
): Promise<DocumentWriteResult> {
  validateClusterName(cluster);
  const name = group.metadata?.name;
  validateInstanceGroupName(name);
  assertSafeValue(group);
  const key = layout.instanceGroup(cluster, name);
  const what = `instance group "${name}" of cluster "${cluster}"`;
  const previous = await previousOf<InstanceGroupConfig>(vfs, key, what, options.signal);
  // kops's rules, with the cluster's, refuse only what the new version adds (kops.ts validateInstanceGroupChange).
  const config =
    withCluster ??
    (await previousOf<ClusterConfig>(vfs, layout.config(cluster), `cluster "${cluster}"`, options.signal))?.value;
  const skipped: SkippedRule[] = [];
  assertValidInstanceGroupChange(previous?.value, group, { cluster: config, skipped });
  const ifMatch = options.ifMatch ?? previous?.version;
  await assertFenced(options);
  const after = await writeDocument(
    vfs,
    key,
    previous !== undefined ? asKopsUpdates(previous.value, group) : asKopsCreates(group),
    previous,
    { ...(ifMatch === undefined ? { ifNoneMatch: '*' as const } : { ifMatch }), signal: options.signal },
  );
  // A caller's ifMatch other than the version read means the write replaced a document this call
  // never saw: no entry then (a missing entry, never a wrong one).
  if (previous === undefined || previous.version === ifMatch) {
    const operation = previous === undefined ? 'create' : 'update';
    await recordWrite(vfs, key, { operation, before: previous, after, reason: options.reason, author: options.author });
  }
  return withSkippedRules({ version: after.version }, skipped);
}

/** See `StateStore.deleteInstanceGroup`. */
export async function deleteInstanceGroup(
  vfs: Vfs,
  cluster: string,
  name: string,
  options: DocumentPutOptions,
): Promise<void> {
  validateClusterName(cluster);
  validateInstanceGroupName(name);
  // Nothing is deleted when kops would refuse the cluster left (the only control-plane group, ...).
  await checkInstanceGroupDeletion(vfs, cluster, name, options.signal);
  // Reads the group first (when the history is on) so that its entry keeps what was deleted.
  await deleteRecorded(vfs, layout.instanceGroup(cluster, name), options, () => assertFenced(options));
}

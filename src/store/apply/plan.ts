/**
 * The plan of an apply: the desired documents, sorted out of the caller's list, against the
 * stored ones, compared as kops's YAML renders them (key order, comments and layout do not count).
 */
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type { Vfs } from '../../vfs/types.js';
import type { ClusterConfig, InstanceGroupConfig } from '../../config/schema/types.generated.js';
import { isPlainObject } from '../../config/guard.js';
import { formatYaml } from '../../config/yaml/stringify.js';
import { unifiedDiff } from '../../config/diff/unified.js';
import { readDocument, type StoredDocument } from '../documents.js';
import { layout } from '../layout.js';
import { listInstanceGroups } from '../cluster-reads.js';
import type { ApplyAction, ApplyDocument } from './types.js';

/** kops's label naming an instance group's cluster (kops: pkg/apis/kops/instancegroup.go LabelClusterName). */
const CLUSTER_LABEL = 'kops.k8s.io/cluster';

/** The documents of an apply, sorted: the cluster's config and its instance groups. */
export interface Desired {
  cluster: string;
  config: ClusterConfig;
  groups: InstanceGroupConfig[];
}

/** One step of the plan: the document to write (none for a delete) and the stored one it replaces. */
export interface PlannedDocument {
  kind: 'Cluster' | 'InstanceGroup';
  name: string;
  action: ApplyAction;
  diff: string;
  value?: ApplyDocument;
  stored?: StoredDocument<ApplyDocument>;
}

function refuse(message: string): never {
  throw new StateStoreError('InvalidArgument', message);
}

function nameOf(document: Record<string, unknown>): unknown {
  return isPlainObject(document.metadata) ? document.metadata.name : undefined;
}

/**
 * Sorts the caller's documents: exactly one Cluster, any number of InstanceGroups, each group's
 * `kops.k8s.io/cluster` label (when set) naming that cluster. Names are checked by validation.
 */
export function desiredOf(documents: readonly ApplyDocument[]): Desired {
  if (!Array.isArray(documents)) refuse('apply takes a list of documents');
  const configs: ClusterConfig[] = [];
  const groups: InstanceGroupConfig[] = [];
  documents.forEach((document: unknown, index) => {
    if (!isPlainObject(document)) refuse(`document ${index + 1} is not an object`);
    if (document.kind === 'Cluster') configs.push(document as ClusterConfig);
    else if (document.kind === 'InstanceGroup') groups.push(document as InstanceGroupConfig);
    else refuse(`document ${index + 1}: kind ${JSON.stringify(document.kind)} is not Cluster or InstanceGroup`);
  });
  if (configs.length !== 1) refuse(`apply takes exactly one Cluster document, not ${configs.length}`);
  const config = configs[0]!;
  const cluster = nameOf(config as Record<string, unknown>);
  if (typeof cluster !== 'string') refuse('the Cluster document has no metadata.name');
  for (const group of groups) {
    const label = group.metadata?.labels?.[CLUSTER_LABEL];
    if (label !== undefined && label !== cluster)
      refuse(`instance group "${String(group.metadata?.name)}" belongs to cluster "${label}", not "${cluster}"`);
  }
  return { cluster, config, groups };
}

/** The cluster's stored config (undefined when there is no cluster yet) and instance groups. */
export async function readCurrent(
  vfs: Vfs,
  cluster: string,
  signal?: AbortSignal,
): Promise<{ config?: StoredDocument<ClusterConfig>; groups: Map<string, StoredDocument<InstanceGroupConfig>> }> {
  const what = `cluster "${cluster}"`;
  const config = await readDocument<ClusterConfig>(vfs, layout.config(cluster), what, signal, 'Cluster').catch(
    (err: unknown) => (isStateStoreError(err, 'NotFound') ? undefined : Promise.reject<never>(err)),
  );
  const groups = new Map<string, StoredDocument<InstanceGroupConfig>>();
  if (config === undefined) return { groups };
  const names = await listInstanceGroups(vfs, cluster, signal);
  const read = await Promise.all(
    names.map((name) =>
      readDocument<InstanceGroupConfig>(
        vfs,
        layout.instanceGroup(cluster, name),
        `instance group "${name}"`,
        signal,
        'InstanceGroup',
      ),
    ),
  );
  names.forEach((name, index) => groups.set(name, read[index]!));
  return { config, groups };
}

/**
 * The document to write: the metadata kops's clientset keeps (`generation`, `creationTimestamp`)
 * taken from the stored one, so an exported file applied later never moves them back; for a
 * config, an omitted `spec.configBase` kept as stored, or set as kops's `create cluster` sets it.
 */
export function toWrite<T extends ApplyDocument>(
  value: T,
  stored: StoredDocument<T> | undefined,
  configBase?: string,
): T {
  const kept = (stored?.value.metadata ?? {}) as Record<string, unknown>;
  const metadata: Record<string, unknown> = { ...(value.metadata ?? {}) };
  for (const field of ['generation', 'creationTimestamp']) if (kept[field] !== undefined) metadata[field] = kept[field];
  const result = { ...value, metadata } as T;
  if (configBase === undefined || value.kind !== 'Cluster') return result;
  const spec = (value.spec ?? {}) as Record<string, unknown>;
  if (spec.configBase !== undefined) return result;
  const storedBase = (stored?.value.spec as Record<string, unknown> | undefined)?.configBase;
  return { ...result, spec: { ...spec, configBase: storedBase ?? configBase } } as T;
}

/** Compares one document with the stored one (either may be absent) and names the action. */
export function planDocument(
  kind: 'Cluster' | 'InstanceGroup',
  name: string,
  key: string,
  value: ApplyDocument | undefined,
  stored: StoredDocument<ApplyDocument> | undefined,
): PlannedDocument {
  const before = stored === undefined ? '' : formatYaml(stored.value);
  const after = value === undefined ? '' : formatYaml(value);
  const action: ApplyAction =
    value === undefined ? 'delete' : stored === undefined ? 'create' : before === after ? 'unchanged' : 'update';
  const diff = unifiedDiff(before, after, { from: `${key} (stored)`, to: `${key} (desired)` });
  return { kind, name, action, diff, value, stored };
}

import { StateStoreError } from '../../errors.js';
import { isPlainObject } from '../guard.js';
import type { ClusterConfig, InstanceGroupConfig } from '../schema/types.generated.js';
import type { YamlLimits } from './options.js';
import { assertReadableApiVersion } from './api-version.js';
import { parseYaml, parseYamlAll } from './parse.js';
import { stringifyYaml, updateYamlText } from './update.js';

/** A kops `-f` file split by kind: one Cluster, its InstanceGroups and any other objects, in file order. */
export interface ClusterDocuments {
  /** The `Cluster` document (exactly one). */
  cluster: ClusterConfig;
  /** The `InstanceGroup` documents, in the order given. */
  instanceGroups: InstanceGroupConfig[];
  /**
   * Documents of any other kind (kops's "additional objects", such as a KubeSchedulerConfiguration
   * it passes to the cluster, or an SSHCredential), kept as they are.
   */
  additionalObjects: Array<Record<string, unknown>>;
}

/**
 * Parses a kops Cluster document (the state store's `{cluster}/config`, or `kops get cluster -o yaml`).
 * Checks the YAML safety rules and that the document is a map of kind Cluster (when `kind` is set);
 * it does not check the schema: call {@link validateClusterConfig} for that.
 *
 * Reads `kops.k8s.io/v1alpha2` and the legacy `kops/v1alpha2` older kops wrote (kops:
 * pkg/kopscodecs/codecs.go rewriteAPIGroup).
 *
 * @throws StateStoreError InvalidArgument for unsafe or malformed YAML, or another kind or
 *   apiVersion; Unsupported for `kops.k8s.io/v1alpha3` (kops converts it, statestore does not).
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseClusterConfig } from 'kops-statestore';
 *
 * const config = parseClusterConfig(await readFile('config', 'utf8'));
 * config.spec?.kubernetesVersion; // '1.30.0'
 * ```
 */
export function parseClusterConfig(text: string, limits?: YamlLimits): ClusterConfig {
  return ofKind(parseYaml(text, limits).value, 'Cluster', 'the document') as ClusterConfig;
}

/** Parses a kops InstanceGroup document (the state store's `{cluster}/instancegroup/{name}`). Same rules as {@link parseClusterConfig}. */
export function parseInstanceGroupConfig(text: string, limits?: YamlLimits): InstanceGroupConfig {
  return ofKind(parseYaml(text, limits).value, 'InstanceGroup', 'the document') as InstanceGroupConfig;
}

/**
 * Parses kops's multi-document form (`kops create -f cluster.yaml`, `kops get all -o yaml`): one
 * Cluster, any number of InstanceGroups and additional objects, separated by `---`, in any order.
 *
 * @throws StateStoreError InvalidArgument when there is not exactly one Cluster, a document is not
 *   a map with a `kind`, or the YAML is unsafe or malformed.
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseClusterDocuments } from 'kops-statestore';
 *
 * const { cluster, instanceGroups } = parseClusterDocuments(readFileSync('cluster.yaml', 'utf8'));
 * ```
 */
export function parseClusterDocuments(text: string, limits?: YamlLimits): ClusterDocuments {
  const clusters: ClusterConfig[] = [];
  const instanceGroups: InstanceGroupConfig[] = [];
  const additionalObjects: Array<Record<string, unknown>> = [];
  parseYamlAll(text, limits).forEach((value, index) => {
    const where = `document ${index + 1}`;
    const kind = isPlainObject(value) ? value.kind : undefined;
    if (kind === 'Cluster') clusters.push(ofKind(value, 'Cluster', where) as ClusterConfig);
    else if (kind === 'InstanceGroup')
      instanceGroups.push(ofKind(value, 'InstanceGroup', where) as InstanceGroupConfig);
    else if (isPlainObject(value) && typeof kind === 'string' && kind !== '') additionalObjects.push(value);
    else
      throw new StateStoreError('InvalidArgument', `${where}: expected a map with a kind (Cluster, InstanceGroup ...)`);
  });
  if (clusters.length !== 1)
    throw new StateStoreError('InvalidArgument', `expected exactly one Cluster document, found ${clusters.length}`);
  return { cluster: clusters[0]!, instanceGroups, additionalObjects };
}

/**
 * Writes a Cluster as YAML kops reads. Given the `originalText` it was read from, edits that text
 * instead (see {@link updateYamlText}): comments, key order and quoting survive, and an unchanged
 * config gives the original bytes.
 *
 * @example
 * ```ts
 * import { parseClusterConfig, stringifyClusterConfig } from 'kops-statestore';
 * declare const text: string; // a cluster's stored config
 *
 * const config = parseClusterConfig(text);
 * const next = { ...config, spec: { ...config.spec, kubernetesVersion: '1.30.1' } };
 * stringifyClusterConfig(next, text); // text with one line changed
 * ```
 */
export function stringifyClusterConfig(config: ClusterConfig, originalText?: string): string {
  return originalText === undefined ? stringifyYaml(config) : updateYamlText(originalText, config);
}

/** Writes an InstanceGroup as YAML kops reads; like {@link stringifyClusterConfig}. */
export function stringifyInstanceGroupConfig(group: InstanceGroupConfig, originalText?: string): string {
  return originalText === undefined ? stringifyYaml(group) : updateYamlText(originalText, group);
}

/** Writes kops's multi-document form: the Cluster, each InstanceGroup, then additional objects, separated as kops separates them. */
export function stringifyClusterDocuments(
  documents: Pick<ClusterDocuments, 'cluster' | 'instanceGroups'> & Partial<ClusterDocuments>,
): string {
  const all = [documents.cluster, ...documents.instanceGroups, ...(documents.additionalObjects ?? [])];
  return all.map((document) => stringifyYaml(document)).join('\n---\n\n');
}

function ofKind(value: unknown, kind: 'Cluster' | 'InstanceGroup', where: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new StateStoreError('InvalidArgument', `${where}: a ${kind} must be a YAML map`);
  if (value.kind !== undefined && value.kind !== kind) {
    throw new StateStoreError(
      'InvalidArgument',
      `${where}: expected kind ${kind}, found ${JSON.stringify(value.kind)}`,
    );
  }
  assertReadableApiVersion(value.apiVersion, where);
  return value;
}

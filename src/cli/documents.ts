import {
  parseYamlAll,
  type ClusterConfig,
  type InstanceGroupConfig,
  type StateStore,
  type StoredDocument,
  type ValidationIssue,
} from '../index.js';
import { CliError, EXIT } from './exit-codes.js';

/** One document of a kops `-f` file, with the cluster it belongs to. */
export type FileDocument =
  | { kind: 'Cluster'; cluster: string; name: string; value: ClusterConfig }
  | { kind: 'InstanceGroup'; cluster: string; name: string; value: InstanceGroupConfig };

/** The fields of a document that sort it into a kind and a cluster; validation checks the rest. */
interface DocumentHead {
  kind?: unknown;
  metadata?: { name?: unknown; labels?: Record<string, string | undefined> };
}

/**
 * Splits a kops `-f` file (`---`-separated Cluster and InstanceGroup documents, any order) and
 * finds each instance group's cluster: its `kops.k8s.io/cluster` label (kops:
 * pkg/apis/kops/instancegroup.go LabelClusterName), else the Cluster of the same file, else --name.
 */
export function fileDocuments(text: string, clusterFlag?: string): FileDocument[] {
  const values = parseYamlAll(text) as Array<DocumentHead | null | undefined>;
  const clusterInFile = values.find((value) => value?.kind === 'Cluster')?.metadata?.name as string | undefined;
  return values.map((value, index) => {
    const kind = value?.kind;
    const name = value?.metadata?.name;
    if (typeof name !== 'string' || name === '')
      throw new CliError(`document ${index + 1}: metadata.name is required`, EXIT.VALIDATION);
    if (kind === 'Cluster') return { kind, cluster: name, name, value: value as ClusterConfig };
    if (kind === 'InstanceGroup') {
      const cluster = value?.metadata?.labels?.['kops.k8s.io/cluster'] ?? clusterInFile ?? clusterFlag;
      if (!cluster)
        throw new CliError(
          `document ${index + 1}: instance group "${name}" names no cluster (label kops.k8s.io/cluster, or --name)`,
          EXIT.USAGE,
        );
      return { kind, cluster, name, value: value as InstanceGroupConfig };
    }
    throw new CliError(
      `document ${index + 1}: unsupported kind ${JSON.stringify(kind)} (Cluster or InstanceGroup)`,
      EXIT.VALIDATION,
    );
  });
}

/** The stored document a file document replaces (NotFound when absent). */
export function storedOf(store: StateStore, doc: FileDocument): Promise<StoredDocument<unknown>> {
  return doc.kind === 'Cluster' ? store.getCluster(doc.name) : store.getInstanceGroup(doc.cluster, doc.name);
}

/**
 * A validation issue as one line: where, what, the suggestion when the message lacks it, and the
 * kops rule that reported it (`[kops pkg/apis/kops/validation/aws.go:236]`).
 */
export function describeIssue(issue: ValidationIssue): string {
  const hint =
    issue.didYouMean && !issue.message.includes('did you mean') ? ` (did you mean "${issue.didYouMean}"?)` : '';
  const where = issue.message.startsWith(issue.path) ? '' : `${issue.path || '/'}: `;
  const source = issue.source === undefined ? '' : ` [kops ${issue.source}]`;
  return `${issue.severity === 'warning' ? 'warning: ' : ''}${where}${issue.message}${hint}${source}`;
}

import type { ClusterConfig } from '../config/schema/index.js';
import { setFields, unsetFields } from '../config/paths/index.js';
import type { CreateClusterOptions } from './options.js';

type Obj = Record<string, unknown>;

/**
 * Applies `--unset` then `--set`, in that order as kops's `RunCreateCluster` does
 * (cmd/kops/create_cluster.go). kops writes them as `cluster.spec.x=v`; `cluster.` is dropped,
 * and instance-group fields are left alone.
 */
export function applySetsAndUnsets(
  cluster: ClusterConfig,
  options: Pick<CreateClusterOptions, 'sets' | 'unsets'>,
): ClusterConfig {
  const strip = (f: string): string => f.replace(/^cluster\./, '');
  const forCluster = (f: string): boolean => f.startsWith('cluster.') || f.startsWith('spec.');
  const sets = (options.sets ?? []).filter(forCluster).map(strip);
  const unsets = (options.unsets ?? []).filter(forCluster).map(strip);
  let out = unsets.length ? unsetFields(cluster, unsets) : cluster;
  out = sets.length ? setFields(out, sets) : out;
  return out;
}

/**
 * Calico's eBPF dataplane replaces kube-proxy, so kops turns kube-proxy off unless `--set`
 * already decided (kops: `RunCreateCluster`, after the sets).
 */
export function disableKubeProxyForCalicoBPF(cluster: ClusterConfig): ClusterConfig {
  const spec = (cluster as unknown as { spec: Obj }).spec;
  const calico = (spec.networking as { calico?: Obj } | undefined)?.calico;
  const kubeProxy = (spec.kubeProxy ?? {}) as Obj;
  if (calico?.bpfEnabled === true && kubeProxy.enabled === undefined) spec.kubeProxy = { ...kubeProxy, enabled: false };
  return cluster;
}

/**
 * For merges into an existing cluster: kube-proxy goes off when the CNI replaces it (Cilium with
 * node ports, kube-router, Calico eBPF); this runs after `--set` so a set `bpfEnabled` counts.
 */
export function disableKubeProxyWhenReplaced(cluster: ClusterConfig): ClusterConfig {
  const spec = (cluster as unknown as { spec: Obj }).spec;
  const networking = (spec.networking ?? {}) as { cilium?: Obj; calico?: Obj; kuberouter?: Obj };
  if (
    networking.cilium?.enableNodePort === true ||
    networking.kuberouter !== undefined ||
    networking.calico?.bpfEnabled === true
  ) {
    spec.kubeProxy = { ...((spec.kubeProxy ?? {}) as Obj), enabled: false };
  }
  return cluster;
}

/**
 * The cluster the store's kops-rule tests start from: the one-zone AWS cluster (us-test-1a) kops's
 * `create cluster` makes, in a fresh memory store, and its documents as `export` leaves them.
 */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { openStateStore } from '../../src/store/open.js';
import type { ApplyDocument, ClusterConfig, InstanceGroupConfig, StateStore } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';

/** The control-plane group kops's create names for the one zone. */
export const CONTROL_PLANE = 'control-plane-us-test-1a';
/** The node group kops's create names for the one zone. */
export const NODES = 'nodes-us-test-1a';

/** The cluster `name` and its groups, as kops's create makes them (AWS, us-test-1a, Kubernetes v1.32.0). */
export function oneZoneCluster(name: string): { cluster: ClusterConfig; instanceGroups: InstanceGroupConfig[] } {
  const options = { clusterName: name, cloud: 'aws', zones: ['us-test-1a'], kubernetesVersion: 'v1.32.0' };
  return clusterFromOptions(options as CreateClusterOptions);
}

/** What {@link oneZoneStore} creates: the cluster's name, and what to change in its config first. */
export interface OneZoneSetup {
  name: string;
  /** The config as created, changed (given the store's URL); unchanged without it. */
  config?: (cluster: ClusterConfig, storeUrl: string) => ClusterConfig;
  /** The reason recorded for the creation. */
  reason?: string;
}

let counter = 0;

/**
 * A fresh memory store (its URL names `label`, unique per call); with `create`, holding the
 * one-zone cluster created through the store.
 */
export async function oneZoneStore(label: string, create?: OneZoneSetup): Promise<{ store: StateStore; vfs: Vfs }> {
  const vfs = await openVfs(`memfs://${label}-${process.pid}-${++counter}`);
  const store = await openStateStore(vfs);
  if (create !== undefined) {
    const { cluster, instanceGroups } = oneZoneCluster(create.name);
    const config = create.config === undefined ? cluster : create.config(cluster, vfs.url);
    await store.createCluster(create.name, config, instanceGroups, { reason: create.reason });
  }
  return { store, vfs };
}

/** The stored documents of cluster `name` as `export` leaves them (each text parsed): the config, then the groups. */
export async function exportedDocuments(store: StateStore, name: string): Promise<ApplyDocument[]> {
  const groups = await store.listInstanceGroups(name);
  const texts = [(await store.getCluster(name)).text];
  for (const group of groups) texts.push((await store.getInstanceGroup(name, group)).text);
  return texts.map((text) => parseYaml(text).value as ApplyDocument);
}

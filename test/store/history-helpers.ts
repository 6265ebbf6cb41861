/** What the history tests on the memory backend share: a fresh cluster, listing and snapshots. */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { openStateStore } from '../../src/store/open.js';
import type { HistoryEntry, HistorySettings, StateStore } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';

export const NAME = 'hist.example.com';
export const OPTIONS = {
  clusterName: NAME,
  cloud: 'aws',
  zones: ['us-test-1a'],
  kubernetesVersion: 'v1.32.0',
  networking: 'cilium',
} as CreateClusterOptions;
export const HISTORY = `${NAME}/backups/statestore/history/`;
let counter = 0;

/** A fresh memory store's name. */
export function freshName(what: string): string {
  return `memfs://history-${what}-${process.pid}-${++counter}`;
}

/** A fresh memory store holding the cluster {@link NAME}, made by createCluster. */
export async function fresh(history: HistorySettings = {}): Promise<{ store: StateStore; vfs: Vfs }> {
  const vfs = await openVfs(freshName('store'));
  const store = await openStateStore(vfs, { history });
  const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
  await store.createCluster(NAME, cluster, instanceGroups);
  return { store, vfs };
}

/**
 * A copy of the cluster's node group named `name`: kops refuses deleting a cluster's only
 * control-plane or node group (store/deletion-check.ts), so the tests of deletes delete this one.
 */
export async function addNodeGroup(store: StateStore, name: string): Promise<void> {
  const nodes = (await store.listInstanceGroups(NAME)).find((group) => group.startsWith('nodes'))!;
  const copy = (await store.getInstanceGroup(NAME, nodes)).value;
  await store.putInstanceGroup(NAME, { ...copy, metadata: { ...copy.metadata, name } });
}

export async function collect(iterable: AsyncIterable<HistoryEntry>): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

/** Every key and version of the store: "nothing written" is this unchanged. */
export async function snapshot(vfs: Vfs): Promise<string[]> {
  const out: string[] = [];
  for await (const info of vfs.listAll()) out.push(`${info.key}@${info.version}`);
  return out;
}

/**
 * Quick start: a kops state store in a local folder (the embedded default, no cloud account),
 * a cluster created, changed by merges that race, and a dry run.
 *
 *   npm run example            (or: npx tsx examples/quickstart.ts [store-url])
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isStateStoreError, openStateStore, type ClusterConfig, type InstanceGroupConfig } from '../src/index.js';

const folder = path.resolve('.statestore-example');
const url = process.argv[2] ?? `file://${folder}`;
const name = 'demo.example.com';

const cluster: ClusterConfig = {
  apiVersion: 'kops.k8s.io/v1alpha2',
  kind: 'Cluster',
  metadata: { name },
  spec: {
    cloudProvider: 'aws',
    configBase: `${url}/${name}`,
    kubernetesVersion: '1.29.0',
    networkCIDR: '172.20.0.0/16',
    nonMasqueradeCIDR: '100.64.0.0/10',
    subnets: [{ name: 'us-east-1a', zone: 'us-east-1a', type: 'Public', cidr: '172.20.32.0/19' }],
    etcdClusters: [{ name: 'main', etcdMembers: [{ name: 'a', instanceGroup: 'control-plane-us-east-1a' }] }],
  },
};
const groups: InstanceGroupConfig[] = [
  {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'InstanceGroup',
    metadata: { name: 'control-plane-us-east-1a' },
    spec: { role: 'Master', machineType: 't3.medium', minSize: 1, maxSize: 1, subnets: ['us-east-1a'] },
  },
  {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'InstanceGroup',
    metadata: { name: 'nodes' },
    spec: { role: 'Node', machineType: 't3.large', minSize: 2, maxSize: 2, subnets: ['us-east-1a'] },
  },
];

async function main(): Promise<void> {
  if (process.argv[2] === undefined) await rm(folder, { recursive: true, force: true });
  const store = await openStateStore(url);
  console.log(`state store: ${store.url}`);

  await store.createCluster(name, cluster, groups);
  const again = await store.createCluster(name, cluster, groups).catch((err: unknown) => err);
  console.log(`created ${name}; creating it again fails with ${isStateStoreError(again) ? again.code : String(again)}`);

  // A strategic patch: maps merge, subnets merge by name.
  const upgrade = await store.mergeConfig(name, {
    spec: { kubernetesVersion: '1.30.0', subnets: [{ name: 'us-east-1a', type: 'Private' }] },
  });
  console.log(`merged in ${upgrade.attempts} attempt(s):\n${upgrade.diff.unified}`);

  // kops's own --set syntax, and five writers racing: optimistic concurrency loses no update.
  const racing = await Promise.all(
    ['a', 'b', 'c', 'd', 'e'].map((team) => store.mergeConfig(name, { set: [`spec.cloudLabels.team-${team}=yes`] })),
  );
  console.log(
    `5 racing merges took ${racing.map((r) => r.attempts).join(', ')} attempts; labels now:`,
    (await store.getCluster(name)).value.spec?.cloudLabels,
  );

  // A dry run shows the diff and writes nothing; an invalid change is refused with the reason.
  const dry = await store.mergeConfig(name, { set: ['spec.kubernetesVersion=1.31.0'] }, { dryRun: true });
  console.log(`dry run would change: ${dry.diff.operations.map((op) => `${op.op} ${op.path}`).join(', ')}`);
  const typo = await store
    .mergeConfig(name, { spec: { kubernetesVersoin: '1.31.0' } } as never)
    .catch((err: unknown) => err);
  if (isStateStoreError(typo, 'ValidationError')) console.log(`refused: ${typo.issues?.[0]?.message}`);

  console.log(
    `clusters: ${(await store.listClusters()).join(', ')}; instance groups: ${(await store.listInstanceGroups(name)).join(', ')}`,
  );
  await store.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * The kops rules read from kops's Go source (kops-rules.ts) say what kops's code says: checked on
 * files kops itself writes and on one it refuses, so a parsing slip cannot make every key pass.
 */
import { kopsClusterNames, kopsDeleteRefuses } from './kops-rules.js';

const cluster = 'a.example.com';

it("reads DeleteAllClusterState's allow list out of kops's source", () => {
  const kopsFiles = [
    'config',
    'cluster-completed.spec',
    'kops-version.txt',
    'pki/issued/ca/keyset.yaml',
    'backups/etcd/main/x',
  ];
  expect(
    kopsDeleteRefuses(
      cluster,
      kopsFiles.map((file) => `${cluster}/${file}`),
    ),
  ).toEqual([]);
  expect(kopsDeleteRefuses(cluster, [`${cluster}/statestore/lease`, `${cluster}/configs`])).toEqual([
    'statestore/lease',
    'configs',
  ]);
});

it("reads listNames' cluster rule out of kops's source", () => {
  expect(kopsClusterNames([`${cluster}/config`, `${cluster}/instancegroup/nodes`, 'b/c/config'])).toEqual([
    cluster,
    'b/c',
  ]);
});

/**
 * The `kops` shape: state-store folders laid out as kops and etcd-manager write them, so that a
 * move is timed on what users move (issue #29), not on uniform 1 KiB files.
 *
 * Each cluster holds:
 * - the 24 files of kops's `complex` integration tree (test/fixtures/kops/state-stores/complex,
 *   real bytes: config, cluster-completed.spec, addons/, igconfig/, manifests/, instancegroup/,
 *   backups/etcd/{main,events}/control/etcd-cluster-spec), its `memfs://clusters.example.com`
 *   store and cluster name replaced by the seeded ones (kops: `config` and
 *   `cluster-completed.spec`, pkg/apis/kops/registry/registry.go:29-31);
 * - keysets under `pki/private/<name>/keyset.yaml` (upup/pkg/fi/vfs_castore.go:162,
 *   vfs_keystorereader.go:55,82) for the CAs kops creates (pkg/model/bootstrapscript.go:170-207,
 *   pkg/model/pki.go:60,71) and the admin SSH key `pki/ssh/public/admin/<id>` (vfs_castore.go:306);
 * - secrets under `secrets/<name>` (pkg/client/simple/vfsclientset/clientset.go:100);
 * - more instance groups under `instancegroup/<name>` (vfsclientset/instancegroup.go:55), up to
 *   about 100 small files a cluster (a cluster with one group per zone and role);
 * - etcd-manager's backups of its `main` and `events` clusters, each a folder
 *   `backups/etcd/<main|events>/<RFC3339 UTC time>-<sequence>/` holding `etcd.backup.gz` (the
 *   gzipped snapshot) and `_etcd_backup.meta` (JSON), as etcd-manager's vfs backup store names
 *   them (`now.UTC().Format(time.RFC3339) + "-" + sequence`, MetaFilename and DataFilename in
 *   kubernetes-sigs/etcdadm etcd-manager/pkg/backup/{store,vfs}.go), one every 15 minutes (kops's
 *   default, docs/operations/etcd_backup_restore_encryption.md:24). Snapshot sizes are spread
 *   log-uniformly over 100 KiB - 1 MiB for main and 100 - 300 KiB for events (random bytes:
 *   incompressible, as a gzipped snapshot is).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../test/helpers/repo-root.js';
import { mulberry32 } from '../../test/helpers/mulberry32.js';

/** One file of the shape: its key under the shape's prefix and its bytes (made when seeded). */
export interface KopsFile {
  key: string;
  size: number;
  body: () => Buffer;
}

const TREE = path.join(REPO_ROOT, 'test/fixtures/kops/state-stores/complex/clusters.example.com/complex.example.com');
const CAS = [
  'kubernetes-ca',
  'apiserver-aggregator-ca',
  'service-account',
  'etcd-clients-ca',
  'etcd-manager-ca-main',
  'etcd-manager-ca-events',
  'etcd-peers-ca-main',
  'etcd-peers-ca-events',
  'etcd-clients-ca-cilium',
  'kubernetes-ca-previous',
];
const SECRETS = [
  'admin',
  'kube',
  'kube-proxy',
  'kubelet',
  'system:controller_manager',
  'system:dns',
  'system:logging',
  'system:monitoring',
  'system:scheduler',
  'dockerconfig',
];
const SMALL_FILES_PER_CLUSTER = 100;
const KIB = 1024;

function treeFiles(dir: string, relative = ''): string[] {
  return readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = path.posix.join(relative, entry.name);
    return entry.isDirectory() ? treeFiles(dir, child) : [child];
  });
}

/** A size log-uniform between `low` and `high` bytes, from a seeded sequence (same shape every run). */
function logUniform(random: () => number, low: number, high: number): number {
  return Math.round(Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low))));
}

function text(body: string): Pick<KopsFile, 'size' | 'body'> {
  const bytes = Buffer.from(body, 'utf8');
  return { size: bytes.byteLength, body: () => bytes };
}

function randomBody(size: number): Pick<KopsFile, 'size' | 'body'> {
  return { size, body: () => randomBytes(size) };
}

/** The kops files of one cluster (fixture tree, keysets, secrets, instance groups), about 100. */
function clusterFiles(cluster: string, storeBase: string): KopsFile[] {
  const files: KopsFile[] = treeFiles(TREE).map((relative) => {
    const original = readFileSync(path.join(TREE, relative), 'utf8');
    const body = original
      .replaceAll('memfs://clusters.example.com', storeBase)
      .replaceAll('complex.example.com', cluster);
    return { key: `${cluster}/${relative}`, ...text(body) };
  });
  const keyset = (name: string) =>
    `apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  name: ${name}\nspec:\n  keys:\n  - id: "${BigInt.asUintN(63, BigInt(name.length) * 7919n)}"\n    privateMaterial: ${randomBytes(1700).toString('base64')}\n    publicMaterial: ${randomBytes(800).toString('base64')}\n  primaryID: "1"\n  type: Keypair\n`;
  for (const ca of CAS) files.push({ key: `${cluster}/pki/private/${ca}/keyset.yaml`, ...text(keyset(ca)) });
  files.push({
    key: `${cluster}/pki/ssh/public/admin/${randomBytes(16).toString('hex')}`,
    ...text(`ssh-rsa ${randomBytes(279).toString('base64')}\n`),
  });
  for (const secret of SECRETS)
    files.push({ key: `${cluster}/secrets/${secret}`, ...text(`{"Data":"${randomBytes(24).toString('base64')}"}`) });
  for (let i = 0; files.length < SMALL_FILES_PER_CLUSTER; i++) {
    const group = `nodes-us-test-1${'abc'[i % 3]}-${String(i).padStart(2, '0')}`;
    files.push({
      key: `${cluster}/instancegroup/${group}`,
      ...text(
        `apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  labels:\n    kops.k8s.io/cluster: ${cluster}\n  name: ${group}\nspec:\n  machineType: t3.medium\n  maxSize: 3\n  minSize: 1\n  role: Node\n  subnets:\n  - us-test-1${'abc'[i % 3]}\n`,
      ),
    });
  }
  return files;
}

/** etcd-manager's backups of one cluster: `perEtcd` of main and of events, 15 minutes apart. */
function backupFiles(cluster: string, perEtcd: number, random: () => number): KopsFile[] {
  const files: KopsFile[] = [];
  const start = Date.UTC(2026, 10, 1);
  for (const [etcd, high] of [
    ['main', 1024 * KIB],
    ['events', 300 * KIB],
  ] as const) {
    for (let n = 0; n < perEtcd; n++) {
      const at = new Date(start + n * 15 * 60_000);
      // RFC3339 as Go formats a UTC time: no fractional seconds, a Z.
      const name = `${at.toISOString().slice(0, 19)}Z-${String(n + 1).padStart(6, '0')}`;
      const folder = `${cluster}/backups/etcd/${etcd}/${name}`;
      files.push({ key: `${folder}/etcd.backup.gz`, ...randomBody(logUniform(random, 100 * KIB, high)) });
      files.push({
        key: `${folder}/_etcd_backup.meta`,
        ...text(
          JSON.stringify({
            etcdVersion: '3.5.21',
            timestamp: Math.floor(at.getTime() / 1000),
            clusterSpec: { memberCount: 3, etcdVersion: '3.5.21' },
          }),
        ),
      });
    }
  }
  return files;
}

/**
 * The kops shape under `storeBase` (the URL the configs name): `clusters` clusters of about 100
 * kops files each and `perEtcd` backups of each of their two etcd clusters. The config of each
 * cluster is among the files (from the fixture tree), its configBase naming `storeBase`.
 */
export function kopsShapeFiles(storeBase: string, clusters: number, perEtcd: number): KopsFile[] {
  const random = mulberry32(29);
  const files: KopsFile[] = [];
  for (let i = 0; i < clusters; i++) {
    const cluster = `c${String(i).padStart(2, '0')}.k8s.example.com`;
    files.push(...clusterFiles(cluster, storeBase), ...backupFiles(cluster, perEtcd, random));
  }
  return files;
}

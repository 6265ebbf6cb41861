/**
 * The store shapes the move benchmark copies: each is seeded once into the `src` bucket under
 * its own prefix (or a local folder for file -> file), with a `config` per cluster.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { kopsShapeFiles } from './kops-shape.js';

export interface SeededFile {
  key: string;
  size: number;
}

export type ShapeName = 'mixed' | 'one' | 'many' | 'file' | 'kops' | 'deep';

export const SHAPE_LABELS: Record<ShapeName, string> = {
  mixed: 'mixed: 1 cluster, 2,000 x 1 KiB + 20 x 8 MiB',
  one: 'one cluster, 2,000 x 1 KiB',
  many: '200 clusters x 10 files (1 KiB)',
  file: 'file:// -> file://, 1 cluster, 2,000 x 1 KiB',
  deep: 'deep: 10 clusters x (1,000 etcd backup files + 20 keys), 1 KiB each',
  kops: 'kops: 10 clusters a --scale x (100 kops files + 15 x 2 etcd backups of 100 KiB-1 MiB with their meta)',
};

/** Backups of each etcd cluster (main, events) per cluster of the kops shape; --scale scales the clusters. */
export const KOPS_BACKUPS_PER_ETCD = 15;

const configOf = (base: string, cluster: string): string =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${cluster}\nspec:\n  configBase: ${base}/${cluster}\n`;

/** The files of a shape (keys relative to its prefix), `scale` multiplying the counts. */
export function shapeFiles(shape: ShapeName, scale: number): { files: SeededFile[]; configs: string[] } {
  const n = (count: number) => Math.max(1, Math.round(count * scale));
  const files: SeededFile[] = [];
  if (shape === 'many') {
    const clusters = Array.from({ length: n(200) }, (_, i) => `c${String(i).padStart(3, '0')}.example.com`);
    for (const cluster of clusters) for (let i = 0; i < 9; i++) files.push({ key: `${cluster}/pki/f${i}`, size: 1024 });
    return { files, configs: clusters };
  }
  if (shape === 'deep') return deepShape(n(10));
  const cluster = 'bench.example.com';
  for (let i = 0; i < n(2000); i++)
    files.push({ key: `${cluster}/secrets/small-${String(i).padStart(5, '0')}`, size: 1024 });
  if (shape === 'mixed')
    for (let i = 0; i < n(20); i++)
      files.push({ key: `${cluster}/backups/large-${String(i).padStart(3, '0')}`, size: 8 * 1024 * 1024 });
  return { files, configs: [cluster] };
}

/**
 * Clusters of more than a page each (the parallel listing's case, bench/README.md "Parallel
 * listing"): per cluster 20 keys under `pki/` and 250 etcd-manager backups of each of `main` and
 * `events` (`backups/etcd/<name>/<RFC3339>-<n>/etcd.backup.gz` + `_etcd_backup.meta`, named as
 * kops-shape.ts names them), every file 1 KiB: 1,021 keys a cluster with its config.
 */
function deepShape(clusters: number): { files: SeededFile[]; configs: string[] } {
  const files: SeededFile[] = [];
  const configs = Array.from({ length: clusters }, (_, i) => `d${String(i).padStart(2, '0')}.example.com`);
  for (const cluster of configs) {
    for (const etcd of ['events', 'main'])
      for (let i = 0; i < 250; i++) {
        const stamp = new Date(Date.UTC(2026, 0, 1) + i * 15 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
        const folder = `${cluster}/backups/etcd/${etcd}/${stamp}-${String(i + 1).padStart(6, '0')}`;
        files.push({ key: `${folder}/_etcd_backup.meta`, size: 1024 }, { key: `${folder}/etcd.backup.gz`, size: 1024 });
      }
    for (let i = 0; i < 20; i++) files.push({ key: `${cluster}/pki/issued/f${i}/keyset.yaml`, size: 1024 });
  }
  return { files, configs };
}

/** Seeds `src/<prefix>/...` on S3; returns every key written (for the CopyObject ceiling). */
export async function seedS3(client: S3Client, shape: ShapeName, prefix: string, scale: number): Promise<SeededFile[]> {
  if (shape === 'kops') return seedKops(client, prefix, scale);
  const { files, configs } = shapeFiles(shape, scale);
  const limit = pLimit(16);
  await Promise.all(
    files.map((file) =>
      limit(() =>
        client.send(
          new PutObjectCommand({ Bucket: 'src', Key: `${prefix}/${file.key}`, Body: randomBytes(file.size) }),
        ),
      ),
    ),
  );
  const written = files.map((file) => ({ key: `${prefix}/${file.key}`, size: file.size }));
  for (const cluster of configs) {
    const body = configOf(`s3://src/${prefix}`, cluster);
    await client.send(new PutObjectCommand({ Bucket: 'src', Key: `${prefix}/${cluster}/config`, Body: body }));
    written.push({ key: `${prefix}/${cluster}/config`, size: body.length });
  }
  return written;
}

/** Seeds `count` objects of `size` bytes under `src/<prefix>/` (the request rows' sources); returns their keys. */
export async function seedRequests(client: S3Client, prefix: string, count: number, size: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}/k${String(i).padStart(5, '0')}`);
  const limit = pLimit(16);
  await Promise.all(
    keys.map((key) =>
      limit(() => client.send(new PutObjectCommand({ Bucket: 'src', Key: key, Body: randomBytes(size) }))),
    ),
  );
  return keys;
}

/** Seeds a local folder as a file:// store of the `file` shape. */
export async function seedFolder(dir: string, scale: number): Promise<void> {
  const { files, configs } = shapeFiles('file', scale);
  const limit = pLimit(32);
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        await mkdir(path.dirname(path.join(dir, file.key)), { recursive: true });
        await writeFile(path.join(dir, file.key), randomBytes(file.size));
      }),
    ),
  );
  for (const cluster of configs) await writeFile(path.join(dir, cluster, 'config'), configOf(`file://${dir}`, cluster));
}

/** Seeds the kops shape (kops-shape.ts) under `src/<prefix>`; configs included. */
async function seedKops(client: S3Client, prefix: string, scale: number): Promise<SeededFile[]> {
  const files = kopsShapeFiles(`s3://src/${prefix}`, Math.max(1, Math.round(10 * scale)), KOPS_BACKUPS_PER_ETCD);
  const limit = pLimit(16);
  await Promise.all(
    files.map((file) =>
      limit(() =>
        client.send(new PutObjectCommand({ Bucket: 'src', Key: `${prefix}/${file.key}`, Body: file.body() })),
      ),
    ),
  );
  return files.map((file) => ({ key: `${prefix}/${file.key}`, size: file.size }));
}

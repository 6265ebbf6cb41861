/**
 * The three kops state-store trees (test/fixtures/kops/state-stores, reconstructed from kops's
 * tests, Apache-2.0), plus the pki/ and secrets/ files kops writes that they lack
 * (test/fixtures/state-stores-extra, made by scripts/make-extra-fixtures.sh), loaded into a store.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Vfs } from '../../src/vfs/types.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { REPO_ROOT } from '../helpers/index.js';

export interface KopsTree {
  /** Folder name under state-stores/. */
  name: string;
  /** The folder that is the store's root (configBase minus the cluster name). */
  base: string;
  cluster: string;
  igs: string[];
}

export const TREES: KopsTree[] = [
  { name: 'minimal-1.34', base: 'tests', cluster: 'minimal.example.com', igs: ['master-us-test-1a', 'nodes'] },
  {
    name: 'complex',
    base: 'clusters.example.com',
    cluster: 'complex.example.com',
    igs: ['master-us-test-1a', 'nodes'],
  },
  {
    name: 'privatecilium',
    base: 'clusters.example.com',
    cluster: 'privatecilium.example.com',
    igs: ['bastion', 'master-us-test-1a', 'nodes'],
  },
];

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');

function walk(dir: string, prefix = ''): Array<{ key: string; file: string }> {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    const key = prefix === '' ? name : `${prefix}/${name}`;
    return statSync(file).isDirectory() ? walk(file, key) : [{ key, file }];
  });
}

/** Every file of a tree (kops's plus the extras), keyed relative to the store root. */
export function treeFiles(tree: KopsTree): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const root of [
    path.join(FIXTURES, 'kops/state-stores', tree.name, tree.base),
    path.join(FIXTURES, 'state-stores-extra', tree.name, tree.base),
  ]) {
    for (const { key, file } of walk(root)) files.set(key, readFileSync(file));
  }
  return files;
}

/** Writes a tree into a store, `config` last (as a real writer would). */
export async function loadTree(vfs: Vfs, tree: KopsTree): Promise<Map<string, Buffer>> {
  const files = treeFiles(tree);
  const config = `${tree.cluster}/config`;
  for (const [key, body] of files) if (key !== config) await vfs.write(key, body);
  await vfs.write(config, files.get(config)!);
  return files;
}

/** A fresh store of `target` holding `tree`, and the StateStore opened on it. */
export async function storeWithTree(
  target: { fresh(): Promise<{ vfs: Vfs }> },
  tree: KopsTree,
): Promise<{ vfs: Vfs; store: StateStore }> {
  const { vfs } = await target.fresh();
  await loadTree(vfs, tree);
  return { vfs, store: await openStateStore(vfs) };
}

/**
 * kops's golden keyset (upup/pkg/fi/vfs_castore_test.go, copied as
 * test/fixtures/kops/pki/kubernetes-ca.keyset.yaml) and the helpers the keyset tests share.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Vfs } from '../../src/vfs/types.js';
import { isStateStoreError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/index.js';
import { TREES } from './trees.js';

export const GOLDEN = readFileSync(path.join(REPO_ROOT, 'test/fixtures/kops/pki/kubernetes-ca.keyset.yaml'), 'utf8');
export const GOLDEN_ID = '237054359138908419352140518924933177492';
/** One of the golden file's two materials, as kops wrote it (base64 of PEM). */
export const goldenMaterial = (field: 'privateMaterial' | 'publicMaterial') =>
  new RegExp(`${field}: (\\S+)`).exec(GOLDEN)![1]!;
export const GOLDEN_CERT = Buffer.from(goldenMaterial('publicMaterial'), 'base64').toString('utf8');
export const GOLDEN_KEY = Buffer.from(goldenMaterial('privateMaterial'), 'base64').toString('utf8');

export const tree = TREES[0]!;
export const cluster = tree.cluster;
export const keyPath = (name: string) => `${cluster}/pki/private/${name}/keyset.yaml`;
export const text = async (vfs: Vfs, key: string) => Buffer.from((await vfs.read(key)).body).toString('utf8');

/** The StateStoreError a call rejects with (its code and message); anything else fails the test. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isStateStoreError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a StateStoreError');
}

/**
 * mergeConfig on a store that enforces create-if-absent but not compare-and-swap (a memfs store
 * claiming no `ifMatch`, so every compare-and-swap is refused before any I/O, as on swift://):
 * the merge runs under the cluster's lease object (src/store/merge-lease.ts).
 */
import { openStateStore } from '../../src/store/open.js';
import { leaseDocument, leaseKey } from '../../src/store/lease/document.js';
import type { Vfs } from '../../src/vfs/types.js';
import { memoryTarget, stopAll } from '../backends/targets.js';
import { errorCode } from '../helpers/index.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const cluster = tree.cluster;
const configKey = `${cluster}/config`;

/** The same Vfs, claiming capabilities it lacks (its own checks then refuse those conditions). */
function withCapabilities(vfs: Vfs, capabilities: Partial<Vfs['capabilities']>): Vfs {
  return new Proxy(vfs, {
    get: (target, property, receiver) =>
      property === 'capabilities'
        ? { ...target.capabilities, ...capabilities }
        : property === 'loadCapabilities'
          ? async () => ({ ...target.capabilities, ...capabilities })
          : (Reflect.get(target, property, receiver) as unknown),
  });
}

async function noSwapStore(): Promise<Vfs> {
  const { vfs } = await memoryTarget.fresh();
  await loadTree(vfs, tree);
  return withCapabilities(vfs, { ifMatch: false, deleteIfMatch: false });
}

const text = async (vfs: Vfs, key: string) => Buffer.from((await vfs.read(key)).body).toString('utf8');

describe('mergeConfig without compare-and-swap', () => {
  it('merges under the lease and deletes it after', async () => {
    const vfs = await noSwapStore();
    const store = await openStateStore(vfs);
    const result = await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.0' } });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(await text(vfs, configKey)).toContain('kubernetesVersion: 1.30.0');
    expect(await errorCode(vfs.stat(leaseKey(cluster)))).toBe('NotFound');
  });

  it('keeps every change of 8 concurrent writers', async () => {
    const vfs = await noSwapStore();
    const stores = await Promise.all(Array.from({ length: 8 }, () => openStateStore(vfs)));
    await Promise.all(
      stores.map((store, i) => store.mergeConfig(cluster, { spec: { cloudLabels: { [`writer-${i}`]: 'kept' } } })),
    );
    const labels = (await stores[0]!.getCluster(cluster)).value.spec?.cloudLabels ?? {};
    expect(Object.keys(labels).filter((label) => label.startsWith('writer-'))).toHaveLength(8);
  });

  it('waits for a live lease to be released', async () => {
    const vfs = await noSwapStore();
    const held = leaseDocument({ owner: 'someone else', token: 't', ttlMs: 60_000 }, Date.now());
    await vfs.write(leaseKey(cluster), JSON.stringify(held));
    setTimeout(() => void vfs.delete(leaseKey(cluster)), 150);
    const store = await openStateStore(vfs);
    const started = Date.now();
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.1' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await text(vfs, configKey)).toContain('kubernetesVersion: 1.30.1');
  });

  it('refuses to take over an expired lease (Conflict naming its holder), writing nothing', async () => {
    const vfs = await noSwapStore();
    const before = await text(vfs, configKey);
    const stale = leaseDocument({ owner: 'crashed merger', token: 't', ttlMs: 1_000 }, Date.now() - 60_000);
    await vfs.write(leaseKey(cluster), JSON.stringify(stale));
    const store = await openStateStore(vfs);
    const err = await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.2' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Conflict' });
    expect((err as Error).message).toContain('"crashed merger"');
    expect((err as Error).message).toContain(leaseKey(cluster));
    expect(await text(vfs, configKey)).toBe(before);
  });

  it('takes no lease for a dry run', async () => {
    const vfs = await noSwapStore();
    const before = await text(vfs, configKey);
    const store = await openStateStore(vfs);
    const result = await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.3' } }, { dryRun: true });
    expect(result.changed).toBe(true);
    expect(await text(vfs, configKey)).toBe(before);
    expect(await errorCode(vfs.stat(leaseKey(cluster)))).toBe('NotFound');
  });

  it('is Unsupported on a store with neither condition, writing nothing', async () => {
    const vfs = withCapabilities(await noSwapStore(), { ifNoneMatch: false });
    const before = await text(vfs, configKey);
    const store = await openStateStore(vfs);
    expect(await errorCode(store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.4' } }))).toBe('Unsupported');
    expect(await text(vfs, configKey)).toBe(before);
  });
});

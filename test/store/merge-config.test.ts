import { openStateStore } from '../../src/store/open.js';
import { isStateStoreError, StateStoreError } from '../../src/errors.js';
import { allTargets, memoryTarget, stopAll } from '../backends/targets.js';
import { countingVfs } from './counting-vfs.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const name = tree.cluster;

async function freshStore() {
  const { vfs } = await memoryTarget.fresh();
  await loadTree(vfs, tree);
  return vfs;
}

describe('mergeConfig', () => {
  it('costs exactly one read and one write uncontended, and keeps comments', async () => {
    const inner = await freshStore();
    const original = Buffer.from((await inner.read(`${name}/config`)).body).toString();
    await inner.write(`${name}/config`, original.replace('spec:\n', 'spec:\n  # keep me: placed by hand\n'));
    const { vfs, counts } = countingVfs(inner);
    const store = await openStateStore(vfs);
    const result = await store.mergeConfig(name, { spec: { kubernetesVersion: '1.30.0' } });
    // The merge itself: one read and one write. The history adds one write (the entry, after the
    // merge's write succeeded), one listing page of the newest entries and a read of the newest (to
    // number the revision; none here yet), one stat of the config (a deleteCluster racing the
    // write) and, on a document's first write, one listing of its history folder to prune it
    // (src/store/history/record.ts).
    // The document is read as a stream, capped at 4 MiB (#25.10).
    // loadCapabilities: how to write is asked of the store before the document write, the
    // compare-and-swap and the history entry (no I/O here; an S3 store's probe, once per store).
    expect(counts).toEqual({ read: 1, write: 2, list: 1, stat: 1, listAll: 1, loadCapabilities: 3 });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    // A spec change also bumps metadata.generation, as kops's update does (vfsclientset/cluster.go).
    expect(result.diff.operations).toHaveLength(2);
    expect(result.diff.operations).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/spec/kubernetesVersion', value: '1.30.0', oldValue: 'v1.34.0-alpha.1' },
        expect.objectContaining({ path: '/metadata/generation', value: 1 }),
      ]),
    );
    const text = (await store.getCluster(name)).text;
    expect(text).toContain('  # keep me: placed by hand\n');
    expect(text).toContain('kubernetesVersion: 1.30.0\n');
    expect(result.version).toBe((await store.getCluster(name)).version);
  });

  it('accepts set/unset, merge patch, JSON patch and functions', async () => {
    const store = await openStateStore(await freshStore());
    await store.mergeConfig(name, {
      set: ['spec.kubernetesVersion=1.31.0', 'spec.api.publicName=api.x.example.com'],
      unset: ['spec.channel'],
    });
    await store.mergeConfig(name, { mergePatch: { spec: { kubelet: { anonymousAuth: true } } } });
    await store.mergeConfig(name, { jsonPatch: [{ op: 'add', path: '/spec/sshAccess/-', value: '10.0.0.0/8' }] });
    await store.mergeConfig(name, (config) => ({
      ...config,
      metadata: { ...config.metadata, labels: { team: 'infra' } },
    }));
    const { value } = await store.getCluster(name);
    expect(value.spec?.kubernetesVersion).toBe('1.31.0');
    expect(value.spec?.masterPublicName).toBe('api.x.example.com');
    expect(value.spec?.channel).toBeUndefined();
    expect(value.spec?.kubelet?.anonymousAuth).toBe(true);
    expect(value.spec?.sshAccess).toContain('10.0.0.0/8');
    expect(value.metadata?.labels).toEqual({ team: 'infra' });
  });

  it('writes nothing on dryRun, on an invalid result, or when nothing changes', async () => {
    const inner = await freshStore();
    const before = await inner.stat(`${name}/config`);
    const { vfs, counts } = countingVfs(inner);
    const store = await openStateStore(vfs);
    const dry = await store.mergeConfig(name, { spec: { kubernetesVersion: '1.30.0' } }, { dryRun: true });
    expect(dry.changed).toBe(true);
    expect(dry.diff.unified).toContain('+  kubernetesVersion: 1.30.0');
    const invalid = await store
      .mergeConfig(name, { spec: { kubernetesVersoin: '1.30.0' } as never })
      .catch((e: unknown) => e);
    expect(isStateStoreError(invalid, 'ValidationError')).toBe(true);
    expect((invalid as { issues: Array<{ didYouMean?: string }> }).issues[0]!.didYouMean).toBe('kubernetesVersion');
    const same = await store.mergeConfig(name, { spec: { channel: 'stable' } });
    expect(same.changed).toBe(false);
    expect(counts.write).toBeUndefined();
    expect((await inner.stat(`${name}/config`)).version).toBe(before.version);
  });

  it('refuses prototype-pollution payloads and bad cluster names, writing nothing', async () => {
    const store = await openStateStore(await freshStore());
    const before = (await store.getCluster(name)).text;
    for (const change of [
      JSON.parse('{"spec":{"__proto__":{"polluted":true}}}'),
      { set: ['spec.constructor.prototype.polluted=1'] },
      { mergePatch: JSON.parse('{"__proto__":{"polluted":1}}') },
    ]) {
      const err = await store.mergeConfig(name, change).catch((e: unknown) => e);
      expect(isStateStoreError(err, 'InvalidArgument')).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await store.getCluster(name)).text).toBe(before);
    for (const bad of ['../etc', 'UPPER.example.com', 'a/b', '']) {
      expect(isStateStoreError(await store.mergeConfig(bad, {}).catch((e: unknown) => e), 'InvalidArgument')).toBe(
        true,
      );
    }
  });

  it('merges instance groups the same way', async () => {
    const store = await openStateStore(await freshStore());
    const result = await store.mergeInstanceGroup(name, 'nodes', {
      set: ['spec.machineType=m5.large', 'spec.maxSize=5'],
    });
    expect(result.changed).toBe(true);
    const { value } = await store.getInstanceGroup(name, 'nodes');
    expect(value.spec?.machineType).toBe('m5.large');
    expect(value.spec?.maxSize).toBe(5);
  });
});

// 32 writers in process, 16 against a server (npm test's time budget; test/reliability/load.test.ts
// and bench/load contend harder, over many rounds).
describe.each(allTargets.map((t) => [t.name, t, ['memory', 'file'].includes(t.name) ? 32 : 16] as const))(
  'concurrent mergeConfig calls on %s',
  (_name, target, writers) => {
    it(`${writers} writers lose no update`, async () => {
      const { vfs, open } = await target.fresh();
      await loadTree(vfs, tree);
      // Each writer uses its own store (own client), as separate processes would.
      const stores = await Promise.all(Array.from({ length: writers }, async () => await openStateStore(await open())));
      const results = await Promise.all(
        stores.map((store, i) => store.mergeConfig(name, { set: [`spec.cloudLabels.writer-${i}=v${i}`] })),
      );
      const { value } = await (await openStateStore(vfs)).getCluster(name);
      for (let i = 0; i < writers; i++) expect(value.spec?.cloudLabels?.[`writer-${i}`]).toBe(`v${i}`);
      expect(results.every((r) => r.changed)).toBe(true);
      expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(1);
      await Promise.all(stores.map((store) => store.close()));
      await vfs.close();
    });
  },
);

describe('mergeConfig and reads that race writers', () => {
  it('retries a read that failed with Conflict (as GCS reports a generation changing under it)', async () => {
    const inner = await freshStore();
    let failures = 2;
    const vfs = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'read') {
          return async (...args: Parameters<typeof inner.read>) => {
            if (failures-- > 0) throw new StateStoreError('Conflict', 'the object kept changing');
            return target.read(...args);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const result = await (
      await openStateStore(vfs)
    ).mergeConfig(name, { spec: { kubernetesVersion: '1.30.0' } }, { retry: { baseDelayMs: 1 } });
    expect(result.attempts).toBe(3);
    expect((await (await openStateStore(inner)).getCluster(name)).value.spec?.kubernetesVersion).toBe('1.30.0');
  });
});

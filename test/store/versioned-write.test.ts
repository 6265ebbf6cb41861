/**
 * Compare-and-swap checked against the bucket's object versions (src/store/versioned-write.ts), on
 * memfs with versioning on seen as a server that enforces no write condition (as Ceph RGW 16.2 with
 * versioning on is): a rollback to a provider version and merges succeed and are recorded; a kops
 * write forced between the check and the write (test/store/versions-race.ts) is kept and the
 * statestore write undone; without versioning such a store still refuses.
 */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { collect, freshName, NAME, OPTIONS } from './history-helpers.js';
import { unconditionalVersionedVfs, type RacedVfs } from './versions-race.js';

const CONFIG = `${NAME}/config`;

/** A cluster created on versioned memfs; a store over it as a server without conditions. */
async function versionedCluster(versioning = true): Promise<{ raw: Vfs; raced: RacedVfs; store: StateStore }> {
  const raw = await openVfs(freshName('versioned-write'), { memory: { versioning } });
  const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
  await (await openStateStore(raw)).createCluster(NAME, cluster, instanceGroups, { reason: 'new' });
  const raced = unconditionalVersionedVfs(raw);
  return { raw, raced, store: await openStateStore(raced.vfs) };
}

/** The config's text as kops would write it: `kubernetesVersion` changed. */
function kopsEdit(text: string, version: string): string {
  return text.replace(/kubernetesVersion: .*/, `kubernetesVersion: ${version}`);
}

describe('compare-and-swap from object versions (a server without write conditions)', () => {
  it('restores a provider version and records it; merges write and record too', async () => {
    const { raw, store } = await versionedCluster();
    const created = (await store.getCluster(NAME)).text;
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } }, { reason: 'ours' });
    const kops = kopsEdit((await store.getCluster(NAME)).text, 'v1.33.5');
    await raw.write(CONFIG, kops); // kops's unconditional PUT, between two statestore writes
    await store.mergeConfig(NAME, { spec: { cloudLabels: { team: 'a' } } }, { reason: 'ours again' });

    const versions = await collect(store.history(NAME, { source: 'versions', kind: 'config' }));
    expect(versions.map((e) => [e.revision, e.operation, e.reason])).toEqual([
      [4, 'update', 'ours again'],
      [3, 'external', undefined],
      [2, 'update', 'ours'],
      [1, 'create', 'new'],
    ]);
    const restored = await store.rollback(NAME, versions[3]!.id, { restoreGeneration: true, reason: 'back' });
    expect(restored.changed).toBe(true);
    expect((await store.getCluster(NAME)).text).toBe(created);
    const [newest] = await collect(store.history(NAME, { kind: 'config' }));
    expect(newest).toMatchObject({ operation: 'rollback', rolledBackTo: versions[3]!.id, reason: 'back' });
    expect(newest!.version).toBe(restored.version);
  });

  it('a kops write landing between the check and the write stays; the restore is undone', async () => {
    const { raw, raced, store } = await versionedCluster();
    const created = (await store.getCluster(NAME)).text;
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    const versions = await collect(store.history(NAME, { source: 'versions', kind: 'config' }));
    const entriesBefore = await collect(store.history(NAME));
    const kops = kopsEdit((await store.getCluster(NAME)).text, 'v1.33.7');
    raced.beforeNextWrite(CONFIG, () => raw.write(CONFIG, kops));

    await expect(store.rollback(NAME, versions[1]!.id, { restoreGeneration: true })).rejects.toMatchObject({
      code: 'PreconditionFailed',
      message: expect.stringContaining('undone') as string,
    });
    // kops's write is the document; the restore's version is gone from the provider's list.
    expect((await store.getCluster(NAME)).text).toBe(kops);
    const after = await raw.listObjectVersions!(CONFIG);
    expect(after.length).toBe(versions.length + 1);
    expect(after[0]).toMatchObject({ isLatest: true, deleted: false });
    const texts = await Promise.all(
      after.map(async (v) => Buffer.from((await raw.readObjectVersion!(CONFIG, v.versionId)).body).toString()),
    );
    expect(texts.filter((text) => text === created)).toHaveLength(1); // only revision 1's own
    // Nothing recorded: the history shows kops's write as external, after what it had.
    const entries = await collect(store.history(NAME));
    expect(entries.slice(1).map((e) => e.id)).toEqual(entriesBefore.map((e) => e.id));
    expect(entries[0]).toMatchObject({ operation: 'external' });
  });

  it('a kops write landing before the check refuses the restore with nothing written', async () => {
    const { raw, raced, store } = await versionedCluster();
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    const kops = kopsEdit((await store.getCluster(NAME)).text, 'v1.33.8');
    // After the rollback read the document and its history, before its check of the versions.
    raced.beforeNextVersionList(CONFIG, () => raw.write(CONFIG, kops));
    await expect(store.rollback(NAME, 1)).rejects.toMatchObject({
      code: 'PreconditionFailed',
      message: expect.stringContaining('nothing written') as string,
    });
    expect((await raw.listObjectVersions!(CONFIG)).length).toBe(3);
    expect((await store.getCluster(NAME)).text).toBe(kops);
  });

  it('a merge racing kops is undone, then merged again on top of kops', async () => {
    const { raw, raced, store } = await versionedCluster();
    const kops = kopsEdit((await store.getCluster(NAME)).text, 'v1.32.9');
    raced.beforeNextWrite(CONFIG, () => raw.write(CONFIG, kops));
    const merged = await store.mergeConfig(NAME, { spec: { cloudLabels: { team: 'b' } } }, { reason: 'label' });
    expect(merged.attempts).toBe(2);
    const { value } = await store.getCluster(NAME);
    expect(value.spec?.kubernetesVersion).toBe('v1.32.9');
    expect(value.spec?.cloudLabels).toEqual({ team: 'b' });
    const versions = await collect(store.history(NAME, { source: 'versions', kind: 'config' }));
    expect(versions.map((e) => [e.revision, e.operation])).toEqual([
      [3, 'update'],
      [2, 'external'],
      [1, 'create'],
    ]);
  });

  it('without versioning such a store refuses a restore, with nothing written', async () => {
    const { raw, store } = await versionedCluster(false);
    await raw.write(CONFIG, kopsEdit((await store.getCluster(NAME)).text, 'v1.32.1'));
    const before = (await store.getCluster(NAME)).version;
    await expect(store.rollback(NAME, 1)).rejects.toMatchObject({ code: 'Unsupported' });
    expect((await store.getCluster(NAME)).version).toBe(before);
  });
});

/**
 * Revisions as helm and kubectl name them (issue 31) on the memory backend: rollback to a number,
 * back one, to the current revision; tampered entries refused (issue 25 item 1); entries of the
 * previous format; deleteCluster racing a write (issue 25 item 6); retention round robin (item 9).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import { openStateStore } from '../../src/store/open.js';
import { renderEntry } from '../../src/store/history/entry-file.js';
import { entryKey } from '../../src/store/history/keys.js';
import type { StateStore } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { REPO_ROOT } from '../helpers/index.js';
import { addNodeGroup, collect, fresh, freshName, HISTORY, NAME, OPTIONS, snapshot } from './history-helpers.js';

/** The document's text with its `generation:` line left out (rollbacks move it forward, docs/history.md). */
function withoutGeneration(text: string): string {
  return text.replace(/^ {2}generation: \d+\n/m, '');
}

/** A cluster at revisions 1..4 of its config: created, then three merges. */
async function fourRevisions(): Promise<{ store: StateStore; vfs: Vfs; texts: string[] }> {
  const { store, vfs } = await fresh();
  const texts = [(await store.getCluster(NAME)).text];
  for (const version of ['1.33.0', '1.34.0', '1.35.0']) {
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: version } }, { reason: `to ${version}` });
    texts.push((await store.getCluster(NAME)).text);
  }
  return { store, vfs, texts };
}

describe('revisions as helm and kubectl name them (issue 31)', () => {
  it('rolls back to revision 2 as revision 5; to the current revision writes nothing', async () => {
    const { store, vfs, texts } = await fourRevisions();
    const listed = await collect(store.history(NAME, { kind: 'config' }));
    expect(listed.map((e) => [e.revision, e.operation])).toEqual([
      [4, 'update'],
      [3, 'update'],
      [2, 'update'],
      [1, 'create'],
    ]);
    for (const [i, text] of texts.entries()) expect((await store.getVersion(NAME, i + 1)).text).toBe(text);

    const result = await store.rollback(NAME, 2, { reason: 'back to 2', author: 'ops' });
    expect(result).toMatchObject({ changed: true, target: { revision: 2 }, keptFields: ['/metadata/generation'] });
    const now = (await store.getCluster(NAME)).text;
    expect(withoutGeneration(now)).toBe(withoutGeneration(texts[1]!));
    const after = await collect(store.history(NAME, { kind: 'config' }));
    expect(after).toHaveLength(5);
    expect(after[0]).toMatchObject({ revision: 5, operation: 'rollback', reason: 'back to 2', author: 'ops' });
    expect(after[0]!.rolledBackTo).toBe(listed[2]!.id);

    const before = await snapshot(vfs);
    const same = await store.rollback(NAME, 5);
    expect(same).toMatchObject({ changed: false, diff: '' });
    expect(await snapshot(vfs)).toEqual(before);
  });

  it('with no revision goes back one: from 4 to the content of 3', async () => {
    const { store, texts } = await fourRevisions();
    const result = await store.rollback(NAME);
    expect(result.target.revision).toBe(3);
    expect(withoutGeneration((await store.getCluster(NAME)).text)).toBe(withoutGeneration(texts[2]!));
    expect(await collect(store.history(NAME, { kind: 'config' }))).toHaveLength(5);
    // A revision number that is not kept is NotFound, with the range kept.
    await expect(store.rollback(NAME, 9)).rejects.toMatchObject({ code: 'NotFound', message: /kept: 1-5/ });
    await expect(store.rollback(NAME, 0)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('refuses a tampered entry holding an instance group, a scalar or another cluster (nothing written)', async () => {
    const { store, vfs } = await fresh();
    const group = (await store.getInstanceGroup(NAME, (await store.listInstanceGroups(NAME))[0]!)).text;
    const config = (await store.getCluster(NAME)).text;
    const tampered: Record<string, [string, string]> = {
      group: [group, 'IntegrityError'],
      scalar: ['hello\n', 'IntegrityError'],
      list: ['- a\n- b\n', 'IntegrityError'],
      other: [config.replaceAll(NAME, 'other.example.com'), 'IntegrityError'],
      duplicate: [config.replace(/^spec:\n/m, 'spec:\n  subnets: []\n'), 'IntegrityError'],
      invalid: [config.replace(/kubernetesVersion: .*/, 'kubernetesVersion: [1, 2]'), 'ValidationError'],
    };
    let stamp = 1;
    for (const [name, [text, code]] of Object.entries(tampered)) {
      const ref = { cluster: NAME, kind: 'config' as const, stamp: `000000000000${stamp++}-0000000${stamp}` };
      const write = { operation: 'update' as const, revision: 90 + stamp, after: { text, version: name } };
      await vfs.write(entryKey(ref), renderEntry(ref, new Date(), write));
      const before = await snapshot(vfs);
      await expect(store.rollback(NAME, `config/${ref.stamp}`)).rejects.toMatchObject({ code });
      expect(await snapshot(vfs)).toEqual(before);
    }
    expect((await store.getCluster(NAME)).text).toBe(config);
  });

  it('a rollback racing the re-creation of a deleted group is PreconditionFailed, as any changed document', async () => {
    const { store, vfs } = await fresh();
    const name = 'extra';
    await addNodeGroup(store, name);
    const group = await store.getInstanceGroup(NAME, name);
    await store.deleteInstanceGroup(NAME, name);
    const racing = new Proxy(vfs, {
      get(target, property, receiver) {
        if (property === 'read')
          return async (key: string, options?: object) => {
            const read = target.read(key, options);
            if (key === `${NAME}/instancegroup/${name}`)
              await read.catch(() => store.putInstanceGroup(NAME, group.value));
            return read;
          };
        return Reflect.get(target, property, receiver);
      },
    });
    const raced = await openStateStore(racing);
    await expect(raced.rollback(NAME, 1, { instanceGroup: name })).rejects.toMatchObject({
      code: 'PreconditionFailed',
    });
  });
});

describe('entries of the previous format (test/fixtures/history-v1, written by commit 8b31589)', () => {
  it('list numbered by position and roll back to the content they wrote', async () => {
    const vfs = await openVfs(freshName('v1'));
    const root = path.join(REPO_ROOT, 'test/fixtures/history-v1');
    for (const file of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue;
      const full = path.join(file.parentPath, file.name);
      await vfs.write(path.relative(root, full).split(path.sep).join('/'), readFileSync(full));
    }
    const store = await openStateStore(vfs);
    const cluster = 'legacy.example.com';
    const config = await collect(store.history(cluster, { kind: 'config' }));
    expect(config.map((e) => [e.revision, e.operation, e.reason])).toEqual([
      [4, 'rollback', 'old rollback'],
      [3, 'update', 'upgrade again'],
      [2, 'update', 'upgrade'],
      [1, 'create', undefined],
    ]);
    expect((await store.getVersion(cluster, 2)).value).toMatchObject({ spec: { kubernetesVersion: '1.33.0' } });
    const result = await store.rollback(cluster, 3, { reason: 'new rollback' });
    expect(result.entry?.revision).toBe(5);
    expect((await store.getCluster(cluster)).value.spec?.kubernetesVersion).toBe('1.34.0');
    const after = await collect(store.history(cluster, { kind: 'config' }));
    expect(after.map((e) => e.revision)).toEqual([5, 4, 3, 2, 1]);
    // One timeline across the config and the groups, newest first.
    const all = await collect(store.history(cluster));
    expect(all.map((e) => e.time.getTime())).toEqual([...all.map((e) => e.time.getTime())].sort((a, b) => b - a));
    expect(new Set(all.map((e) => e.kind))).toEqual(new Set(['config', 'instancegroup']));
  });
});

describe('deleteCluster racing a write (issue 25 item 6)', () => {
  it('leaves no entry behind for a new cluster of the same name', async () => {
    const { vfs } = await fresh();
    const deferred = () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    };
    const listed = deferred();
    const statted = deferred();
    // The writer's entry lands after the deleter listed the cluster, and its check of the config
    // comes before the deleter deletes it: the worst order for the writer's entry.
    const writerVfs = new Proxy(vfs, {
      get(target, property, receiver) {
        if (property === 'write')
          return async (key: string, body: string, options?: Parameters<Vfs['write']>[2]) => {
            if (key.startsWith(HISTORY)) await listed.promise;
            return target.write(key, body, options);
          };
        if (property === 'stat')
          return async (key: string, options?: object) => {
            try {
              return await target.stat(key, options);
            } finally {
              if (key === `${NAME}/config`) statted.resolve();
            }
          };
        return Reflect.get(target, property, receiver);
      },
    });
    const deleterVfs = new Proxy(vfs, {
      get(target, property, receiver) {
        if (property === 'listAll')
          return async function* (options: Parameters<Vfs['listAll']>[0]) {
            yield* target.listAll(options);
            if (options?.prefix === `${NAME}/`) listed.resolve();
          };
        if (property === 'delete')
          return async (key: string, options?: object) => {
            if (key === `${NAME}/config`) await statted.promise;
            return target.delete(key, options);
          };
        return Reflect.get(target, property, receiver);
      },
    });
    const writer = await openStateStore(writerVfs);
    const deleter = await openStateStore(deleterVfs);
    await Promise.all([
      writer.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } }, { reason: 'racing' }),
      deleter.deleteCluster(NAME),
    ]);
    expect(await snapshot(vfs)).toEqual([]);
    const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
    await deleter.createCluster(NAME, cluster, instanceGroups);
    const entries = await collect(deleter.history(NAME));
    expect(entries.every((e) => e.operation === 'create' && e.reason === undefined)).toBe(true);
  });
});

describe('retention round robin (issue 25 item 9)', () => {
  it('prunes every cluster written, three clusters in turn', async () => {
    const vfs = await openVfs(freshName('rr'));
    const store = await openStateStore(vfs, { history: { keep: 3, pruneEvery: 2 } });
    const names = ['a.example.com', 'b.example.com', 'c.example.com'];
    for (const name of names) {
      const { cluster, instanceGroups } = clusterFromOptions({ ...OPTIONS, clusterName: name });
      await store.createCluster(name, cluster, instanceGroups);
    }
    for (let i = 0; i < 8; i++)
      for (const name of names) await store.mergeConfig(name, { set: [`spec.cloudLabels.round=r${i}`] });
    for (const name of names) {
      const keys = (await snapshot(vfs)).filter((key) => key.startsWith(`${name}/backups/statestore/history/config/`));
      expect(keys.length).toBeLessThanOrEqual(3 + 2);
    }
  });
});

describe("the provider's object versions, restored (memfs with versioning on)", () => {
  it("lists the config's versions with the entries that wrote them, and restores kops's", async () => {
    const vfs = await openVfs(freshName('versions'), { memory: { versioning: true } });
    const store = await openStateStore(vfs);
    const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
    await store.createCluster(NAME, cluster, instanceGroups, { reason: 'new', author: 'ana' });
    const created = (await store.getCluster(NAME)).text;
    const kops = created.replace(/kubernetesVersion: .*/, 'kubernetesVersion: v1.32.5');
    await vfs.write(`${NAME}/config`, kops); // kops's unconditional PUT
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } }, { reason: 'upgrade' });

    const versions = await collect(store.history(NAME, { source: 'versions', kind: 'config' }));
    expect(versions.map((e) => [e.revision, e.operation, e.reason])).toEqual([
      [3, 'update', 'upgrade'],
      [2, 'external', undefined],
      [1, 'create', 'new'],
    ]);
    const restored = await store.rollback(NAME, versions[1]!.id, { restoreGeneration: true, reason: 'as kops had it' });
    expect(restored).toMatchObject({ changed: true, target: { id: versions[1]!.id } });
    expect((await store.getCluster(NAME)).text).toBe(kops);
    const after = await collect(store.history(NAME, { source: 'versions', kind: 'config' }));
    expect(after[0]).toMatchObject({ revision: 4, operation: 'rollback', reason: 'as kops had it' });
    // Statestore's own history recorded the rollback too, pointing at the provider version.
    const [newest] = await collect(store.history(NAME, { kind: 'config' }));
    expect(newest).toMatchObject({ operation: 'rollback', rolledBackTo: versions[1]!.id });
    // Restoring what is stored writes nothing.
    expect((await store.rollback(NAME, after[0]!.id)).changed).toBe(false);
  });
});

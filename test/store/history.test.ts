/**
 * History and rollback on the memory backend: what each write records, bad input (typed errors,
 * nothing written), hostile files in the history folder, the rollback's compare-and-swap,
 * concurrent writers, retention by age, and what is never recorded (secrets).
 */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import { openStateStore } from '../../src/store/open.js';
import { renderEntry } from '../../src/store/history/entry-file.js';
import { entryKey } from '../../src/store/history/keys.js';
import type { Vfs } from '../../src/vfs/types.js';
import { addNodeGroup, collect, fresh, freshName, HISTORY, NAME, OPTIONS, snapshot } from './history-helpers.js';

describe('what writes record', () => {
  it('records creates, updates, deletes with reason and author; filters by kind and name', async () => {
    const { store } = await fresh();
    await addNodeGroup(store, 'extra');
    const groups = ['extra', ...(await store.listInstanceGroups(NAME)).filter((group) => group !== 'extra')];
    const created = await collect(store.history(NAME));
    expect(created.map((e) => e.operation)).toEqual(Array(1 + groups.length).fill('create'));
    const config = (await store.getCluster(NAME)).value;
    await store.putConfig(NAME, { ...config, spec: { ...config.spec, kubernetesVersion: '1.33.0' } }, { reason: 'r' });
    const group = (await store.getInstanceGroup(NAME, groups[0]!)).value;
    // A change kops accepts for any role (a control-plane group's maxSize must stay 1: instancegroup.go:71).
    await store.putInstanceGroup(
      NAME,
      { ...group, spec: { ...group.spec, machineType: 'm5.xlarge' } },
      { author: 'me' },
    );
    const beforeDelete = await store.getInstanceGroup(NAME, groups[0]!);
    await store.deleteInstanceGroup(NAME, groups[0]!, { reason: 'gone' });

    const all = await collect(store.history(NAME));
    expect(all.slice(0, 3).map((e) => [e.operation, e.kind, e.name, e.reason, e.author])).toEqual([
      ['delete', 'instancegroup', groups[0], 'gone', undefined],
      ['update', 'instancegroup', groups[0], undefined, 'me'],
      ['update', 'config', undefined, 'r', undefined],
    ]);
    expect((await collect(store.history(NAME, { kind: 'config' }))).map((e) => e.operation)).toEqual([
      'update',
      'create',
    ]);
    const named = await collect(store.history(NAME, { name: groups[0]! }));
    expect(named.map((e) => e.operation)).toEqual(['delete', 'update', 'create']);
    expect(named.map((e) => e.revision)).toEqual([3, 2, 1]);
    expect((await store.getVersion(NAME, named[1]!)).text).toBe(beforeDelete.text);

    // A deletion has no text; rolling back to the revision before it re-creates the group byte for
    // byte, and rolling back to the deletion deletes it again.
    await expect(store.getVersion(NAME, named[0]!)).rejects.toMatchObject({ code: 'NotFound' });
    const recreated = await store.rollback(NAME, 2, { instanceGroup: groups[0]! });
    expect(recreated).toMatchObject({ changed: true, target: { id: named[1]!.id } });
    expect((await store.getInstanceGroup(NAME, groups[0]!)).text).toBe(beforeDelete.text);
    await store.rollback(NAME, named[0]!.id, { reason: 'again' });
    await expect(store.getInstanceGroup(NAME, groups[0]!)).rejects.toMatchObject({ code: 'NotFound' });
    const again = await collect(store.history(NAME, { name: groups[0]! }));
    expect(again.map((e) => [e.revision, e.operation])).toEqual([
      [5, 'rollback'],
      [4, 'rollback'],
      [3, 'delete'],
      [2, 'update'],
      [1, 'create'],
    ]);
  });

  it('records mergeCreateClusterOptions, not secrets', async () => {
    const { store, vfs } = await fresh();
    await store.putSecret(NAME, 'admin', 'hunter2');
    await store.mergeCreateClusterOptions(NAME, { kubernetesVersion: 'v1.33.0' }, { reason: 'upgrade' });
    const [latest] = await collect(store.history(NAME));
    expect(latest).toMatchObject({ operation: 'update', kind: 'config', reason: 'upgrade' });
    for await (const info of vfs.listAll({ prefix: HISTORY }))
      expect(Buffer.from((await vfs.read(info.key)).body).toString()).not.toContain('hunter2');
  });

  it("is deleted with the cluster by deleteCluster without force (kops's rule: backups/ is kops's)", async () => {
    const { store, vfs } = await fresh();
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    expect((await snapshot(vfs)).some((key) => key.startsWith(HISTORY))).toBe(true);
    await store.deleteCluster(NAME);
    expect(await snapshot(vfs)).toEqual([]);
    expect(await collect(store.history(NAME))).toEqual([]);
  });

  it('records nothing when disabled', async () => {
    const { store, vfs } = await fresh({ enabled: false });
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    expect(await collect(store.history(NAME))).toEqual([]);
    expect((await snapshot(vfs)).some((key) => key.startsWith(HISTORY))).toBe(false);
  });

  it('keeps every entry of concurrent writers (create-if-absent)', async () => {
    const { store, vfs } = await fresh();
    const stores = await Promise.all(Array.from({ length: 8 }, () => openStateStore(vfs)));
    await Promise.all(stores.map((s, i) => s.mergeConfig(NAME, { set: [`spec.cloudLabels.w${i}=v`] })));
    const updates = (await collect(store.history(NAME, { kind: 'config' }))).filter((e) => e.operation === 'update');
    expect(updates).toHaveLength(8);
    expect(new Set(updates.map((e) => e.replacedVersion)).size).toBe(8);
  });

  it('a write whose entry cannot be recorded still succeeds and reports it', async () => {
    const { store, vfs } = await fresh();
    const errors: Error[] = [];
    const refusing = new Proxy(vfs, {
      get(target, property, receiver) {
        if (property === 'write')
          return (key: string, ...rest: unknown[]) =>
            key.startsWith(HISTORY)
              ? Promise.reject(new Error('denied'))
              : (target.write as (...a: unknown[]) => unknown).call(target, key, ...rest);
        return Reflect.get(target, property, receiver);
      },
    });
    const limited = await openStateStore(refusing, { history: { onRecordError: (e) => errors.push(e) } });
    const result = await limited.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    expect(result.changed).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['denied']);
    expect((await collect(store.history(NAME))).filter((e) => e.operation === 'update')).toEqual([]);
  });

  it('prunes entries older than maxAgeMs', async () => {
    const { vfs } = await fresh({ enabled: false });
    const old = { cluster: NAME, kind: 'config' as const, stamp: '9000000000000-00000001' };
    await vfs.write(entryKey(old), renderEntry(old, new Date(999_999_999_999), { operation: 'update' }));
    const store = await openStateStore(vfs, { history: { maxAgeMs: 86_400_000, pruneEvery: 1 } });
    // The stored config is no version the old entry wrote: an external change after it.
    expect((await collect(store.history(NAME))).map((e) => e.operation)).toEqual(['external', 'update']);
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    const left = await collect(store.history(NAME));
    expect(left.map((e) => [e.revision, e.operation])).toEqual([
      [3, 'update'],
      [2, 'external'],
    ]);
    expect(left.some((e) => e.id.endsWith(old.stamp))).toBe(false);
  });
});

describe('bad input', () => {
  it('refuses malformed ids and ids of another cluster (InvalidArgument), unknown ones (NotFound), writing nothing', async () => {
    const { store, vfs } = await fresh();
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    const [entry] = await collect(store.history(NAME));
    const before = await snapshot(vfs);
    const malformed = [
      '',
      '../../secrets/admin',
      'config/../../secrets/admin',
      'config/0000000000000-0000000g',
      'instancegroup/../config/0000000000000-00000000',
      'instancegroup/Nodes/0000000000000-00000000',
      `${NAME}:config/x`,
      'pki/private/ca/keyset.yaml',
    ];
    for (const id of malformed) {
      await expect(store.rollback(NAME, id)).rejects.toMatchObject({ code: 'InvalidArgument' });
      await expect(store.getVersion(NAME, id)).rejects.toMatchObject({ code: 'InvalidArgument' });
    }
    const foreign = entry!.id.replace(`${NAME}:`, 'other.example.com:');
    await expect(store.rollback(NAME, foreign)).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(store.rollback(NAME, { ...entry!, cluster: 'other.example.com' })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await expect(store.rollback(NAME, 'config/0000000000000-00000000')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(store.diffVersions(NAME, 'config/0000000000000-00000000')).rejects.toMatchObject({ code: 'NotFound' });
    expect(await snapshot(vfs)).toEqual(before);
  });

  it('skips and reports hostile files in the history folder', async () => {
    const { store, vfs } = await fresh();
    const copied = { cluster: 'other.example.com', kind: 'config' as const, stamp: '0000000000001-00000000' };
    const garbage: Record<string, string> = {
      [`${HISTORY}config/notes.txt`]: 'hello',
      [`${HISTORY}config/0000000000000-00000000`]: '{not json',
      [`${HISTORY}config/0000000000002-00000000`]: JSON.stringify({ format: 'something else' }),
      [`${HISTORY}config/0000000000001-00000000`]: renderEntry(copied, new Date(), { operation: 'update' }),
      [`${HISTORY}instancegroup/UPPER/0000000000000-00000000`]: '{}',
      [`${HISTORY}stray`]: 'x',
    };
    for (const [key, body] of Object.entries(garbage)) await vfs.write(key, body);
    const reported: string[] = [];
    const entries = await collect(store.history(NAME, { onInvalid: (key) => reported.push(key) }));
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.cluster === NAME)).toBe(true);
    expect(reported).toEqual(
      expect.arrayContaining([
        `${HISTORY}config/notes.txt`,
        `${HISTORY}config/0000000000000-00000000`,
        `${HISTORY}config/0000000000001-00000000`,
        `${HISTORY}config/0000000000002-00000000`,
      ]),
    );
    await expect(store.rollback(NAME, 'config/0000000000001-00000000')).rejects.toMatchObject({
      code: 'IntegrityError',
    });
  });
});

describe('rollback', () => {
  it('moves metadata.generation forward as kops does, unless restoreGeneration', async () => {
    const { store } = await fresh();
    const original = await store.getCluster(NAME);
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.34.0' } });
    const entries = await collect(store.history(NAME, { kind: 'config' }));
    expect(entries.map((e) => e.revision)).toEqual([3, 2, 1]);
    const first = entries[2]!;
    const result = await store.rollback(NAME, first);
    expect(result.keptFields).toEqual(['/metadata/generation']);
    const now = await store.getCluster(NAME);
    expect(now.value.metadata?.generation).toBe(3);
    expect(now.value.spec).toEqual(original.value.spec);
    // The rollback is revision 4, and what is stored: rolling back to it writes nothing.
    expect(result.entry?.revision).toBe(4);
    const same = await store.rollback(NAME, result.entry!);
    expect(same).toMatchObject({ changed: false, diff: '' });
    expect(same.entry).toBeUndefined();
    // Revision 2 is a spec change again: generation 4.
    await store.rollback(NAME, 2);
    expect((await store.getCluster(NAME)).value.metadata?.generation).toBe(4);
    await store.rollback(NAME, first, { restoreGeneration: true });
    expect((await store.getCluster(NAME)).text).toBe(original.text);
  });

  it('is a compare-and-swap: a document changed meanwhile is PreconditionFailed, nothing recorded', async () => {
    const { store, vfs } = await fresh();
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.33.0' } });
    const [entry] = await collect(store.history(NAME, { kind: 'config' }));
    const { version } = await store.getCluster(NAME);
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: '1.34.0' } });
    await expect(store.rollback(NAME, entry!, { ifMatch: version })).rejects.toMatchObject({
      code: 'PreconditionFailed',
    });
    // A writer racing the rollback, between its read and its write.
    const racing = new Proxy(vfs, {
      get(target, property, receiver) {
        if (property === 'read')
          return async (key: string, options?: object) => {
            const read = await target.read(key, options);
            if (key === `${NAME}/config`) await store.mergeConfig(NAME, { set: ['spec.cloudLabels.race=1'] });
            return read;
          };
        return Reflect.get(target, property, receiver);
      },
    });
    const count = (await collect(store.history(NAME))).length;
    const raced = await openStateStore(racing);
    await expect(raced.rollback(NAME, entry!)).rejects.toMatchObject({ code: 'PreconditionFailed' });
    expect((await collect(store.history(NAME))).length).toBe(count + 1);
    expect((await store.getCluster(NAME)).value.spec?.cloudLabels?.race).toBe('1');
  });
});

describe('an entry write whose answer was lost', () => {
  it('counts the entry its first attempt stored (a retried create that finds itself), with no error reported', async () => {
    const inner = await openVfs(freshName('lost'));
    // The service stored the entry but its answer was lost; the retried create then answers
    // AlreadyExists (seen on the GCS emulator behind the fault proxy, test/reliability/faults-gcs).
    const vfs: Vfs = new Proxy(inner, {
      get(target, property, receiver) {
        if (property !== 'write') return Reflect.get(target, property, receiver) as unknown;
        return async (key: string, body: string, options?: Parameters<Vfs['write']>[2]) => {
          const info = await target.write(key, body, options);
          if (!key.startsWith(HISTORY)) return info;
          return target.write(key, body, options); // the retry: AlreadyExists
        };
      },
    });
    const reported: Error[] = [];
    const store = await openStateStore(vfs, { history: { onRecordError: (err: Error) => reported.push(err) } });
    const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
    await store.createCluster(NAME, cluster, instanceGroups);
    await store.mergeConfig(NAME, { spec: { kubernetesVersion: 'v1.32.1' } }, { reason: 'lost answer' });
    expect(reported).toEqual([]);
    const entries = await collect(store.history(NAME, { kind: 'config' }));
    expect(entries.map((entry) => entry.reason)).toContain('lost answer');
  });
});

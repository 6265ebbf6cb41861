/**
 * History and rollback on the memory backend: what each write records, bad input (typed errors,
 * nothing written), hostile files in the history folder, the rollback's compare-and-swap,
 * concurrent writers, retention by age, and what is never recorded (secrets).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { REPO_ROOT } from '../helpers/index.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { openStateStore } from '../../src/store/open.js';
import { renderEntry } from '../../src/store/history/entry-file.js';
import { entryKey } from '../../src/store/history/keys.js';
import type { HistoryEntry, StateStore } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';

const NAME = 'hist.example.com';
const OPTIONS = {
  clusterName: NAME,
  cloud: 'aws',
  zones: ['us-test-1a'],
  kubernetesVersion: 'v1.32.0',
  networking: 'cilium',
} as CreateClusterOptions;
const HISTORY = `${NAME}/backups/statestore/history/`;
let counter = 0;

async function fresh(history = {}): Promise<{ store: StateStore; vfs: Vfs }> {
  const vfs = await openVfs(`memfs://history-${process.pid}-${++counter}`);
  const store = await openStateStore(vfs, { history });
  const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
  await store.createCluster(NAME, cluster, instanceGroups);
  return { store, vfs };
}

async function collect(iterable: AsyncIterable<HistoryEntry>): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

/** Every key and version of the store: "nothing written" is this unchanged. */
async function snapshot(vfs: Vfs): Promise<string[]> {
  const out: string[] = [];
  for await (const info of vfs.listAll()) out.push(`${info.key}@${info.version}`);
  return out;
}

describe('what writes record', () => {
  it('records creates, updates, deletes with reason and author; filters by kind and name', async () => {
    const { store } = await fresh();
    const groups = await store.listInstanceGroups(NAME);
    const created = await collect(store.history(NAME));
    expect(created.map((e) => e.operation)).toEqual(Array(1 + groups.length).fill('create'));
    const config = (await store.getCluster(NAME)).value;
    await store.putConfig(NAME, { ...config, spec: { ...config.spec, kubernetesVersion: '1.33.0' } }, { reason: 'r' });
    const group = (await store.getInstanceGroup(NAME, groups[0]!)).value;
    await store.putInstanceGroup(NAME, { ...group, spec: { ...group.spec, maxSize: 9 } }, { author: 'me' });
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
    const inner = await openVfs(`memfs://history-lost-${process.pid}-${++counter}`);
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
    const name = (await store.listInstanceGroups(NAME))[0]!;
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
    const vfs = await openVfs(`memfs://history-v1-${process.pid}-${++counter}`);
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
    const vfs = await openVfs(`memfs://history-rr-${process.pid}-${++counter}`);
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

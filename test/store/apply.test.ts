/**
 * `store.apply` (issue #28) on the three kops trees, in a memfs:// store whose every request is
 * counted: the trees' own documents applied write nothing; one changed field writes exactly that
 * document (and its history entry); `prune` deletes only the group left out; an invalid edit, a
 * dry run and a refused document write nothing; a new cluster gets kops's `spec.configBase`.
 */
import { openVfs } from '../../src/backends/registry.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { openStateStore } from '../../src/store/open.js';
import type { ApplyDocument } from '../../src/store/apply/types.js';
import type { StateStore } from '../../src/store/state-store.js';
import { countingVfs } from './counting-vfs.js';
import { loadTree, TREES, type KopsTree } from './trees.js';
import { errorCode } from '../helpers/index.js';

let counter = 0;

/** A store holding the tree, whose writes and deletes (after loading) are logged by key. */
async function treeStore(
  tree: KopsTree,
): Promise<{ store: StateStore; writes: string[]; counts: Record<string, number> }> {
  const inner = await openVfs(`memfs://apply-${process.pid}-${++counter}`);
  await loadTree(inner, tree);
  const { vfs, counts } = countingVfs(inner);
  const writes: string[] = [];
  const logged = new Proxy(vfs, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if ((property === 'write' || property === 'delete') && typeof value === 'function')
        return (key: string, ...rest: unknown[]) => {
          writes.push(`${property} ${key}`);
          return (value as (...a: unknown[]) => unknown).call(target, key, ...rest);
        };
      return value;
    },
  });
  return { store: await openStateStore(logged), writes, counts };
}

/** The tree's Cluster and InstanceGroups, as `export` leaves them in a folder (the store's bytes parsed). */
async function documentsOf(store: StateStore, tree: KopsTree): Promise<ApplyDocument[]> {
  const config = await store.getCluster(tree.cluster);
  const groups = await Promise.all(tree.igs.map((name) => store.getInstanceGroup(tree.cluster, name)));
  return [config, ...groups].map((doc) => parseYaml(doc.text).value as ApplyDocument);
}

const historyOf = (key: string) => key.replace(/^(write|delete) ([^/]+)\/(.*)$/, '$2/backups/statestore/history/$3/');

describe.each(TREES.map((tree) => [tree.name, tree] as const))('store.apply on the %s tree', (_name, tree) => {
  it('applies the stored documents with no write; dry run of a change writes nothing', async () => {
    const { store, writes, counts } = await treeStore(tree);
    const documents = await documentsOf(store, tree);
    const result = await store.apply(documents, { prune: true });
    expect(result.changed).toBe(false);
    expect(result.documents.map((doc) => `${doc.kind} ${doc.name} ${doc.action}`)).toEqual([
      ...tree.igs.map((name) => `InstanceGroup ${name} unchanged`),
      `Cluster ${tree.cluster} unchanged`,
    ]);
    const nodes = documents.find((doc) => doc.metadata?.name === 'nodes')!;
    const edited = { ...nodes, spec: { ...nodes.spec, maxSize: 42 } } as ApplyDocument;
    const plan = await store.apply(
      documents.map((doc) => (doc === nodes ? edited : doc)),
      { dryRun: true },
    );
    expect(plan.documents.find((doc) => doc.name === 'nodes')).toMatchObject({ action: 'update' });
    expect(plan.documents.find((doc) => doc.name === 'nodes')!.diff).toMatch(/^\+ {2}maxSize: 42$/m);
    expect({ writes, write: counts.write ?? 0, delete: counts.delete ?? 0 }).toEqual({
      writes: [],
      write: 0,
      delete: 0,
    });
    await store.close();
  });

  it('writes exactly the changed document (and its history entry); a rerun writes nothing', async () => {
    const { store, writes } = await treeStore(tree);
    const documents = await documentsOf(store, tree);
    const before = await store.getInstanceGroup(tree.cluster, 'nodes');
    const changed = documents.map((doc) =>
      doc.metadata?.name === 'nodes' ? ({ ...doc, spec: { ...doc.spec, maxSize: 42 } } as ApplyDocument) : doc,
    );
    const result = await store.apply(changed);
    expect(result.documents.filter((doc) => doc.action !== 'unchanged').map((doc) => doc.name)).toEqual(['nodes']);
    const key = `${tree.cluster}/instancegroup/nodes`;
    expect(writes[0]).toBe(`write ${key}`);
    expect(writes.slice(1).every((write) => write.startsWith(`write ${historyOf(`write ${key}`)}`))).toBe(true);
    const after = await store.getInstanceGroup(tree.cluster, 'nodes');
    expect(after.value.spec?.maxSize).toBe(42);
    // As kops's update: the spec changed, so the generation moved on; every other byte as stored.
    expect(after.value.metadata?.generation).toBe((before.value.metadata?.generation ?? 0) + 1);
    const withoutGeneration = after.text.replace(/^ {2}generation: \d+\n/m, '');
    expect(withoutGeneration).toBe(before.text.replace(/^( {2}maxSize:) \d+$/m, '$1 42'));
    writes.length = 0;
    // The same (now stale-generation) documents again: converged, nothing written.
    expect((await store.apply(changed)).changed).toBe(false);
    expect(writes).toEqual([]);
    await store.close();
  });

  it('an invalid edit and a foreign document write nothing (ValidationError, InvalidArgument)', async () => {
    const { store, writes } = await treeStore(tree);
    const documents = await documentsOf(store, tree);
    const invalid = documents.map((doc) =>
      doc.metadata?.name === 'nodes'
        ? ({ ...doc, spec: { ...doc.spec, maxSize: 'many', subnets: ['nowhere'] } } as unknown as ApplyDocument)
        : doc,
    );
    expect(await errorCode(store.apply(invalid))).toBe('ValidationError');
    const foreign = {
      ...documents[1]!,
      metadata: { ...documents[1]!.metadata, labels: { 'kops.k8s.io/cluster': 'other' } },
    };
    expect(await errorCode(store.apply([documents[0]!, foreign as ApplyDocument]))).toBe('InvalidArgument');
    expect(await errorCode(store.apply(documents.slice(1)))).toBe('InvalidArgument');
    expect(writes).toEqual([]);
    await store.close();
  });
});

describe('store.apply: prune, creation, concurrency', () => {
  const tree = TREES.find((t) => t.name === 'privatecilium')!;

  it('prune deletes only the instance group left out; without prune it stays', async () => {
    const { store, writes } = await treeStore(tree);
    const documents = (await documentsOf(store, tree)).filter((doc) => doc.metadata?.name !== 'bastion');
    expect((await store.apply(documents)).changed).toBe(false);
    const result = await store.apply(documents, { prune: true });
    expect(result.documents.filter((doc) => doc.action !== 'unchanged')).toEqual([
      expect.objectContaining({ kind: 'InstanceGroup', name: 'bastion', action: 'delete' }),
    ]);
    expect(writes.filter((write) => !write.includes('/backups/statestore/history/'))).toEqual([
      `delete ${tree.cluster}/instancegroup/bastion`,
    ]);
    expect(await store.listInstanceGroups(tree.cluster)).toEqual(['master-us-test-1a', 'nodes']);
    expect(await store.listKeysets(tree.cluster)).toEqual(['kubernetes-ca']);
    expect((await store.listSecrets(tree.cluster)).sort()).toEqual(['admin', 'encryptionconfig']);
    await store.close();
  });

  it('creates a missing cluster with kops configBase ({store}/{cluster}); applying it again writes nothing', async () => {
    const source = await treeStore(tree);
    const documents = (await documentsOf(source.store, tree)).map((doc) => {
      if (doc.kind !== 'Cluster') return doc;
      const { configBase: _omitted, ...spec } = (doc.spec ?? {}) as Record<string, unknown>;
      return { ...doc, spec } as ApplyDocument;
    });
    const url = `memfs://apply-new-${process.pid}-${++counter}/kops`;
    const store = await openStateStore(url);
    const created = await store.apply(documents);
    expect(created.documents.map((doc) => doc.action)).toEqual(['create', 'create', 'create', 'create']);
    expect((await store.getCluster(tree.cluster)).value.spec?.configBase).toBe(`${url}/${tree.cluster}`);
    expect((await store.listInstanceGroups(tree.cluster)).sort()).toEqual(tree.igs);
    expect((await store.apply(documents)).changed).toBe(false);
    await Promise.all([store.close(), source.store.close()]);
  });

  it("records each write with the apply's reason; rollback undoes a document and the next apply redoes it", async () => {
    const { store } = await treeStore(tree);
    const documents = await documentsOf(store, tree);
    const original = (await store.getInstanceGroup(tree.cluster, 'nodes')).value.spec?.maxSize;
    const changed = documents.map((doc) =>
      doc.metadata?.name === 'nodes' ? ({ ...doc, spec: { ...doc.spec, maxSize: 42 } } as ApplyDocument) : doc,
    );
    await store.apply(changed, { reason: 'PR 12', author: 'ci' });
    const entries = [];
    for await (const entry of store.history(tree.cluster, { kind: 'instancegroup', name: 'nodes' }))
      entries.push(entry);
    expect(entries[0]).toMatchObject({ operation: 'update', reason: 'PR 12', author: 'ci' });
    // The revision before the apply's: the group as kops wrote it (an external revision).
    await store.rollback(tree.cluster, entries[1]!.id);
    expect((await store.getInstanceGroup(tree.cluster, 'nodes')).value.spec?.maxSize).toBe(original);
    const again = await store.apply(changed);
    expect(again.documents.filter((doc) => doc.action !== 'unchanged').map((doc) => doc.name)).toEqual(['nodes']);
    await store.close();
  });

  it('a document changed between plan and write is not overwritten (PreconditionFailed)', async () => {
    const { store } = await treeStore(tree);
    const documents = await documentsOf(store, tree);
    const changed = documents.map((doc) =>
      doc.kind === 'Cluster' ? ({ ...doc, spec: { ...doc.spec, kubernetesVersion: '1.34.1' } } as ApplyDocument) : doc,
    );
    // Another writer changes the config between the apply's plan and its write of the config.
    const racing = new Proxy(store.vfs, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'write' || typeof value !== 'function') return value;
        return async (key: string, ...rest: unknown[]) => {
          if (key === `${tree.cluster}/config`)
            await store.mergeConfig(tree.cluster, { set: ['spec.kubernetesVersion=1.34.9'] });
          return (value as (...a: unknown[]) => Promise<unknown>).call(target, key, ...rest);
        };
      },
    });
    const contender = await openStateStore(racing);
    expect(await errorCode(contender.apply(changed))).toBe('PreconditionFailed');
    expect((await store.getCluster(tree.cluster)).value.spec?.kubernetesVersion).toBe('1.34.9');
    await store.close();
  });
});

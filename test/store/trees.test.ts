/** The three kops trees load through the StateStore on every backend. */
import { openStateStore } from '../../src/store/open.js';
import { allTargets, stopAll } from '../backends/targets.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);

describe.each(allTargets.map((t) => [t.name, t]))('kops trees on %s', (_name, target) => {
  it.each(TREES.map((t) => [t.name, t]))(
    'reads the %s tree: cluster, config, instance groups, keysets, SSH keys, secrets',
    async (_tree, tree) => {
      const { vfs } = await target.fresh();
      const files = await loadTree(vfs, tree);
      const store = await openStateStore(vfs);
      try {
        expect(await store.listClusters()).toEqual([tree.cluster]);
        const cluster = await store.getCluster(tree.cluster);
        expect(cluster.value.metadata?.name).toBe(tree.cluster);
        expect(cluster.text).toBe(files.get(`${tree.cluster}/config`)!.toString('utf8'));
        expect(cluster.value.spec?.configBase).toContain(tree.cluster);
        expect((await store.listInstanceGroups(tree.cluster)).sort()).toEqual(tree.igs);
        for (const name of tree.igs)
          expect((await store.getInstanceGroup(tree.cluster, name)).value.metadata?.name).toBe(name);
        expect(await store.listKeysets(tree.cluster)).toEqual(['kubernetes-ca']);
        const keyset = await store.getKeyset(tree.cluster, 'kubernetes-ca');
        expect(keyset.keys[0]!.certificate).toContain('BEGIN CERTIFICATE');
        expect(keyset.keys[0]!.privateKey).toContain('PRIVATE KEY');
        expect(keyset.primaryId).toBe(keyset.keys[0]!.id);
        expect((await store.getKeyset(tree.cluster, 'kubernetes-ca', 'issued')).keys[0]!.privateKey).toBeUndefined();
        const ssh = await store.listSshPublicKeys(tree.cluster);
        expect(ssh).toHaveLength(1);
        expect(ssh[0]!.publicKey).toMatch(/^ssh-rsa AAAA/);
        expect((await store.listSecrets(tree.cluster)).sort()).toEqual(['admin', 'encryptionconfig']);
        expect(Buffer.from(await store.getSecret(tree.cluster, 'encryptionconfig')).toString()).toBe(
          `encryption-config-${tree.cluster}`,
        );
      } finally {
        await vfs.close();
      }
    },
  );
});

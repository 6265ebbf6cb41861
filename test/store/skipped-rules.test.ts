/**
 * What a write of clusters and instance groups reports of kops's rules it did not run for lack of a
 * cloud fact (`skippedRules` of MergeResult, DocumentWriteResult, ApplyResult, RollbackResult): the etcd rules of
 * an update (cluster.go), aws.go's EC2 rules of an AWS group; none where `cloudFacts` describe
 * every machine type and image. Memory backend.
 */
import type { CloudFacts, SkippedRule, StateStore } from '../../src/index.js';
import { NODES, exportedDocuments, oneZoneCluster, oneZoneStore } from './one-zone-cluster.js';

const NAME = 'skipped.example.com';

/** A fresh memory store; with `create`, holding the one-zone AWS cluster kops's create makes. */
const fresh = (create = true): Promise<{ store: StateStore }> =>
  oneZoneStore('skipped-rules', create ? { name: NAME } : undefined);

/** The stored documents, parsed, as `apply` takes them. */
const applyDocuments = (store: StateStore) => exportedDocuments(store, NAME);

describe('the kops rules a write did not run', () => {
  const sources = (rules: readonly SkippedRule[] | undefined) => [...new Set(rules?.map((rule) => rule.source))].sort();
  const ETCD_STATUS = ['cluster.go:118', 'cluster.go:83', 'cluster.go:86'].map((s) => `pkg/apis/kops/validation/${s}`);
  const EC2 = ['aws.go:236', 'aws.go:245', 'aws.go:264'].map((s) => `pkg/apis/kops/validation/${s}`);

  it("are listed in each result: the etcd rules of an update, aws.go's EC2 rules of an AWS group", async () => {
    const { store } = await fresh();
    const merged = await store.mergeConfig(NAME, { set: ['spec.kubernetesVersion=v1.32.1'] });
    expect(sources(merged.skippedRules)).toEqual(ETCD_STATUS);
    expect(merged.skippedRules).toContainEqual({
      source: 'pkg/apis/kops/validation/cluster.go:83',
      reason:
        "needs the etcd clusters kops has created (createdEtcdClusters; kops: FindClusterStatus, the cloud's etcd volumes)",
    });
    const { value } = await store.getCluster(NAME);
    expect(sources((await store.putConfig(NAME, value)).skippedRules)).toEqual(ETCD_STATUS);
    expect(sources((await store.mergeInstanceGroup(NAME, NODES, { set: ['spec.maxSize=2'] })).skippedRules)).toEqual(
      EC2,
    );
    const { value: nodes } = await store.getInstanceGroup(NAME, NODES);
    expect(sources((await store.putInstanceGroup(NAME, nodes)).skippedRules)).toEqual(EC2);
    const documents = await applyDocuments(store);
    expect(sources((await store.apply(documents)).skippedRules)).toEqual([...EC2, ...ETCD_STATUS].sort());
  });

  it('createCluster lists none of them when cloudFacts describe every machine type and image', async () => {
    const { store } = await fresh(false);
    const { cluster, instanceGroups } = oneZoneCluster(NAME);
    expect(sources((await store.createCluster(NAME, cluster, instanceGroups)).skippedRules)).toEqual(EC2);
    const { store: other } = await fresh(false);
    const cloudFacts: CloudFacts = { machineTypes: {}, images: {} };
    for (const group of instanceGroups) {
      cloudFacts.machineTypes![group.spec!.machineType!] = { architectures: ['x86_64'] };
      cloudFacts.images![group.spec!.image!] = { architecture: 'x86_64' };
    }
    const created = await other.createCluster(NAME, cluster, instanceGroups, { cloudFacts });
    expect(created).toEqual({ version: expect.any(String) as unknown });
  });

  it('are listed by a rollback of the config and of a group, dry run included; none by one that deletes a group', async () => {
    const { store } = await fresh();
    await store.mergeConfig(NAME, { set: ['spec.kubernetesVersion=v1.32.1'] });
    const dryRun = await store.rollback(NAME, 1, { dryRun: true });
    expect(dryRun.changed).toBe(true);
    expect(sources(dryRun.skippedRules)).toEqual(ETCD_STATUS);
    const config = await store.rollback(NAME, 1);
    expect(config.entry?.revision).toBe(3);
    expect(sources(config.skippedRules)).toEqual(ETCD_STATUS);
    await store.mergeInstanceGroup(NAME, NODES, { set: ['spec.maxSize=2'] });
    const group = await store.rollback(NAME, 1, { instanceGroup: NODES });
    expect((await store.getInstanceGroup(NAME, NODES)).value.spec?.maxSize).toBe(1);
    expect(sources(group.skippedRules)).toEqual(EC2);
    // A second node group, deleted and created again; the rollback to its deletion deletes it again.
    const { value: nodes } = await store.getInstanceGroup(NAME, NODES);
    const extra = { ...nodes, metadata: { ...nodes.metadata, name: 'extra' } };
    await store.putInstanceGroup(NAME, extra);
    await store.deleteInstanceGroup(NAME, 'extra');
    await store.putInstanceGroup(NAME, extra);
    const deleted = await store.rollback(NAME, 2, { instanceGroup: 'extra' });
    expect(deleted).toMatchObject({ changed: true, text: '' });
    expect(await store.listInstanceGroups(NAME)).not.toContain('extra');
    expect(deleted).not.toHaveProperty('skippedRules');
  });
});
